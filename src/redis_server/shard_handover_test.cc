// Tests of shard placement and the shared-port handover: AUTH <instance-id> <password> on one
// shard's listener moves the socket (and the bytes already read) to the instance's shard.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "engine/server/instance.h"
#include "redis_server/instance_directory.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "redis_server/test_client.h"
#include "security/instance_password.h"

namespace mr::redis_server {
namespace {

using testing::RespClient;

class ShardHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shards_ = std::make_unique<ShardSet>(ShardSetOptions{.shards = 2});
    shards_->Start();
    ASSERT_TRUE(shards_->AddInstance(0, &a_, InstanceAccess{"inst-a", "pa"}).ok());
    // b is configured the way node-manager stores passwords: as a verifier.
    std::string verifier = HashInstancePassword("pb");
    ASSERT_TRUE(shards_->AddInstance(1, &b_, InstanceAccess{"inst-b", "", verifier}).ok());
    directory_.Put("inst-a", InstanceRoute{0, &a_, "pa"});
    directory_.Put("inst-b", InstanceRoute{1, &b_, "", verifier});
    auto shared = Listener::Shared(*shards_, directory_, ListenOptions{}, 0);
    ASSERT_TRUE(shared.ok()) << shared.error();
    shared_ = std::move(*shared);
    auto da = Listener::Dedicated(*shards_, 0, &a_, ListenOptions{});
    auto db = Listener::Dedicated(*shards_, 1, &b_, ListenOptions{});
    ASSERT_TRUE(da.ok() && db.ok());
    dedicated_a_ = std::move(*da);
    dedicated_b_ = std::move(*db);
  }
  void TearDown() override {
    shared_.reset();
    dedicated_a_.reset();
    dedicated_b_.reset();
    shards_->Stop();
  }

  engine::Instance a_;
  engine::Instance b_;
  InstanceTable directory_;
  std::unique_ptr<ShardSet> shards_;
  std::unique_ptr<Listener> shared_;
  std::unique_ptr<Listener> dedicated_a_;
  std::unique_ptr<Listener> dedicated_b_;
};

TEST_F(ShardHandoverTest, SharedPortRoutesAuthToTheInstanceShard) {
  RespClient c(shared_->port());
  EXPECT_EQ(c.Call({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(c.Call({"AUTH", "inst-b", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.Call({"AUTH", "nope", "pb"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  // AUTH and what follows it arrive in one read: the rest must travel with the socket.
  std::string batch = RespClient::Encode({"AUTH", "inst-b", "pb"});
  for (int i = 0; i < 100; ++i) {
    batch += RespClient::Encode({"INCR", "n"});
  }
  batch += RespClient::Encode({"SET", "k", "vb"});
  ASSERT_TRUE(c.Send(batch));
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  for (int i = 1; i <= 100; ++i) {
    ASSERT_EQ(c.ReadReply(), ":" + std::to_string(i) + "\r\n");
  }
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");

  RespClient on_b(dedicated_b_->port());
  EXPECT_EQ(on_b.Call({"AUTH", "pb"}), "+OK\r\n");
  EXPECT_EQ(on_b.Call({"GET", "k"}), "$2\r\nvb\r\n");
  std::string list = on_b.Call({"CLIENT", "LIST"});
  EXPECT_NE(list.find("cmd=set"), std::string::npos);  // the handed-over connection is b's
  RespClient on_a(dedicated_a_->port());
  EXPECT_EQ(on_a.Call({"AUTH", "pa"}), "+OK\r\n");
  EXPECT_EQ(on_a.Call({"GET", "k"}), "$-1\r\n");
  shards_->RunOn(1, [&] { EXPECT_EQ(b_.counters.connected_clients, 2u); });
}

TEST_F(ShardHandoverTest, HelloAuthOnTheSharedPortSwitchesProtocol) {
  RespClient c(shared_->port());
  c.Send(RespClient::Encode({"HELLO", "3", "AUTH", "inst-a", "pa"}) +
         RespClient::Encode({"GET", "missing"}));
  std::string hello = c.ReadReply();
  EXPECT_EQ(hello.substr(0, 4), "%7\r\n");
  EXPECT_NE(hello.find("$5\r\nproto\r\n:3\r\n"), std::string::npos);
  EXPECT_EQ(c.ReadReply(), "_\r\n");
}

TEST_F(ShardHandoverTest, RepliesOwedBeforeTheHandoverArriveFirst) {
  RespClient c(shared_->port());
  c.Send("PING\r\n" + RespClient::Encode({"AUTH", "inst-a", "pa"}) + "ECHO hi\r\n");
  EXPECT_EQ(c.ReadReply(), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_EQ(c.ReadReply(), "$2\r\nhi\r\n");
}

TEST_F(ShardHandoverTest, SetAccessRotatesThePassword) {
  RespClient before(dedicated_a_->port());
  EXPECT_EQ(before.Call({"AUTH", "pa"}), "+OK\r\n");
  shards_->SetAccess(&a_, InstanceAccess{"inst-a", "new"});
  RespClient after(dedicated_a_->port());
  EXPECT_EQ(after.Call({"AUTH", "pa"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(after.Call({"AUTH", "new"}), "+OK\r\n");
  EXPECT_EQ(before.Call({"PING"}), "+PONG\r\n");
}

TEST_F(ShardHandoverTest, QuitOnTheSharedPortCloses) {
  RespClient c(shared_->port());
  c.Send("QUIT\r\n");
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_TRUE(c.PeerClosed());
}

// The building block node-manager can use directly: a socket accepted anywhere is adopted by
// the shard of its instance, with the bytes already read and the replies already owed.
TEST_F(ShardHandoverTest, AdoptConnectionServesAnAcceptedSocket) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(lfd, 4), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  RespClient c(ntohs(addr.sin_port));
  int fd = ::accept(lfd, nullptr, nullptr);
  ASSERT_GE(fd, 0);
  ::close(lfd);

  shards_->AdoptConnection(1, fd, &b_, "AUTH pb\r\nECHO he", "+EARLIER\r\n");
  c.Send("llo\r\n");
  EXPECT_EQ(c.ReadReply(), "+EARLIER\r\n");
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_EQ(c.ReadReply(), "$5\r\nhello\r\n");
  EXPECT_EQ(c.Call({"SET", "adopted", "1"}), "+OK\r\n");
  RespClient on_b(dedicated_b_->port());
  on_b.Call({"AUTH", "pb"});
  EXPECT_EQ(on_b.Call({"GET", "adopted"}), "$1\r\n1\r\n");
}

TEST_F(ShardHandoverTest, AdoptionByAShardNotServingTheInstanceCloses) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  shards_->AdoptConnection(0, fds[0], &b_, "", "");  // b lives on shard 1
  char ch;
  timeval tv{5, 0};
  setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  EXPECT_EQ(::recv(fds[1], &ch, 1, 0), 0);
  ::close(fds[1]);
}

TEST_F(ShardHandoverTest, RemoveInstanceClosesItsConnections) {
  RespClient c(dedicated_a_->port());
  EXPECT_EQ(c.Call({"AUTH", "pa"}), "+OK\r\n");
  dedicated_a_->Close();
  directory_.Remove("inst-a");
  shards_->RemoveInstance(&a_);
  EXPECT_TRUE(c.PeerClosed());
  EXPECT_EQ(shards_->ShardOf(&a_), -1);
  EXPECT_EQ(shards_->ShardOf(&b_), 1);
  RespClient late(shared_->port());
  EXPECT_EQ(late.Call({"AUTH", "inst-a", "pa"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
}

TEST_F(ShardHandoverTest, PlacementPicksTheLeastLoadedShard) {
  engine::Instance c;
  EXPECT_FALSE(shards_->AddInstance(0, &a_, InstanceAccess{"inst-a", ""}).ok());
  EXPECT_FALSE(shards_->AddInstance(7, &c, InstanceAccess{"c", ""}).ok());
  int s = shards_->PickShard();
  ASSERT_TRUE(shards_->AddInstance(s, &c, InstanceAccess{"c", ""}).ok());
  int next = shards_->PickShard();
  EXPECT_NE(next, s);
  shards_->RemoveInstance(&c);
}

TEST_F(ShardHandoverTest, PortInUseIsAPlainError) {
  auto again = Listener::Dedicated(*shards_, 0, &a_,
                                   ListenOptions{.port = dedicated_a_->port()});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("cannot listen on 127.0.0.1:"), std::string::npos);
  EXPECT_NE(again.error().find("in use"), std::string::npos);
}

TEST(InstanceDirectoryTest, TableAndPasswords) {
  InstanceTable t;
  EXPECT_FALSE(t.Lookup("x").has_value());
  t.Put("x", InstanceRoute{3, nullptr, "pw", ""});
  ASSERT_TRUE(t.Lookup("x").has_value());
  EXPECT_EQ(t.Lookup("x")->shard, 3);
  t.Remove("x");
  EXPECT_FALSE(t.Lookup("x").has_value());
  EXPECT_TRUE(PasswordMatches("", "", "anything"));
  EXPECT_TRUE(PasswordMatches("secret", "", "secret"));
  EXPECT_FALSE(PasswordMatches("secret", "", "secreT"));
  EXPECT_FALSE(PasswordMatches("secret", "", "secret2"));
  EXPECT_FALSE(PasswordMatches("secret", "", ""));
  std::string verifier = HashInstancePassword("s3");
  EXPECT_TRUE(PasswordMatches("", verifier, "s3"));
  EXPECT_FALSE(PasswordMatches("", verifier, "s4"));
}

}  // namespace
}  // namespace mr::redis_server
