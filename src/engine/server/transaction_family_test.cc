// MULTI/EXEC/DISCARD/WATCH semantics, including WATCH invalidation by expiry and FLUSHALL.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

class TransactionFamilyTest : public EngineTest {};

TEST_F(TransactionFamilyTest, MultiExec) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"set", "a", "1"}), "QUEUED");
  EXPECT_EQ(Run({"incr", "a"}), "QUEUED");
  EXPECT_EQ(Run({"lpush", "a", "x"}), "QUEUED");
  EXPECT_EQ(Run({"multi"}), "ERR MULTI calls can not be nested");
  RespValue r = Run({"exec"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], "OK");
  EXPECT_EQ(r[1], 2);
  EXPECT_EQ(r[2], "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"exec"}), "ERR EXEC without MULTI");
  EXPECT_EQ(Run({"discard"}), "ERR DISCARD without MULTI");
}

TEST_F(TransactionFamilyTest, ExecAbortAndDiscard) {
  Run({"multi"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"nosuchcmd"}), "ERR unknown command 'nosuchcmd', with args beginning with: ");
  EXPECT_EQ(Run({"exec"}), "EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(Run({"exists", "a"}), 0);
  Run({"multi"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"discard"}), "OK");
  EXPECT_EQ(Run({"exists", "a"}), 0);
}

TEST_F(TransactionFamilyTest, SortReadsWithoutBreakingAWatchButStoreDoes) {
  Session other;
  Run({"rpush", "src", "3", "1", "2"});
  Run({"watch", "src", "dst"});
  RunOn(other, {"sort", "src"});  // reads only, as in Redis
  Run({"multi"});
  Run({"set", "x", "1"});
  EXPECT_EQ(Run({"exec"}).size(), 1u);
  Run({"watch", "dst"});
  RunOn(other, {"sort", "src", "store", "dst"});
  Run({"multi"});
  Run({"set", "x", "2"});
  EXPECT_EQ(Run({"exec"}).type, RespValue::kNil);
}

TEST_F(TransactionFamilyTest, Watch) {
  Session other;
  Run({"set", "k", "1"});
  EXPECT_EQ(Run({"watch", "k"}), "OK");
  RunOn(other, {"set", "k", "2"});
  Run({"multi"});
  Run({"set", "k", "3"});
  EXPECT_EQ(Run({"exec"}).type, RespValue::kNil);
  EXPECT_EQ(Run({"get", "k"}), "2");
  Run({"watch", "k"});
  RunOn(other, {"get", "k"});
  Run({"multi"});
  Run({"set", "k", "3"});
  EXPECT_EQ(Run({"exec"}).size(), 1u);
  EXPECT_EQ(Run({"get", "k"}), "3");
  Run({"watch", "k"});
  Run({"unwatch"});
  RunOn(other, {"set", "k", "4"});
  Run({"multi"});
  EXPECT_EQ(Run({"watch", "x"}), "ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(Run({"exec"}).size(), 0u);
  Run({"set", "t", "1", "px", "100"});
  Run({"watch", "t"});
  AdvanceMs(200);
  RunOn(other, {"get", "t"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}).type, RespValue::kNil);
  Run({"watch", "k"});
  RunOn(other, {"flushall"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}).type, RespValue::kNil);
}

}  // namespace
}  // namespace mr::engine
