// Hash commands and the listpack -> hashtable conversion.
#include <map>
#include <set>

#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class HashFamilyTest : public EngineTest {};

TEST_F(HashFamilyTest, Basic) {
  EXPECT_EQ(Run({"hset", "h", "a", "1", "b", "2"}), 2);
  EXPECT_EQ(Run({"hset", "h", "a", "3"}), 0);
  EXPECT_EQ(Run({"hget", "h", "a"}), "3");
  EXPECT_EQ(Run({"hget", "h", "zz"}), "(nil)");
  EXPECT_EQ(Run({"hget", "none", "a"}), "(nil)");
  EXPECT_EQ(Run({"hlen", "h"}), 2);
  EXPECT_EQ(Run({"hstrlen", "h", "b"}), 1);
  EXPECT_EQ(Run({"hexists", "h", "b"}), 1);
  EXPECT_EQ(Run({"hmget", "h", "a", "x", "b"}).Strings(),
            (std::vector<std::string>{"3", "(nil)", "2"}));
  EXPECT_EQ(Run({"hsetnx", "h", "a", "9"}), 0);
  EXPECT_EQ(Run({"hsetnx", "h", "c", "9"}), 1);
  EXPECT_EQ(Run({"hmset", "h", "d", "4"}), "OK");
  EXPECT_EQ(Run({"hset", "h", "a"}), "ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(Run({"hkeys", "h"}).Strings(), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(Run({"hvals", "h"}).Strings(), (std::vector<std::string>{"3", "2", "9", "4"}));
  EXPECT_EQ(Run({"hgetall", "h"}).size(), 8u);
  EXPECT_EQ(Run({"hdel", "h", "a", "b", "zz"}), 2);
  EXPECT_EQ(Run({"hdel", "h", "c", "d"}), 2);
  EXPECT_EQ(Run({"exists", "h"}), 0);
  Run({"set", "s", "x"});
  EXPECT_EQ(Run({"hset", "s", "a", "1"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"hgetall", "s"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(HashFamilyTest, Incr) {
  EXPECT_EQ(Run({"hincrby", "h", "n", "5"}), 5);
  EXPECT_EQ(Run({"hincrby", "h", "n", "-7"}), -2);
  Run({"hset", "h", "s", "abc", "big", "9223372036854775807"});
  EXPECT_EQ(Run({"hincrby", "h", "s", "1"}), "ERR hash value is not an integer");
  EXPECT_EQ(Run({"hincrby", "h", "big", "1"}), "ERR increment or decrement would overflow");
  EXPECT_EQ(Run({"hincrby", "h", "n", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "1.5"}), "1.5");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "0.1"}), "1.6");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "s", "1"}), "ERR hash value is not a float");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "x"}), "ERR value is not a valid float");
}

TEST_F(HashFamilyTest, Encoding) {
  for (int i = 0; i < 128; ++i) {
    Run({"hset", "h", "f" + std::to_string(i), "v"});
  }
  EXPECT_EQ(Run({"object", "encoding", "h"}), "listpack");
  Run({"hset", "h", "f128", "v"});
  EXPECT_EQ(Run({"object", "encoding", "h"}), "hashtable");
  EXPECT_EQ(Run({"hlen", "h"}), 129);
  EXPECT_EQ(Run({"hget", "h", "f77"}), "v");
  Run({"hset", "h2", "f", std::string(64, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "h2"}), "listpack");
  Run({"hset", "h2", "g", std::string(65, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "h2"}), "hashtable");
  EXPECT_EQ(Run({"hget", "h2", "f"}), std::string(64, 'x'));
  EXPECT_EQ(Run({"config", "set", "hash-max-listpack-entries", "2"}), "OK");
  Run({"hset", "h3", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Run({"object", "encoding", "h3"}), "hashtable");
}

TEST_F(HashFamilyTest, RandFieldAndScan) {
  for (int i = 0; i < 300; ++i) {
    Run({"hset", "h", "f" + std::to_string(i), std::to_string(i)});
  }
  EXPECT_EQ(Run({"hrandfield", "h", "5"}).size(), 5u);
  EXPECT_EQ(Run({"hrandfield", "h", "-500"}).size(), 500u);
  EXPECT_EQ(Run({"hrandfield", "h", "3", "withvalues"}).size(), 6u);
  EXPECT_EQ(Run({"hrandfield", "h", "1000"}).size(), 300u);
  EXPECT_EQ(Run({"hrandfield", "none"}), "(nil)");
  EXPECT_EQ(Run({"hrandfield", "h"}).type, RespValue::kBulk);
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    RespValue r = Run({"hscan", "h", cursor, "count", "25"});
    cursor = r[0].str;
    auto v = r[1].Strings();
    for (size_t i = 0; i < v.size(); i += 2) {
      seen.insert(v[i]);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 300u);
  RespValue m = Run({"hscan", "h", "0", "match", "f1?", "count", "1000"});
  EXPECT_EQ(m[1].size(), 20u);
}

TEST_F(HashFamilyTest, HScanPagesBigHashesExactlyOnce) {
  std::vector<std::string> args{"hset", "h"};
  for (int i = 0; i < 2000; ++i) {
    args.push_back("field:" + std::to_string(i));
    args.push_back(std::to_string(i));
  }
  Run(args);
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    RespValue r = Run({"hscan", "h", cursor, "count", "30"});
    cursor = r[0].str;
    std::vector<std::string> v = r[1].Strings();
    for (size_t i = 0; i < v.size(); i += 2) {
      seen[v[i]]++;
      EXPECT_EQ("field:" + v[i + 1], v[i]);
    }
    pages++;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 2000u);
  for (const auto& [f, n] : seen) {
    EXPECT_EQ(n, 1) << f;
  }
  EXPECT_GT(pages, 20);
  Run({"hset", "small", "a", "1"});
  EXPECT_EQ(Run({"hscan", "small", "0", "count", "1"})[0], "0");
}

}  // namespace
}  // namespace mr::engine
