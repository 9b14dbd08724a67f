// Sorted-set commands: ZADD flags, ranges by rank/score/lex, algebra, pops, encodings.
#include <algorithm>
#include <map>

#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

class ZSetFamilyTest : public EngineTest {};

TEST_F(ZSetFamilyTest, AddFlags) {
  EXPECT_EQ(Run({"zadd", "z", "1", "a", "2", "b"}), 2);
  EXPECT_EQ(Run({"zadd", "z", "nx", "5", "a", "3", "c"}), 1);
  EXPECT_EQ(Run({"zscore", "z", "a"}), "1");
  EXPECT_EQ(Run({"zadd", "z", "xx", "ch", "5", "a", "9", "d"}), 1);
  EXPECT_EQ(Run({"zscore", "z", "d"}), "(nil)");
  EXPECT_EQ(Run({"zadd", "z", "gt", "ch", "4", "a"}), 0);
  EXPECT_EQ(Run({"zadd", "z", "lt", "ch", "4", "a"}), 1);
  EXPECT_EQ(Run({"zadd", "z", "incr", "2", "a"}), "6");
  EXPECT_EQ(Run({"zadd", "z", "nx", "incr", "2", "a"}), "(nil)");
  EXPECT_EQ(Run({"zincrby", "z", "1.5", "b"}), "3.5");
  EXPECT_EQ(Run({"zadd", "z", "nx", "xx", "1", "a"}),
            "ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(Run({"zadd", "z", "gt", "lt", "1", "a"}),
            "ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(Run({"zadd", "z", "incr", "1", "a", "2", "b"}),
            "ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(Run({"zadd", "z", "x", "a"}), "ERR value is not a valid float");
  EXPECT_EQ(Run({"zadd", "z", "1"}), "ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(Run({"zadd", "z", "1", "a", "2"}), "ERR syntax error");
  EXPECT_EQ(Run({"zadd", "z", "inf", "i"}), 1);
  EXPECT_EQ(Run({"zincrby", "z", "-inf", "i"}), "ERR resulting score is not a number (NaN)");
  EXPECT_EQ(Run({"zadd", "none", "xx", "1", "a"}), 0);
  EXPECT_EQ(Run({"exists", "none"}), 0);
  EXPECT_EQ(Run({"zcard", "z"}), 4);
  EXPECT_EQ(Run({"zmscore", "z", "a", "zz"}).Strings(), (V{"6", "(nil)"}));
}

TEST_F(ZSetFamilyTest, RanksAndRanges) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(Run({"zrank", "z", "c"}), 2);
  EXPECT_EQ(Run({"zrevrank", "z", "c"}), 2);
  EXPECT_EQ(Run({"zrevrank", "z", "a"}), 4);
  EXPECT_EQ(Run({"zrank", "z", "zz"}), "(nil)");
  EXPECT_EQ(Run({"zrange", "z", "0", "1"}).Strings(), (V{"a", "b"}));
  EXPECT_EQ(Run({"zrange", "z", "-2", "-1", "withscores"}).Strings(), (V{"d", "4", "e", "5"}));
  EXPECT_EQ(Run({"zrange", "z", "0", "1", "rev"}).Strings(), (V{"e", "d"}));
  EXPECT_EQ(Run({"zrevrange", "z", "0", "1"}).Strings(), (V{"e", "d"}));
  EXPECT_EQ(Run({"zrange", "z", "(1", "3", "byscore"}).Strings(), (V{"b", "c"}));
  EXPECT_EQ(Run({"zrange", "z", "3", "(1", "byscore", "rev"}).Strings(), (V{"c", "b"}));
  EXPECT_EQ(Run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "2"}).Strings(),
            (V{"b", "c"}));
  EXPECT_EQ(Run({"zrangebyscore", "z", "2", "4", "withscores", "limit", "1", "1"}).Strings(),
            (V{"c", "3"}));
  EXPECT_EQ(Run({"zrevrangebyscore", "z", "4", "2"}).Strings(), (V{"d", "c", "b"}));
  EXPECT_EQ(Run({"zcount", "z", "(1", "(5"}), 3);
  EXPECT_EQ(Run({"zcount", "z", "x", "5"}), "ERR min or max is not a float");
  EXPECT_EQ(Run({"zrange", "z", "0", "1", "limit", "0", "1"}),
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
  EXPECT_EQ(Run({"zrangestore", "dst", "z", "1", "3", "byscore"}), 3);
  EXPECT_EQ(Run({"zrange", "dst", "0", "-1"}).Strings(), (V{"a", "b", "c"}));
}

TEST_F(ZSetFamilyTest, Lex) {
  Run({"zadd", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"});
  EXPECT_EQ(Run({"zrangebylex", "z", "-", "[c"}).Strings(), (V{"a", "b", "c"}));
  EXPECT_EQ(Run({"zrangebylex", "z", "(a", "(d"}).Strings(), (V{"b", "c"}));
  EXPECT_EQ(Run({"zrevrangebylex", "z", "+", "(c"}).Strings(), (V{"e", "d"}));
  EXPECT_EQ(Run({"zrange", "z", "[b", "+", "bylex", "limit", "1", "2"}).Strings(), (V{"c", "d"}));
  EXPECT_EQ(Run({"zlexcount", "z", "[b", "[d"}), 3);
  EXPECT_EQ(Run({"zrangebylex", "z", "a", "[c"}), "ERR min or max not valid string range item");
  EXPECT_EQ(Run({"zremrangebylex", "z", "[a", "[b"}), 2);
  EXPECT_EQ(Run({"zcard", "z"}), 3);
}

TEST_F(ZSetFamilyTest, RemRange) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(Run({"zremrangebyrank", "z", "0", "1"}), 2);
  EXPECT_EQ(Run({"zremrangebyscore", "z", "(3", "5"}), 2);
  EXPECT_EQ(Run({"zrange", "z", "0", "-1"}).Strings(), (V{"c"}));
  EXPECT_EQ(Run({"zrem", "z", "c", "x"}), 1);
  EXPECT_EQ(Run({"exists", "z"}), 0);
}

TEST_F(ZSetFamilyTest, Algebra) {
  Run({"zadd", "a", "1", "x", "2", "y"});
  Run({"zadd", "b", "10", "y", "20", "z"});
  Run({"sadd", "s", "x"});
  EXPECT_EQ(Run({"zunion", "2", "a", "b", "withscores"}).Strings(),
            (V{"x", "1", "y", "12", "z", "20"}));
  EXPECT_EQ(Run({"zinter", "2", "a", "b", "withscores"}).Strings(), (V{"y", "12"}));
  EXPECT_EQ(Run({"zinter", "2", "a", "b", "aggregate", "max", "withscores"}).Strings(),
            (V{"y", "10"}));
  EXPECT_EQ(Run({"zunion", "2", "a", "b", "weights", "2", "1", "withscores"}).Strings(),
            (V{"x", "2", "y", "14", "z", "20"}));
  EXPECT_EQ(Run({"zdiff", "2", "a", "b"}).Strings(), (V{"x"}));
  EXPECT_EQ(Run({"zinter", "2", "a", "s"}).Strings(), (V{"x"}));
  EXPECT_EQ(Run({"zunionstore", "d", "2", "a", "b"}), 3);
  EXPECT_EQ(Run({"zinterstore", "d", "2", "a", "b"}), 1);
  EXPECT_EQ(Run({"zdiffstore", "d", "2", "a", "a"}), 0);
  EXPECT_EQ(Run({"exists", "d"}), 0);
  EXPECT_EQ(Run({"zintercard", "2", "a", "b"}), 1);
  EXPECT_EQ(Run({"zunionstore", "d", "0", "a"}),
            "ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(Run({"zunion", "3", "a", "b"}), "ERR syntax error");
  EXPECT_EQ(Run({"zunion", "2", "a", "b", "weights", "1", "x"}), "ERR weight value is not a float");
}

TEST_F(ZSetFamilyTest, Pops) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(Run({"zpopmin", "z"}).Strings(), (V{"a", "1"}));
  EXPECT_EQ(Run({"zpopmax", "z", "5"}).Strings(), (V{"c", "3", "b", "2"}));
  EXPECT_EQ(Run({"exists", "z"}), 0);
  EXPECT_EQ(Run({"zpopmin", "z"}).size(), 0u);
  Run({"zadd", "z", "1", "a", "2", "b"});
  RespValue r = Run({"zmpop", "1", "z", "max", "count", "1"});
  EXPECT_EQ(r[0], "z");
  EXPECT_EQ(r[1][0].Strings(), (V{"b", "2"}));
  EXPECT_EQ(Run({"bzpopmin", "z", "0"}).Strings(), (V{"z", "a", "1"}));
}

TEST_F(ZSetFamilyTest, EncodingConversion) {
  for (int i = 0; i < 128; ++i) {
    Run({"zadd", "z", std::to_string(i), "m" + std::to_string(i)});
  }
  EXPECT_EQ(Run({"object", "encoding", "z"}), "listpack");
  Run({"zadd", "z", "1000", "last"});
  EXPECT_EQ(Run({"object", "encoding", "z"}), "skiplist");
  EXPECT_EQ(Run({"zcard", "z"}), 129);
  EXPECT_EQ(Run({"zrank", "z", "m50"}), 50);
  EXPECT_EQ(Run({"zrange", "z", "126", "-1"}).Strings(), (V{"m126", "m127", "last"}));
  EXPECT_EQ(Run({"zrangebyscore", "z", "(10", "12"}).Strings(), (V{"m11", "m12"}));
  Run({"zadd", "y", "1", std::string(65, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "y"}), "skiplist");
  for (int i = 0; i < 100; ++i) {
    Run({"zrem", "z", "m" + std::to_string(i)});
  }
  EXPECT_EQ(Run({"zrange", "z", "0", "1", "withscores"}).Strings(), (V{"m100", "100", "m101", "101"}));
  EXPECT_EQ(Run({"zrevrank", "z", "last"}), 0);
}

TEST_F(ZSetFamilyTest, SkiplistMatchesReference) {
  std::map<std::string, double> ref;
  for (int i = 0; i < 2000; ++i) {
    int m = static_cast<int>(inst_.NextRandom() % 500);
    double s = static_cast<double>(inst_.NextRandom() % 100);
    std::string mem = "m" + std::to_string(m);
    if (inst_.NextRandom() % 4 == 0) {
      Run({"zrem", "z", mem});
      ref.erase(mem);
    } else {
      Run({"zadd", "z", std::to_string(s), mem});
      ref[mem] = s;
    }
  }
  std::vector<std::pair<double, std::string>> sorted;
  for (auto& [m, s] : ref) {
    sorted.emplace_back(s, m);
  }
  std::sort(sorted.begin(), sorted.end());
  V expect;
  for (auto& [s, m] : sorted) {
    expect.push_back(m);
  }
  EXPECT_EQ(Run({"zrange", "z", "0", "-1"}).Strings(), expect);
  EXPECT_EQ(Run({"zrank", "z", sorted[100].second}), 100);
}

}  // namespace
}  // namespace mr::engine

namespace mr::engine {
namespace {

class ZSetBlockingTest : public EngineTest {};

// Regression: BZPOPMIN must be served when ZADD creates the key (it was only served by lists).
TEST_F(ZSetBlockingTest, BzpopminServedByZaddAndByZunionstore) {
  FakeSink sink;
  Session other;
  other.id = 2;
  other.sink = &sink;
  RunOn(other, {"bzpopmin", "zq", "0"});
  EXPECT_TRUE(other.blocked);
  EXPECT_EQ(Run({"zadd", "zq", "3", "x", "1", "y"}), 2);
  EXPECT_FALSE(other.blocked);
  EXPECT_EQ(sink.got, "*3\r\n$2\r\nzq\r\n$1\r\ny\r\n$1\r\n1\r\n");
  sink.got.clear();
  RunOn(other, {"bzpopmax", "dst", "0"});
  EXPECT_TRUE(other.blocked);
  Run({"zunionstore", "dst", "1", "zq"});
  EXPECT_FALSE(other.blocked);
  EXPECT_EQ(sink.got, "*3\r\n$3\r\ndst\r\n$1\r\nx\r\n$1\r\n3\r\n");
}

// Big (skiplist) sorted sets page by COUNT with a cursor and return each member exactly once;
// small (listpack) ones answer in one page with cursor 0, like Redis.
TEST_F(ZSetFamilyTest, ZScanPagesBigSets) {
  std::vector<std::string> args{"zadd", "z"};
  for (int i = 0; i < 1000; ++i) {
    args.push_back(std::to_string(i) + ".5");
    args.push_back("m" + std::to_string(i));
  }
  Run(args);
  EXPECT_EQ(Run({"object", "encoding", "z"}), "skiplist");
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    RespValue r = Run({"zscan", "z", cursor, "count", "20"});
    cursor = r[0].str;
    std::vector<std::string> v = r[1].Strings();
    EXPECT_LT(v.size(), 200u);
    for (size_t i = 0; i < v.size(); i += 2) {
      seen[v[i]]++;
      EXPECT_EQ(v[i + 1], v[i].substr(1) + ".5");
    }
    pages++;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 1000u);
  for (const auto& [m, n] : seen) {
    EXPECT_EQ(n, 1) << m;
  }
  EXPECT_GT(pages, 10);
  size_t matched = 0;
  cursor = "0";
  do {
    RespValue r = Run({"zscan", "z", cursor, "match", "m1?", "count", "50"});
    cursor = r[0].str;
    matched += r[1].size() / 2;
  } while (cursor != "0");
  EXPECT_EQ(matched, 10u);
  Run({"zadd", "small", "1", "a", "2", "b"});
  RespValue r = Run({"zscan", "small", "0", "count", "1"});
  EXPECT_EQ(r[0], "0");
  EXPECT_EQ(r[1].Strings(), (std::vector<std::string>{"a", "1", "b", "2"}));
  EXPECT_EQ(Run({"zscan", "nokey", "0"})[1].size(), 0u);
}

}  // namespace
}  // namespace mr::engine
