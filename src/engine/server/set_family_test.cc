// Set commands, intset -> hashtable conversion and set algebra.
#include <algorithm>
#include <map>
#include <set>

#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class SetFamilyTest : public EngineTest {
 protected:
  std::vector<std::string> Sorted(const RespValue& v) {
    auto s = v.Strings();
    std::sort(s.begin(), s.end());
    return s;
  }
};

using V = std::vector<std::string>;

TEST_F(SetFamilyTest, Basic) {
  EXPECT_EQ(Run({"sadd", "s", "1", "2", "3", "2"}), 3);
  EXPECT_EQ(Run({"object", "encoding", "s"}), "intset");
  EXPECT_EQ(Run({"scard", "s"}), 3);
  EXPECT_EQ(Run({"sismember", "s", "2"}), 1);
  EXPECT_EQ(Run({"sismember", "s", "9"}), 0);
  EXPECT_EQ(Run({"smismember", "s", "1", "9"}).Strings(), (V{"1", "0"}));
  EXPECT_EQ(Sorted(Run({"smembers", "s"})), (V{"1", "2", "3"}));
  EXPECT_EQ(Run({"sadd", "s", "a"}), 1);
  EXPECT_EQ(Run({"object", "encoding", "s"}), "hashtable");
  EXPECT_EQ(Run({"srem", "s", "1", "a", "x"}), 2);
  EXPECT_EQ(Sorted(Run({"smembers", "s"})), (V{"2", "3"}));
  EXPECT_EQ(Run({"smove", "s", "t", "2"}), 1);
  EXPECT_EQ(Run({"smove", "s", "t", "9"}), 0);
  EXPECT_EQ(Sorted(Run({"smembers", "t"})), (V{"2"}));
  EXPECT_EQ(Run({"spop", "s"}), "3");
  EXPECT_EQ(Run({"exists", "s"}), 0);
  EXPECT_EQ(Run({"spop", "s"}), "(nil)");
  EXPECT_EQ(Run({"spop", "t", "-1"}), "ERR value is out of range, must be positive");
  Run({"set", "str", "x"});
  EXPECT_EQ(Run({"sadd", "str", "a"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(SetFamilyTest, IntsetLimit) {
  for (int i = 0; i < 512; ++i) {
    Run({"sadd", "s", std::to_string(i)});
  }
  EXPECT_EQ(Run({"object", "encoding", "s"}), "intset");
  Run({"sadd", "s", "512"});
  EXPECT_EQ(Run({"object", "encoding", "s"}), "hashtable");
  EXPECT_EQ(Run({"scard", "s"}), 513);
  EXPECT_EQ(Run({"sismember", "s", "100"}), 1);
}

TEST_F(SetFamilyTest, Algebra) {
  Run({"sadd", "a", "1", "2", "3", "x"});
  Run({"sadd", "b", "2", "3", "4"});
  Run({"sadd", "c", "3", "5"});
  EXPECT_EQ(Sorted(Run({"sinter", "a", "b"})), (V{"2", "3"}));
  EXPECT_EQ(Sorted(Run({"sinter", "a", "b", "c"})), (V{"3"}));
  EXPECT_EQ(Sorted(Run({"sinter", "a", "none"})), V{});
  EXPECT_EQ(Sorted(Run({"sunion", "a", "c"})), (V{"1", "2", "3", "5", "x"}));
  EXPECT_EQ(Sorted(Run({"sdiff", "a", "b"})), (V{"1", "x"}));
  EXPECT_EQ(Run({"sinterstore", "d", "a", "b"}), 2);
  EXPECT_EQ(Sorted(Run({"smembers", "d"})), (V{"2", "3"}));
  EXPECT_EQ(Run({"sunionstore", "d", "b", "c"}), 4);
  EXPECT_EQ(Run({"sdiffstore", "d", "c", "c"}), 0);
  EXPECT_EQ(Run({"exists", "d"}), 0);
  EXPECT_EQ(Run({"sintercard", "2", "a", "b"}), 2);
  EXPECT_EQ(Run({"sintercard", "2", "a", "b", "limit", "1"}), 1);
  EXPECT_EQ(Run({"sintercard", "0", "a"}), "ERR numkeys should be greater than 0");
  EXPECT_EQ(Run({"sintercard", "3", "a", "b"}),
            "ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(Run({"sintercard", "1", "a", "limit", "-1"}), "ERR LIMIT can't be negative");
  Run({"set", "str", "v"});
  EXPECT_TRUE(Run({"sunion", "a", "str"}).is_error());
}

TEST_F(SetFamilyTest, RandomAndScan) {
  for (int i = 0; i < 100; ++i) {
    Run({"sadd", "s", "m" + std::to_string(i)});
  }
  EXPECT_EQ(Run({"srandmember", "s", "10"}).size(), 10u);
  EXPECT_EQ(Run({"srandmember", "s", "-200"}).size(), 200u);
  EXPECT_EQ(Run({"srandmember", "s", "500"}).size(), 100u);
  EXPECT_EQ(Run({"spop", "s", "10"}).size(), 10u);
  EXPECT_EQ(Run({"scard", "s"}), 90);
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    RespValue r = Run({"sscan", "s", cursor});
    cursor = r[0].str;
    for (auto& m : r[1].Strings()) {
      seen.insert(m);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 90u);
}

TEST_F(SetFamilyTest, SScanPagesBigSetsExactlyOnce) {
  std::vector<std::string> args{"sadd", "s"};
  for (int i = 0; i < 2000; ++i) {
    args.push_back("member:" + std::to_string(i));
  }
  Run(args);
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    RespValue r = Run({"sscan", "s", cursor, "count", "30"});
    cursor = r[0].str;
    for (const std::string& m : r[1].Strings()) {
      seen[m]++;
    }
    pages++;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 2000u);
  for (const auto& [m, n] : seen) {
    EXPECT_EQ(n, 1) << m;
  }
  EXPECT_GT(pages, 20);
  size_t matched = 0;
  cursor = "0";
  do {
    RespValue r = Run({"sscan", "s", cursor, "match", "member:1??", "count", "100"});
    cursor = r[0].str;
    matched += r[1].size();
  } while (cursor != "0");
  EXPECT_EQ(matched, 100u);
  Run({"sadd", "ints", "3", "1", "2"});  // intset: one page, cursor 0
  RespValue r = Run({"sscan", "ints", "0", "count", "1"});
  EXPECT_EQ(r[0], "0");
  EXPECT_EQ(r[1].size(), 3u);
}

}  // namespace
}  // namespace mr::engine
