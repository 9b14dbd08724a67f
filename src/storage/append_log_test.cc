#include "storage/append_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mr::storage {
namespace {

std::string Cmd(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
  }
  return out;
}

struct Collect {
  std::vector<std::string> seen;
  LogApply fn() {
    return [this](std::span<const std::string_view> args) {
      std::string line;
      for (std::string_view a : args) {
        line += (line.empty() ? "" : " ") + std::string(a);
      }
      seen.push_back(line);
      return args[0] != "bad";
    };
  }
};

TEST(ReadLog, ReplaysEveryWholeRecord) {
  std::string log = Cmd({"select", "0"}) + Cmd({"set", "k", "v"}) + Cmd({"del", "k"});
  Collect c;
  LogReadReport r = ReadLog(log, c.fn());
  EXPECT_EQ(r.commands, 3u);
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_EQ(r.dropped_bytes, 0u);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(c.seen, (std::vector<std::string>{"select 0", "set k v", "del k"}));
}

TEST(ReadLog, CutRecordIsDroppedAndReported) {
  std::string whole = Cmd({"set", "a", "1"});
  std::string cut = Cmd({"set", "b", "2"});
  for (size_t keep = 1; keep < cut.size(); ++keep) {
    Collect c;
    LogReadReport r = ReadLog(whole + cut.substr(0, keep), c.fn());
    EXPECT_EQ(r.commands, 1u) << keep;
    EXPECT_EQ(r.valid_bytes, whole.size());
    EXPECT_EQ(r.dropped_bytes, keep);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(ReadLog, TransactionAppliesAtExecOrNotAtAll) {
  std::string tx = Cmd({"multi"}) + Cmd({"incr", "a"}) + Cmd({"incr", "b"});
  Collect open;
  LogReadReport r = ReadLog(Cmd({"set", "x", "1"}) + tx, open.fn());
  EXPECT_EQ(open.seen, (std::vector<std::string>{"set x 1"}));
  EXPECT_EQ(r.dropped_bytes, tx.size());
  EXPECT_NE(r.error.find("transaction without EXEC"), std::string::npos);

  Collect closed;
  r = ReadLog(tx + Cmd({"exec"}), closed.fn());
  EXPECT_EQ(closed.seen, (std::vector<std::string>{"incr a", "incr b"}));
  EXPECT_TRUE(r.error.empty());
}

TEST(ReadLog, GarbageStopsReadingWithItsOffset) {
  std::string good = Cmd({"set", "a", "1"});
  Collect c;
  LogReadReport r = ReadLog(good + "PING\r\n" + Cmd({"set", "b", "2"}), c.fn());
  EXPECT_EQ(c.seen.size(), 1u);
  EXPECT_EQ(r.valid_bytes, good.size());
  EXPECT_NE(r.error.find("byte " + std::to_string(good.size())), std::string::npos);

  r = ReadLog(good + "*2\r\n$x\r\n", c.fn());
  EXPECT_NE(r.error.find("Protocol error"), std::string::npos) << r.error;
}

TEST(ReadLog, EmptyArraysAreWholeRecords) {
  Collect c;
  std::string log = "*0\r\r" + Cmd({"set", "a", "1"}) + "*0\r\n";
  LogReadReport r = ReadLog(log, c.fn());  // found by append_log_fuzzer
  EXPECT_EQ(r.commands, 1u);
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_TRUE(r.error.empty());
}

TEST(ReadLog, RejectedCommandsAreCountedNotFatal) {
  Collect c;
  LogReadReport r = ReadLog(Cmd({"bad"}) + Cmd({"set", "a", "1"}), c.fn());
  EXPECT_EQ(r.commands, 2u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.first_rejected, "bad");
  EXPECT_TRUE(r.error.empty());
}

TEST(LogFile, AppendsSyncsAndReadsBack) {
  std::string path = ::testing::TempDir() + "/append_log_test.aof";
  std::remove(path.c_str());
  {
    auto f = LogFile::Open(path);
    ASSERT_TRUE(f.ok()) << f.status().message();
    ASSERT_TRUE(f.value()->Write(Cmd({"set", "a", "1"})).ok());
    EXPECT_GT(f.value()->unsynced(), 0u);
    ASSERT_TRUE(f.value()->Sync().ok());
    EXPECT_EQ(f.value()->unsynced(), 0u);
  }
  {
    auto f = LogFile::Open(path);  // reopening appends after what is there
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f.value()->size(), Cmd({"set", "a", "1"}).size());
    ASSERT_TRUE(f.value()->Write(Cmd({"set", "b", "2"})).ok());
  }
  Collect c;
  LogReadReport r = ReadLogFile(path, c.fn());
  EXPECT_EQ(c.seen, (std::vector<std::string>{"set a 1", "set b 2"}));
  EXPECT_TRUE(ReadLogFile(path + ".missing", c.fn()).error.find("cannot open") == 0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mr::storage
