// List commands, encoding conversion and blocking pops served through a fake SessionSink.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

class ListFamilyTest : public EngineTest {};

TEST_F(ListFamilyTest, PushPop) {
  EXPECT_EQ(Run({"rpush", "l", "a", "b", "c"}), 3);
  EXPECT_EQ(Run({"lpush", "l", "z"}), 4);
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}).Strings(), (V{"z", "a", "b", "c"}));
  EXPECT_EQ(Run({"llen", "l"}), 4);
  EXPECT_EQ(Run({"lpop", "l"}), "z");
  EXPECT_EQ(Run({"rpop", "l"}), "c");
  EXPECT_EQ(Run({"lpop", "l", "5"}).Strings(), (V{"a", "b"}));
  EXPECT_EQ(Run({"exists", "l"}), 0);
  EXPECT_EQ(Run({"lpop", "l"}), "(nil)");
  EXPECT_EQ(Run({"lpop", "l", "2"}).type, RespValue::kNil);
  EXPECT_EQ(Run({"lpushx", "l", "a"}), 0);
  EXPECT_EQ(Run({"lpop", "l", "-1"}), "ERR value is out of range, must be positive");
  Run({"set", "s", "v"});
  EXPECT_EQ(Run({"lpush", "s", "a"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"object", "encoding", "x"}), "(nil)");
  Run({"rpush", "x", "1"});
  EXPECT_EQ(Run({"object", "encoding", "x"}), "quicklist");
}

TEST_F(ListFamilyTest, IndexSetRangeTrim) {
  Run({"rpush", "l", "a", "b", "c", "d", "e"});
  EXPECT_EQ(Run({"lindex", "l", "0"}), "a");
  EXPECT_EQ(Run({"lindex", "l", "-1"}), "e");
  EXPECT_EQ(Run({"lindex", "l", "10"}), "(nil)");
  EXPECT_EQ(Run({"lset", "l", "1", "B"}), "OK");
  EXPECT_EQ(Run({"lset", "l", "10", "B"}), "ERR index out of range");
  EXPECT_EQ(Run({"lset", "none", "0", "B"}), "ERR no such key");
  EXPECT_EQ(Run({"lrange", "l", "-3", "-2"}).Strings(), (V{"c", "d"}));
  EXPECT_EQ(Run({"lrange", "l", "3", "1"}).Strings(), V{});
  EXPECT_EQ(Run({"ltrim", "l", "1", "-2"}), "OK");
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}).Strings(), (V{"B", "c", "d"}));
  EXPECT_EQ(Run({"ltrim", "l", "5", "10"}), "OK");
  EXPECT_EQ(Run({"exists", "l"}), 0);
}

TEST_F(ListFamilyTest, RemInsertPos) {
  Run({"rpush", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(Run({"lrem", "l", "-2", "a"}), 2);
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}).Strings(), (V{"a", "b", "c"}));
  EXPECT_EQ(Run({"linsert", "l", "before", "b", "X"}), 4);
  EXPECT_EQ(Run({"linsert", "l", "after", "c", "Y"}), 5);
  EXPECT_EQ(Run({"linsert", "l", "after", "zz", "Y"}), -1);
  EXPECT_EQ(Run({"linsert", "l", "middle", "c", "Y"}), "ERR syntax error");
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}).Strings(), (V{"a", "X", "b", "c", "Y"}));
  Run({"rpush", "p", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(Run({"lpos", "p", "c"}), 2);
  EXPECT_EQ(Run({"lpos", "p", "c", "rank", "2"}), 6);
  EXPECT_EQ(Run({"lpos", "p", "c", "rank", "-1"}), 7);
  EXPECT_EQ(Run({"lpos", "p", "c", "count", "0"}).Strings(), (V{"2", "6", "7"}));
  EXPECT_EQ(Run({"lpos", "p", "c", "count", "2", "rank", "-1"}).Strings(), (V{"7", "6"}));
  EXPECT_EQ(Run({"lpos", "p", "c", "maxlen", "2"}), "(nil)");
  EXPECT_EQ(Run({"lpos", "p", "x"}), "(nil)");
  EXPECT_TRUE(Run({"lpos", "p", "c", "rank", "0"}).is_error());
  EXPECT_EQ(Run({"lpos", "p", "c", "count", "-1"}), "ERR COUNT can't be negative");
}

TEST_F(ListFamilyTest, MoveAndMPop) {
  Run({"rpush", "a", "1", "2", "3"});
  EXPECT_EQ(Run({"lmove", "a", "b", "left", "right"}), "1");
  EXPECT_EQ(Run({"rpoplpush", "a", "b"}), "3");
  EXPECT_EQ(Run({"lrange", "b", "0", "-1"}).Strings(), (V{"3", "1"}));
  EXPECT_EQ(Run({"lmove", "none", "b", "left", "right"}), "(nil)");
  EXPECT_EQ(Run({"lmove", "a", "b", "up", "right"}), "ERR syntax error");
  RespValue r = Run({"lmpop", "2", "none", "b", "right", "count", "5"});
  EXPECT_EQ(r[0], "b");
  EXPECT_EQ(r[1].Strings(), (V{"1", "3"}));
  EXPECT_EQ(Run({"lmpop", "1", "b", "left"}).type, RespValue::kNil);
  EXPECT_EQ(Run({"lmpop", "0", "b", "left"}), "ERR numkeys should be greater than 0");
}

TEST_F(ListFamilyTest, Encoding) {
  for (int i = 0; i < 200; ++i) {
    Run({"rpush", "l", std::to_string(i)});
  }
  EXPECT_EQ(Run({"llen", "l"}), 200);
  EXPECT_EQ(Run({"lindex", "l", "150"}), "150");
  EXPECT_EQ(Run({"lrange", "l", "197", "-1"}).Strings(), (V{"197", "198", "199"}));
  Run({"rpush", "big", std::string(100, 'x')});
  EXPECT_EQ(Run({"lindex", "big", "0"}), std::string(100, 'x'));
}

TEST_F(ListFamilyTest, BlockingPopServedByPush) {
  FakeSink sink;
  Session other;
  other.id = 2;
  other.sink = &sink;
  RespValue r = RunOn(other, {"blpop", "q1", "q2", "0"});
  EXPECT_TRUE(last_raw_.empty());
  EXPECT_TRUE(other.blocked);
  EXPECT_EQ(inst_.stats().blocked_clients, 1u);
  EXPECT_EQ(Run({"rpush", "q2", "hello", "world"}), 2);
  EXPECT_FALSE(other.blocked);
  EXPECT_EQ(sink.got, "*2\r\n$2\r\nq2\r\n$5\r\nhello\r\n");
  EXPECT_EQ(sink.wakes, 1);
  EXPECT_EQ(Run({"lrange", "q2", "0", "-1"}).Strings(), (V{"world"}));
}

TEST_F(ListFamilyTest, BlockingTimeoutAndImmediate) {
  FakeSink sink;
  Session other;
  other.sink = &sink;
  Run({"rpush", "q", "x"});
  EXPECT_EQ(RunOn(other, {"brpop", "q", "1"}).Strings(), (V{"q", "x"}));
  RunOn(other, {"brpop", "q", "1.5"});
  EXPECT_TRUE(other.blocked);
  AdvanceMs(1000);
  RunActiveExpiry(inst_);
  EXPECT_TRUE(other.blocked);
  AdvanceMs(600);
  RunActiveExpiry(inst_);
  EXPECT_FALSE(other.blocked);
  EXPECT_EQ(sink.got, "*-1\r\n");
  EXPECT_EQ(Run({"blpop", "q", "-1"}), "ERR timeout is negative");
  EXPECT_EQ(Run({"blpop", "q", "abc"}), "ERR timeout is not a float or out of range");
}

TEST_F(ListFamilyTest, BlMoveServed) {
  FakeSink sink;
  Session other;
  other.sink = &sink;
  RunOn(other, {"blmove", "src", "dst", "left", "left", "0"});
  EXPECT_TRUE(other.blocked);
  Run({"lpush", "src", "v"});
  EXPECT_EQ(sink.got, "$1\r\nv\r\n");
  EXPECT_EQ(Run({"lrange", "dst", "0", "-1"}).Strings(), (V{"v"}));
  CloseSession(inst_, other);
}

}  // namespace
}  // namespace mr::engine
