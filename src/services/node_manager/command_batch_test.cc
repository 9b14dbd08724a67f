#include "services/node_manager/command_batch.h"

#include <gtest/gtest.h>

#include <cctype>

#include "engine/server/engine.h"

namespace mr::services {
namespace {

// Keeps what the engine records, as the AOF would receive it.
class RecordedLog : public engine::ChangeLog {
 public:
  void Commit() override {
    std::string pending;
    TakePending(&pending);
    written += pending;
    ++commits;
  }
  Status Save() override { return Status::Ok(); }
  Status BackgroundSave() override { return Status::Ok(); }
  int64_t last_save_s() const override { return 0; }
  void AppendInfo(std::string*) const override {}

  std::string written;
  int commits = 0;
};

class CommandBatchTest : public ::testing::Test {
 protected:
  CommandBatchTest() { instance_.set_change_log(&log_); }
  ~CommandBatchTest() override { instance_.set_change_log(nullptr); }

  BatchReplies Run(const std::vector<Command>& commands, bool transaction) {
    return RunBatch(instance_, commands, transaction);
  }
  std::string Get(const std::string& key) { return Run({{"GET", key}}, false).replies[0]; }

  engine::Instance instance_;
  RecordedLog log_;
};

TEST_F(CommandBatchTest, PipelineRunsInOrderAndErrorsStayPerCommand) {
  auto out = Run({{"SET", "a", "1"}, {"INCR", "a"}, {"HGET", "a", "f"}, {"GET", "a"},
                  {"NOSUCH"}},
                 false);
  ASSERT_EQ(out.replies.size(), 5u);
  EXPECT_EQ(out.replies[0], "+OK\r\n");
  EXPECT_EQ(out.replies[1], ":2\r\n");
  EXPECT_EQ(out.replies[2].rfind("-WRONGTYPE", 0), 0u) << out.replies[2];
  EXPECT_EQ(out.replies[3], "$1\r\n2\r\n");
  EXPECT_EQ(out.replies[4].rfind("-ERR unknown command", 0), 0u) << out.replies[4];
  EXPECT_FALSE(out.aborted);
  EXPECT_EQ(log_.commits, 1);  // one commit for the whole batch
  EXPECT_EQ(log_.written.find("multi"), std::string::npos);
}

TEST_F(CommandBatchTest, RefusedCommandsFailAloneInAPipeline) {
  auto out = Run({{"BLPOP", "q", "0"}, {"SUBSCRIBE", "c"}, {"MULTI"}, {"WATCH", "a"},
                  {"HELLO", "3"}, {"SET", "b", "2"}},
                 false);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(out.replies[i].find("needs a persistent connection"), std::string::npos)
        << out.replies[i];
  }
  EXPECT_EQ(out.replies[5], "+OK\r\n");
}

TEST_F(CommandBatchTest, TransactionRunsAtomicallyAndIsLoggedAsMultiExec) {
  auto out = Run({{"SET", "a", "1"}, {"INCR", "a"}, {"LPUSH", "a", "x"}, {"GET", "a"}}, true);
  ASSERT_EQ(out.replies.size(), 4u);
  EXPECT_FALSE(out.aborted);
  EXPECT_EQ(out.replies[0], "+OK\r\n");
  EXPECT_EQ(out.replies[1], ":2\r\n");
  EXPECT_EQ(out.replies[2].rfind("-WRONGTYPE", 0), 0u);  // a runtime error fails only itself
  EXPECT_EQ(out.replies[3], "$1\r\n2\r\n");
  EXPECT_EQ(log_.commits, 1);
  std::string aof = log_.written;  // records keep the client's spelling of command names
  for (char& c : aof) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  size_t multi = aof.find("$5\r\nmulti\r\n");
  size_t set = aof.find("$3\r\nset\r\n");
  size_t incr = aof.find("$4\r\nincr\r\n");
  size_t exec = aof.find("$4\r\nexec\r\n");
  ASSERT_NE(multi, std::string::npos) << aof;
  ASSERT_NE(exec, std::string::npos) << aof;
  EXPECT_LT(multi, set);
  EXPECT_LT(set, incr);
  EXPECT_LT(incr, exec);
}

TEST_F(CommandBatchTest, QueueingErrorAbortsTheWholeTransaction) {
  Run({{"SET", "a", "1"}}, false);
  log_.written.clear();
  auto out = Run({{"SET", "a", "2"}, {"GET"}, {"BLPOP", "q", "0"}, {"INCR", "a"}}, true);
  EXPECT_TRUE(out.aborted);
  EXPECT_EQ(out.replies[0].rfind("-EXECABORT", 0), 0u) << out.replies[0];
  EXPECT_EQ(out.replies[1].rfind("-ERR wrong number of arguments", 0), 0u) << out.replies[1];
  EXPECT_NE(out.replies[2].find("needs a persistent connection"), std::string::npos);
  EXPECT_EQ(out.replies[3].rfind("-EXECABORT", 0), 0u);
  EXPECT_EQ(Get("a"), "$1\r\n1\r\n");  // nothing ran
  EXPECT_EQ(log_.written, "");
}

TEST_F(CommandBatchTest, ReadOnlyTransactionWritesNoMultiToTheLog) {
  auto out = Run({{"GET", "a"}, {"EXISTS", "a"}}, true);
  EXPECT_FALSE(out.aborted);
  EXPECT_EQ(out.replies[0], "$-1\r\n");
  EXPECT_EQ(out.replies[1], ":0\r\n");
  EXPECT_EQ(log_.written, "");
}

TEST_F(CommandBatchTest, NestedRepliesAreSplitPerCommand) {
  auto out = Run({{"RPUSH", "l", "a", "b"}, {"LRANGE", "l", "0", "-1"}, {"HSET", "h", "f", "v"},
                  {"HGETALL", "h"}},
                 true);
  EXPECT_EQ(out.replies[1], "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(out.replies[3], "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
}

TEST_F(CommandBatchTest, RateLimitedMultiRunsNothing) {
  instance_.config().max_ops_per_sec = 1;
  auto out = Run({{"SET", "a", "1"}, {"SET", "b", "1"}}, true);
  EXPECT_TRUE(out.aborted);
  for (const std::string& r : out.replies) {
    EXPECT_EQ(r[0], '-') << r;
  }
  instance_.config().max_ops_per_sec = 0;
  EXPECT_EQ(Get("a"), "$-1\r\n");
  EXPECT_EQ(Get("b"), "$-1\r\n");
}

}  // namespace
}  // namespace mr::services
