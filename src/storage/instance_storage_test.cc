// Restore after a "crash" (storage dropped without Close) and after a graceful Close, compaction
// by snapshot, damaged files, and the rewrites that make the log replay exactly what happened.
#include "storage/instance_storage.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/engine.h"

namespace mr::storage {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kStartMs = 1700000000000;

class Sink final : public engine::SessionSink {
 public:
  void Deliver(std::string_view bytes) override { delivered.append(bytes); }
  void Wake(engine::Session&) override {}
  std::string delivered;
};

// One "process lifetime" of an instance with its storage.
struct Life {
  std::unique_ptr<engine::Instance> inst = std::make_unique<engine::Instance>();
  std::unique_ptr<InstanceStorage> storage;
  engine::Session session;
  Sink sink;
  RestoreReport report;

  Life(const StorageOptions& o, int64_t now_ms = kStartMs) {
    inst->clock().SetForTest(now_ms);
    session.sink = &sink;
    engine::OpenSession(*inst, session);
    auto s = InstanceStorage::Open(*inst, o, &report);
    EXPECT_TRUE(s.ok()) << s.status().message();
    storage = std::move(s).value();
  }
  ~Life() { engine::CloseSession(*inst, session); }

  std::string Run(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    std::string out;
    resp::Writer w(&out, session.protocol);
    engine::Dispatch(*inst, session, v, w);
    storage->Commit();
    return out;
  }
  // kill -9: the storage goes away without a final snapshot (its files stay as they are).
  void Crash() { storage.reset(); }
};

class InstanceStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/storage-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    opts_.dir = dir_;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
  StorageOptions opts_;
};

TEST_F(InstanceStorageTest, LogReplaysAfterCrash) {
  {
    Life a(opts_);
    a.Run({"set", "s", "v"});
    a.Run({"rpush", "l", "1", "2", "3"});
    a.Run({"select", "3"});
    a.Run({"hset", "h", "f", "x"});
    a.Run({"incrbyfloat", "f", "1.5"});
    a.Crash();
  }
  Life b(opts_);
  EXPECT_TRUE(b.report.clean());
  EXPECT_EQ(b.report.log_commands, 6u);  // SELECT 0, SET, RPUSH, SELECT 3, HSET, INCRBYFLOAT
  EXPECT_EQ(b.Run({"get", "s"}), "$1\r\nv\r\n");
  EXPECT_EQ(b.Run({"lrange", "l", "0", "-1"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  b.Run({"select", "3"});
  EXPECT_EQ(b.Run({"hget", "h", "f"}), "$1\r\nx\r\n");
  EXPECT_EQ(b.Run({"get", "f"}), "$3\r\n1.5\r\n");
}

TEST_F(InstanceStorageTest, RelativeTtlsReplayAsAbsoluteTimes) {
  {
    Life a(opts_);
    a.Run({"set", "k", "v", "ex", "100"});
    a.Run({"setex", "k2", "100", "v"});
    a.Run({"set", "k3", "v"});
    a.Run({"pexpire", "k3", "100000"});
    a.Crash();
  }
  Life b(opts_, kStartMs + 60000);  // one minute later: 40 s left, not 100 s again
  EXPECT_EQ(b.Run({"ttl", "k"}), ":40\r\n");
  EXPECT_EQ(b.Run({"ttl", "k2"}), ":40\r\n");
  EXPECT_EQ(b.Run({"ttl", "k3"}), ":40\r\n");
  b.Crash();
  Life c(opts_, kStartMs + 200000);  // past their time: gone
  EXPECT_EQ(c.Run({"exists", "k", "k2", "k3"}), ":0\r\n");
}

TEST_F(InstanceStorageTest, ExpiryAndSpopReplayExactly) {
  {
    Life a(opts_);
    a.Run({"set", "gone", "v", "px", "10"});
    a.inst->clock().AdvanceForTest(20);
    // Live, the key expired before this SET NX: replay must see the same.
    EXPECT_EQ(a.Run({"set", "gone", "again", "nx"}), "+OK\r\n");
    a.Run({"sadd", "s", "a", "b", "c", "d"});
    a.Run({"spop", "s", "2"});
    a.Run({"set", "past", "v"});
    a.Run({"pexpireat", "past", "1"});  // in the past: deleted at once
    a.Run({"set", "past", "new", "nx"});
    a.Crash();
  }
  Life b(opts_);
  EXPECT_EQ(b.Run({"get", "gone"}), "$5\r\nagain\r\n");
  EXPECT_EQ(b.Run({"scard", "s"}), ":2\r\n");
  EXPECT_EQ(b.Run({"get", "past"}), "$3\r\nnew\r\n");
}

TEST_F(InstanceStorageTest, BlockingPopServedLaterIsLoggedAsPop) {
  {
    Life a(opts_);
    EXPECT_EQ(a.Run({"blpop", "q", "0"}), "");  // blocks: nothing recorded yet
    engine::Session other;
    engine::OpenSession(*a.inst, other);
    std::string out;
    resp::Writer w(&out);
    std::string_view push[] = {"rpush", "q", "x", "y"};
    engine::Dispatch(*a.inst, other, push, w);
    a.storage->Commit();
    EXPECT_NE(a.sink.delivered.find("x"), std::string::npos);
    engine::CloseSession(*a.inst, other);
    a.Crash();
  }
  Life b(opts_);
  EXPECT_TRUE(b.report.clean()) << b.report.problems[0];
  EXPECT_EQ(b.Run({"lrange", "q", "0", "-1"}), "*1\r\n$1\r\ny\r\n");
}

TEST_F(InstanceStorageTest, TransactionsReplayWhole) {
  {
    Life a(opts_);
    a.Run({"multi"});
    a.Run({"incr", "a"});
    a.Run({"incr", "b"});
    a.Run({"exec"});
    a.Crash();
  }
  std::string log;
  for (const auto& f : Files()) {
    if (f.find(".aof") != std::string::npos) {
      std::ifstream in(dir_ + "/" + f);
      log.assign(std::istreambuf_iterator<char>(in), {});
    }
  }
  EXPECT_NE(log.find("multi"), std::string::npos);
  EXPECT_NE(log.find("exec"), std::string::npos);
  Life b(opts_);
  EXPECT_EQ(b.Run({"mget", "a", "b"}), "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
}

TEST_F(InstanceStorageTest, SaveCompactsTheLog) {
  Life a(opts_);
  for (int i = 0; i < 100; ++i) {
    a.Run({"incr", "counter"});
  }
  ASSERT_TRUE(a.storage->Save().ok());
  a.Run({"incr", "counter"});
  EXPECT_EQ(Files(), (std::vector<std::string>{"appendonly-0000000002.aof", "dump-0000000002.rdb"}));
  a.Crash();
  Life b(opts_);
  EXPECT_EQ(b.report.snapshot_keys, 1u);
  EXPECT_EQ(b.report.log_commands, 2u);  // SELECT + the one INCR after the snapshot
  EXPECT_EQ(b.Run({"get", "counter"}), "$3\r\n101\r\n");
}

TEST_F(InstanceStorageTest, BackgroundSaveInAChild) {
  Life a(opts_);
  for (int i = 0; i < 1000; ++i) {
    std::string k = "key:" + std::to_string(i);
    a.Run({"set", k, "value"});
  }
  ASSERT_TRUE(a.storage->BackgroundSave().ok());
  EXPECT_FALSE(a.storage->BackgroundSave().ok());  // one at a time
  a.Run({"set", "after", "fork"});                 // goes to the new segment
  a.storage->WaitForBackgroundSave();
  EXPECT_EQ(a.storage->stats().snapshots, 1u);
  a.Crash();
  Life b(opts_);
  EXPECT_EQ(b.report.snapshot_keys, 1000u);
  EXPECT_EQ(b.Run({"dbsize"}), ":1001\r\n");
}

TEST_F(InstanceStorageTest, SnapshotsAreRefusedInsideATransaction) {
  Life a(opts_);
  a.Run({"multi"});
  a.Run({"set", "k", "v"});
  a.Run({"bgsave"});
  std::string out = a.Run({"exec"});
  EXPECT_NE(out.find("-ERR Command not allowed inside a transaction"), std::string::npos) << out;
  a.Crash();
  Life b(opts_);
  EXPECT_TRUE(b.report.clean());
  EXPECT_EQ(b.Run({"get", "k"}), "$1\r\nv\r\n");
}

TEST_F(InstanceStorageTest, IdleInstanceHoldsNoLogFile) {
  Life a(opts_);
  a.Run({"get", "nothing"});
  EXPECT_TRUE(Files().empty());
  a.Run({"set", "k", "v"});
  EXPECT_EQ(Files(), (std::vector<std::string>{"appendonly-0000000001.aof"}));
}

TEST_F(InstanceStorageTest, CloseWithoutChangesWritesNothing) {
  {
    Life a(opts_);
    a.Run({"get", "k"});
    ASSERT_TRUE(a.storage->Close().ok());
  }
  EXPECT_TRUE(Files().empty());
  {
    Life b(opts_);
    b.Run({"set", "k", "v"});
    ASSERT_TRUE(b.storage->Close().ok());
  }
  std::vector<std::string> after_first = Files();
  {
    Life c(opts_);  // restored, read, closed: the same files stay
    EXPECT_EQ(c.Run({"get", "k"}), "$1\r\nv\r\n");
    ASSERT_TRUE(c.storage->Close().ok());
  }
  EXPECT_EQ(Files(), after_first);
}

TEST_F(InstanceStorageTest, CloseSnapshotsAndRestartLoadsIt) {
  {
    Life a(opts_);
    a.Run({"zadd", "z", "1", "a", "2", "b"});
    ASSERT_TRUE(a.storage->Close().ok());
  }
  Life b(opts_);
  EXPECT_EQ(b.report.log_commands, 0u);
  EXPECT_EQ(b.report.snapshot_keys, 1u);
  EXPECT_EQ(b.Run({"zscore", "z", "b"}), "$1\r\n2\r\n");
}

TEST_F(InstanceStorageTest, CutLogTailIsReportedSetAsideAndSnapshotted) {
  {
    Life a(opts_);
    a.Run({"set", "a", "1"});
    a.Run({"set", "b", "2"});
    a.Crash();
  }
  std::string log = dir_ + "/appendonly-0000000001.aof";
  fs::resize_file(log, fs::file_size(log) - 3);
  Life b(opts_);
  ASSERT_FALSE(b.report.clean());
  EXPECT_NE(b.report.problems[0].find("appendonly-0000000001.aof"), std::string::npos);
  EXPECT_GT(b.report.dropped_bytes, 0u);
  EXPECT_EQ(b.Run({"get", "a"}), "$1\r\n1\r\n");
  EXPECT_EQ(b.Run({"exists", "b"}), ":0\r\n");
  bool set_aside = false;
  for (const auto& f : Files()) {
    set_aside |= f.find(".damaged-") != std::string::npos;
  }
  EXPECT_TRUE(set_aside);
  b.Crash();
  Life c(opts_);  // the fresh snapshot holds what was loaded; nothing damaged any more
  EXPECT_TRUE(c.report.clean());
  EXPECT_EQ(c.Run({"get", "a"}), "$1\r\n1\r\n");
}

TEST_F(InstanceStorageTest, SnapshotOnlyKeepsNoLog) {
  opts_.append_log = false;
  {
    Life a(opts_);
    a.Run({"set", "k", "v"});
    a.Crash();  // without a snapshot the change is lost: that is this policy's contract
  }
  {
    Life b(opts_);
    EXPECT_EQ(b.Run({"exists", "k"}), ":0\r\n");
    b.Run({"set", "k", "v"});
    ASSERT_TRUE(b.storage->Close().ok());
  }
  for (const auto& f : Files()) {
    EXPECT_EQ(f.find(".aof"), std::string::npos) << f;
  }
  Life c(opts_);
  EXPECT_EQ(c.Run({"get", "k"}), "$1\r\nv\r\n");
}

TEST_F(InstanceStorageTest, WriteFailureRefusesWritesUntilItClears) {
  Life a(opts_);
  a.Run({"set", "k", "v"});
  EXPECT_NE(a.Run({"info", "persistence"}).find("aof_last_write_status:ok"), std::string::npos);
  // A file size limit makes the next append fail (EFBIG), as a full disk would.
  ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit saved {};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  struct rlimit small = saved;
  small.rlim_cur = a.storage->stats().log_bytes + 8;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string first = a.Run({"set", "big", std::string(100, 'x')});
  EXPECT_EQ(first, "+OK\r\n");  // ran before the append failed: kept and retried, not lost
  std::string refused = a.Run({"set", "other", "v"});
  EXPECT_EQ(refused.rfind("-MISCONF Errors writing to the AOF file", 0), 0u) << refused;
  EXPECT_EQ(a.Run({"get", "k"}), "$1\r\nv\r\n");  // reads still work
  EXPECT_NE(a.Run({"info", "persistence"}).find("aof_last_write_status:err"), std::string::npos);
  EXPECT_GE(a.storage->stats().write_errors, 1u);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  a.storage->Commit();  // the retry succeeds: writes are accepted again
  EXPECT_EQ(a.Run({"set", "other", "v"}), "+OK\r\n");
  a.Crash();
  Life b(opts_);
  EXPECT_TRUE(b.report.clean());
  EXPECT_EQ(b.Run({"strlen", "big"}), ":100\r\n");
  EXPECT_EQ(b.Run({"get", "other"}), "$1\r\nv\r\n");
}

}  // namespace
}  // namespace mr::storage
