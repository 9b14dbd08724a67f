#include "services/node_manager/port_pool.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

namespace mr::services {
namespace {
using namespace std::chrono_literals;

struct FakeWorld {
  int64_t now = 1000;
  std::set<uint16_t> foreign;  // ports "other processes" hold
  PortPool Pool(uint16_t a, uint16_t b, std::chrono::milliseconds q = 5000ms) {
    return PortPool(a, b, q, [this](uint16_t p) { return !foreign.count(p); },
                    [this] { return now; });
  }
};

TEST(PortPool, AllocatesLowestFreeAndReportsExhaustion) {
  FakeWorld w;
  auto pool = w.Pool(100, 102);
  EXPECT_EQ(*pool.Allocate("a"), 100);
  EXPECT_EQ(*pool.Allocate("b"), 101);
  EXPECT_EQ(*pool.Allocate("c"), 102);
  auto r = pool.Allocate("d");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("exhausted"), std::string::npos);
  EXPECT_EQ(pool.used(), 3u);
  EXPECT_EQ(pool.capacity(), 3u);
}

TEST(PortPool, ReleasedPortsWaitOutTheQuarantine) {
  FakeWorld w;
  auto pool = w.Pool(100, 101);
  ASSERT_EQ(*pool.Allocate("a"), 100);
  ASSERT_EQ(*pool.Allocate("b"), 101);
  pool.Release(100);
  EXPECT_EQ(pool.quarantined(), 1u);
  EXPECT_FALSE(pool.Allocate("c").ok());  // 100 is resting
  w.now += 5000;
  EXPECT_EQ(*pool.Allocate("c"), 100);
  EXPECT_EQ(pool.quarantined(), 0u);
}

TEST(PortPool, SkipsPortsHeldByOtherProcesses) {
  FakeWorld w;
  w.foreign = {100, 101};
  auto pool = w.Pool(100, 103);
  EXPECT_EQ(*pool.Allocate("a"), 102);
  w.foreign = {100, 101, 103};
  auto r = pool.Allocate("b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("3 held by other processes"), std::string::npos) << r.error();
}

TEST(PortPool, ClaimRestoresAnInstancesPortAndRefusesConflicts) {
  FakeWorld w;
  auto pool = w.Pool(100, 110);
  EXPECT_TRUE(pool.Claim(105, "a").ok());
  EXPECT_TRUE(pool.Claim(105, "a").ok());  // idempotent for the same owner
  EXPECT_FALSE(pool.Claim(105, "b").ok());
  EXPECT_FALSE(pool.Claim(99, "a").ok());
  EXPECT_NE(*pool.Allocate("c"), 105);
}

TEST(PortPool, QuarantineSurvivesASnapshotRoundTrip) {
  FakeWorld w;
  auto pool = w.Pool(100, 101);
  ASSERT_TRUE(pool.Allocate("a").ok());
  pool.Release(100);
  auto snap = pool.QuarantineSnapshot();
  auto restored = w.Pool(100, 101);
  for (auto [port, released] : snap) {
    restored.RestoreQuarantine(port, released);
  }
  EXPECT_EQ(*restored.Allocate("b"), 101);
  EXPECT_FALSE(restored.Allocate("c").ok());
}

TEST(PortPool, RealBindProbeSeesAListeningSocket) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  EXPECT_FALSE(PortPool::BindProbe(port));
  ::close(fd);
  EXPECT_TRUE(PortPool::BindProbe(port));
}

}  // namespace
}  // namespace mr::services
