// SORT / SORT_RO: numeric and ALPHA order, BY (patterns, hash fields, nosort), LIMIT, GET, STORE
// and Redis 7.0's errors; expected replies were checked against redis-server 7.0.15.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using Strings = std::vector<std::string>;

class SortFamilyTest : public EngineTest {
 protected:
  void SetUp() override {
    Run({"rpush", "l", "3", "1", "2", "10"});
    Run({"mset", "w_1", "30", "w_2", "20", "w_3", "10", "w_10", "5"});
    Run({"hset", "h_1", "f", "a"});
  }
};

TEST_F(SortFamilyTest, NumericAndAlpha) {
  EXPECT_EQ(Run({"sort", "l"}).Strings(), (Strings{"1", "2", "3", "10"}));
  EXPECT_EQ(Run({"sort", "l", "desc", "limit", "1", "2"}).Strings(), (Strings{"3", "2"}));
  EXPECT_EQ(Run({"sort", "l", "alpha"}).Strings(), (Strings{"1", "10", "2", "3"}));
  EXPECT_EQ(Run({"sort", "l", "limit", "-5", "2"}).Strings(), (Strings{"1", "2"}));
  EXPECT_EQ(Run({"sort", "l", "limit", "1", "-1"}).Strings(), (Strings{"2", "3", "10"}));
  EXPECT_EQ(Run({"sort", "l", "limit", "9", "1"}).size(), 0u);
  EXPECT_EQ(Run({"sort_ro", "l", "desc"}).Strings(), (Strings{"10", "3", "2", "1"}));
  Run({"rpush", "e", "", " 2", "3"});  // strtod: "" is 0, leading spaces are fine
  EXPECT_EQ(Run({"sort", "e"}).Strings(), (Strings{"", " 2", "3"}));
  Run({"rpush", "f", "1.5", "-inf", "1e3", "0x10"});
  EXPECT_EQ(Run({"sort", "f"}).Strings(), (Strings{"-inf", "1.5", "0x10", "1e3"}));
  EXPECT_EQ(Run({"sort", "nokey"}).size(), 0u);
}

TEST_F(SortFamilyTest, ByAndGet) {
  EXPECT_EQ(Run({"sort", "l", "by", "w_*"}).Strings(), (Strings{"10", "3", "2", "1"}));
  EXPECT_EQ(Run({"sort", "l", "by", "w_*", "get", "#", "get", "h_*->f", "get", "missing_*"})
                .Strings(),
            (Strings{"10", "(nil)", "(nil)", "3", "(nil)", "(nil)", "2", "(nil)", "(nil)", "1",
                     "a", "(nil)"}));
  // Missing BY keys score 0 and ties fall back to comparing the elements.
  EXPECT_EQ(Run({"sort", "l", "by", "w_*->f"}).Strings(), (Strings{"1", "10", "2", "3"}));
  Run({"hset", "hw_1", "f", "9"});
  Run({"hset", "hw_2", "f", "1"});
  Run({"hset", "hw_3", "f", "5"});
  Run({"hset", "hw_10", "f", "7"});
  EXPECT_EQ(Run({"sort", "l", "by", "hw_*->f"}).Strings(), (Strings{"2", "3", "10", "1"}));
  EXPECT_EQ(Run({"sort", "l", "by", "w_*", "alpha", "desc"}).Strings(),
            (Strings{"10", "1", "2", "3"}));
  // A pattern without '*' skips sorting: native order, DESC and LIMIT still apply.
  EXPECT_EQ(Run({"sort", "l", "by", "nosort"}).Strings(), (Strings{"3", "1", "2", "10"}));
  EXPECT_EQ(Run({"sort", "l", "by", "nosort", "desc", "limit", "1", "2"}).Strings(),
            (Strings{"2", "1"}));
  EXPECT_EQ(Run({"sort", "l", "by", "nosort", "get", "w_*"}).Strings(),
            (Strings{"10", "30", "20", "5"}));
  EXPECT_EQ(Run({"sort", "l", "by", "nosort", "get", "fixed"}).Strings(),
            (Strings{"(nil)", "(nil)", "(nil)", "(nil)"}));
}

TEST_F(SortFamilyTest, SetsAndSortedSets) {
  Run({"zadd", "z", "3", "a", "1", "b", "2", "c"});
  EXPECT_EQ(Run({"sort", "z", "by", "nosort"}).Strings(), (Strings{"b", "c", "a"}));
  EXPECT_EQ(Run({"sort", "z", "by", "nosort", "desc", "limit", "1", "1"}).Strings(),
            (Strings{"c"}));
  EXPECT_EQ(Run({"sort", "z", "alpha", "desc"}).Strings(), (Strings{"c", "b", "a"}));
  EXPECT_EQ(Run({"object", "encoding", "z"}), "skiplist");  // Redis converts it for SORT
  Run({"sadd", "s", "5", "3", "9"});
  EXPECT_EQ(Run({"sort", "s"}).Strings(), (Strings{"3", "5", "9"}));
  // STORE of an unsorted set result is sorted by bytes so it does not depend on hash order.
  EXPECT_EQ(Run({"sort", "s", "by", "nosort", "store", "d"}), 3);
  EXPECT_EQ(Run({"lrange", "d", "0", "-1"}).Strings(), (Strings{"3", "5", "9"}));
  std::vector<std::string> big{"sadd", "big"};
  for (int i = 0; i < 1000; ++i) {
    big.push_back(std::to_string((i * 7919) % 1000));
  }
  Run(big);
  RespValue r = Run({"sort", "big", "desc", "limit", "0", "3"});
  EXPECT_EQ(r.Strings(), (Strings{"999", "998", "997"}));
}

TEST_F(SortFamilyTest, Store) {
  EXPECT_EQ(Run({"sort", "l", "by", "w_*", "store", "dst"}), 4);
  EXPECT_EQ(Run({"lrange", "dst", "0", "-1"}).Strings(), (Strings{"10", "3", "2", "1"}));
  EXPECT_EQ(Run({"sort", "l", "get", "h_*->f", "store", "dst2"}), 4);
  EXPECT_EQ(Run({"lrange", "dst2", "0", "-1"}).Strings(), (Strings{"a", "", "", ""}));
  Run({"set", "str", "x"});
  Run({"expire", "dst", "100"});
  EXPECT_EQ(Run({"sort", "l", "store", "dst"}), 4);  // replaces the value and its TTL
  EXPECT_EQ(Run({"ttl", "dst"}), -1);
  EXPECT_EQ(Run({"sort", "nokey", "store", "dst"}), 0);  // an empty result deletes
  EXPECT_EQ(Run({"exists", "dst"}), 0);
  EXPECT_EQ(Run({"sort", "l", "store", "l"}), 4);  // the source may be the destination
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}).Strings(), (Strings{"1", "2", "3", "10"}));
}

TEST_F(SortFamilyTest, Errors) {
  Run({"rpush", "bad", "1", "x"});
  const char* kNotDouble = "ERR One or more scores can't be converted into double";
  EXPECT_EQ(Run({"sort", "bad"}), kNotDouble);
  Run({"rpush", "trailing", "3 "});
  EXPECT_EQ(Run({"sort", "trailing"}), kNotDouble);
  EXPECT_EQ(Run({"sort", "bad", "store", "dst"}), kNotDouble);
  EXPECT_EQ(Run({"exists", "dst"}), 0);
  EXPECT_EQ(Run({"sort", "bad", "alpha"}).Strings(), (Strings{"1", "x"}));
  EXPECT_EQ(Run({"sort", "l", "limit", "0"}), "ERR syntax error");
  EXPECT_EQ(Run({"sort", "l", "limit", "a", "1"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"sort", "l", "get"}), "ERR syntax error");
  EXPECT_EQ(Run({"sort", "l", "store"}), "ERR syntax error");
  EXPECT_EQ(Run({"sort_ro", "l", "store", "x"}), "ERR syntax error");
  const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_EQ(Run({"sort", "w_1"}), kWrongType);
  EXPECT_EQ(Run({"sort", "h_1"}), kWrongType);
  EXPECT_EQ(Run({"sort"}), "ERR wrong number of arguments for 'sort' command");
}

}  // namespace
}  // namespace mr::engine
