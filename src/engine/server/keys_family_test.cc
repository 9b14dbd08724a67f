// Keyspace commands: DEL/EXISTS/TYPE, TTL behaviour with a pinned clock, RENAME/COPY/MOVE,
// KEYS/SCAN (cursor stability across rehash), OBJECT, memory accounting, glob matching.
#include <set>

#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class KeysFamilyTest : public EngineTest {};

TEST_F(KeysFamilyTest, DelExistsType) {
  EXPECT_EQ(Run({"set", "a", "1"}), "OK");
  EXPECT_EQ(Run({"set", "b", "2"}), "OK");
  EXPECT_EQ(Run({"exists", "a", "b", "c", "a"}), 3);
  EXPECT_EQ(Run({"type", "a"}), "string");
  EXPECT_EQ(Run({"type", "zz"}), "none");
  EXPECT_EQ(Run({"del", "a", "c"}), 1);
  EXPECT_EQ(Run({"unlink", "b"}), 1);
  EXPECT_EQ(Run({"exists", "a", "b"}), 0);
  EXPECT_EQ(Run({"dbsize"}), 0);
}

TEST_F(KeysFamilyTest, ArityAndUnknown) {
  EXPECT_EQ(Run({"get"}), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(Run({"FOO", "a", "b"}),
            "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(Run({"GeT", "nokey"}), "(nil)");
}

TEST_F(KeysFamilyTest, ExpireAndTtl) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"ttl", "k"}), -1);
  EXPECT_EQ(Run({"ttl", "nokey"}), -2);
  EXPECT_EQ(Run({"expire", "k", "10"}), 1);
  EXPECT_EQ(Run({"ttl", "k"}), 10);
  EXPECT_EQ(Run({"pttl", "k"}), 10000);
  EXPECT_EQ(Run({"expiretime", "k"}), kStartMs / 1000 + 10);
  EXPECT_EQ(Run({"pexpiretime", "k"}), kStartMs + 10000);
  AdvanceMs(9999);
  EXPECT_EQ(Run({"get", "k"}), "v");
  AdvanceMs(1);
  EXPECT_EQ(Run({"pttl", "k"}), 0);
  AdvanceMs(1);
  EXPECT_EQ(Run({"get", "k"}), "(nil)");
  EXPECT_EQ(Run({"exists", "k"}), 0);
  EXPECT_EQ(inst_.stats().expired_keys, 1u);
}

TEST_F(KeysFamilyTest, ExpireFlags) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"expire", "k", "100", "xx"}), 0);
  EXPECT_EQ(Run({"expire", "k", "100", "gt"}), 0);
  EXPECT_EQ(Run({"expire", "k", "100", "lt"}), 1);
  EXPECT_EQ(Run({"expire", "k", "50", "nx"}), 0);
  EXPECT_EQ(Run({"expire", "k", "200", "gt"}), 1);
  EXPECT_EQ(Run({"expire", "k", "150", "gt"}), 0);
  EXPECT_EQ(Run({"expire", "k", "150", "lt"}), 1);
  EXPECT_EQ(Run({"ttl", "k"}), 150);
  EXPECT_EQ(Run({"expire", "k", "1", "nx", "xx"}),
            "ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(Run({"expire", "k", "1", "gt", "lt"}),
            "ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(Run({"expire", "k", "1", "foo"}), "ERR Unsupported option foo");
  EXPECT_EQ(Run({"expire", "k", "abc"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"expire", "k", "9223372036854775807"}),
            "ERR invalid expire time in 'expire' command");
  EXPECT_EQ(Run({"persist", "k"}), 1);
  EXPECT_EQ(Run({"persist", "k"}), 0);
  EXPECT_EQ(Run({"ttl", "k"}), -1);
  EXPECT_EQ(Run({"expire", "k", "-1"}), 1);
  EXPECT_EQ(Run({"exists", "k"}), 0);
}

TEST_F(KeysFamilyTest, ExpireAtVariants) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"pexpireat", "k", std::to_string(kStartMs + 1500)}), 1);
  EXPECT_EQ(Run({"pttl", "k"}), 1500);
  EXPECT_EQ(Run({"expireat", "k", std::to_string(kStartMs / 1000 + 3)}), 1);
  EXPECT_EQ(Run({"ttl", "k"}), 3);
  EXPECT_EQ(Run({"pexpire", "k", "250"}), 1);
  EXPECT_EQ(Run({"pttl", "k"}), 250);
  EXPECT_EQ(Run({"expireat", "k", "1"}), 1);
  EXPECT_EQ(Run({"exists", "k"}), 0);
}

TEST_F(KeysFamilyTest, ActiveExpiryRemovesKeys) {
  for (int i = 0; i < 1000; ++i) {
    Run({"set", "k" + std::to_string(i), "v", "px", "100"});
  }
  Run({"set", "keep", "v"});
  AdvanceMs(200);
  for (int i = 0; i < 200 && inst_.stats().dbs[0].keys > 1; ++i) {
    RunActiveExpiry(inst_, std::chrono::microseconds(1000));
  }
  EXPECT_EQ(Run({"dbsize"}), 1);
  EXPECT_EQ(inst_.stats().expired_keys, 1000u);
}

TEST_F(KeysFamilyTest, RenameKeepsTtl) {
  Run({"set", "a", "1", "ex", "100"});
  EXPECT_EQ(Run({"rename", "a", "b"}), "OK");
  EXPECT_EQ(Run({"get", "b"}), "1");
  EXPECT_EQ(Run({"ttl", "b"}), 100);
  EXPECT_EQ(Run({"exists", "a"}), 0);
  EXPECT_EQ(Run({"rename", "nokey", "x"}), "ERR no such key");
  Run({"set", "c", "3"});
  EXPECT_EQ(Run({"renamenx", "b", "c"}), 0);
  EXPECT_EQ(Run({"renamenx", "b", "d"}), 1);
  EXPECT_EQ(Run({"rename", "d", "d"}), "OK");
  EXPECT_EQ(Run({"rename", "d", "c"}), "OK");
  EXPECT_EQ(Run({"get", "c"}), "1");
  EXPECT_EQ(Run({"dbsize"}), 1);
}

TEST_F(KeysFamilyTest, CopyAndMove) {
  Run({"set", "a", "hello", "ex", "50"});
  EXPECT_EQ(Run({"copy", "a", "b"}), 1);
  EXPECT_EQ(Run({"get", "b"}), "hello");
  EXPECT_EQ(Run({"ttl", "b"}), 50);
  EXPECT_EQ(Run({"copy", "a", "b"}), 0);
  EXPECT_EQ(Run({"copy", "a", "b", "replace"}), 1);
  EXPECT_EQ(Run({"copy", "a", "a"}), "ERR source and destination objects are the same");
  EXPECT_EQ(Run({"copy", "a", "x", "db", "16"}), "ERR DB index is out of range");
  EXPECT_EQ(Run({"copy", "a", "a", "db", "3"}), 1);
  EXPECT_EQ(Run({"move", "b", "3"}), 1);
  EXPECT_EQ(Run({"move", "a", "3"}), 0);
  EXPECT_EQ(Run({"select", "3"}), "OK");
  EXPECT_EQ(Run({"dbsize"}), 2);
  EXPECT_EQ(Run({"get", "b"}), "hello");
  EXPECT_EQ(Run({"select", "16"}), "ERR DB index is out of range");
}

TEST_F(KeysFamilyTest, KeysAndGlob) {
  for (std::string k : {"hello", "hallo", "hxllo", "hllo", "heeeello", "h[llo", "foo"}) {
    Run({"set", k, "1"});
  }
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(Run({"keys", "h?llo"}).Strings()),
            (std::vector<std::string>{"h[llo", "hallo", "hello", "hxllo"}));
  EXPECT_EQ(sorted(Run({"keys", "h*llo"}).Strings()),
            (std::vector<std::string>{"h[llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(sorted(Run({"keys", "h[ae]llo"}).Strings()),
            (std::vector<std::string>{"hallo", "hello"}));
  EXPECT_EQ(sorted(Run({"keys", "h[^e]llo"}).Strings()),
            (std::vector<std::string>{"h[llo", "hallo", "hxllo"}));
  EXPECT_EQ(sorted(Run({"keys", "h[a-b]llo"}).Strings()), (std::vector<std::string>{"hallo"}));
  EXPECT_EQ(sorted(Run({"keys", "h\\[llo"}).Strings()), (std::vector<std::string>{"h[llo"}));
  EXPECT_EQ(Run({"keys", "*"}).size(), 7u);
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
}

TEST_F(KeysFamilyTest, ScanVisitsEveryKeyOnceAcrossRehash) {
  for (int i = 0; i < 500; ++i) {
    Run({"set", "key:" + std::to_string(i), "v"});
  }
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int added = 500;
  do {
    RespValue r = Run({"scan", cursor, "count", "20"});
    cursor = r[0].str;
    for (const std::string& k : r[1].Strings()) {
      seen.insert(k);
    }
    for (int j = 0; j < 30; ++j) {  // grow the table while iterating
      Run({"set", "extra:" + std::to_string(added++), "v"});
    }
  } while (cursor != "0");
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(seen.count("key:" + std::to_string(i)), 1u) << i;
  }
}

TEST_F(KeysFamilyTest, ScanOptions) {
  for (int i = 0; i < 50; ++i) {
    Run({"set", "s" + std::to_string(i), "v"});
    Run({"hset", "h" + std::to_string(i), "f", "v"});
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    RespValue r = Run({"scan", cursor, "match", "s1*", "count", "7"});
    cursor = r[0].str;
    for (const std::string& k : r[1].Strings()) {
      seen.insert(k);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_EQ(Run({"scan", "0", "count", "9223372036854775807"})[0], "0");
  EXPECT_EQ(Run({"scan", "x"}), "ERR invalid cursor");
  EXPECT_EQ(Run({"scan", "0", "count", "0"}), "ERR syntax error");
  EXPECT_EQ(Run({"scan", "0", "foo", "1"}), "ERR syntax error");
}

TEST_F(KeysFamilyTest, RandomKeyTouchFlush) {
  EXPECT_EQ(Run({"randomkey"}), "(nil)");
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"randomkey"}), "a");
  EXPECT_EQ(Run({"touch", "a", "b"}), 1);
  Run({"select", "1"});
  Run({"set", "b", "1"});
  EXPECT_EQ(Run({"flushdb"}), "OK");
  EXPECT_EQ(Run({"dbsize"}), 0);
  Run({"select", "0"});
  EXPECT_EQ(Run({"dbsize"}), 1);
  EXPECT_EQ(Run({"flushall", "async"}), "OK");
  EXPECT_EQ(Run({"dbsize"}), 0);
  EXPECT_EQ(Run({"flushall", "foo"}), "ERR syntax error");
}

TEST_F(KeysFamilyTest, ObjectCommand) {
  Run({"set", "i", "12345"});
  Run({"set", "e", "hello"});
  Run({"set", "r", std::string(45, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "i"}), "int");
  EXPECT_EQ(Run({"object", "encoding", "e"}), "embstr");
  EXPECT_EQ(Run({"object", "encoding", "r"}), "raw");
  Run({"append", "e", "x"});
  EXPECT_EQ(Run({"object", "encoding", "e"}), "raw");
  EXPECT_EQ(Run({"object", "encoding", "none"}), "(nil)");
  EXPECT_EQ(Run({"object", "refcount", "i"}), 1);
  AdvanceMs(5000);
  EXPECT_EQ(Run({"object", "idletime", "i"}), 5);
  EXPECT_TRUE(Run({"object", "freq", "i"}).is_error());
  EXPECT_TRUE(Run({"object", "foo", "i"}).is_error());
  EXPECT_EQ(Run({"object", "help"}).type, RespValue::kArray);
}

TEST_F(KeysFamilyTest, MemoryUsageAndAccounting) {
  Run({"dbsize"});  // creates db 0 lazily
  int64_t base = UsedMemory();
  Run({"set", "k", "v"});
  EXPECT_GT(UsedMemory(), base);
  EXPECT_GT(Run({"memory", "usage", "k"}).i, 0);
  EXPECT_EQ(Run({"memory", "usage", "nokey"}), "(nil)");
  for (int i = 0; i < 5000; ++i) {
    std::string k = "key:" + std::to_string(i);
    Run({"set", k, "value" + std::to_string(i), "ex", "100"});
    Run({"hset", "h" + k, "f", "v"});
    Run({"sadd", "s" + k, "1", "a"});
    Run({"rpush", "l" + k, "a", "b"});
    Run({"zadd", "z" + k, "1", "a"});
  }
  EXPECT_GT(UsedMemory(), base + 5000 * 5 * 16);
  Run({"flushall"});
  EXPECT_EQ(UsedMemory(), base + static_cast<int64_t>(0));
}

TEST_F(KeysFamilyTest, MemoryReturnsToBaselineAfterDel) {
  Run({"set", "warm", "x"});
  Run({"del", "warm"});
  int64_t base = UsedMemory();
  for (int i = 0; i < 20000; ++i) {
    Run({"set", "k" + std::to_string(i), std::string(i % 100, 'v')});
  }
  for (int i = 0; i < 20000; ++i) {
    Run({"del", "k" + std::to_string(i)});
  }
  EXPECT_EQ(UsedMemory(), base);
}

TEST_F(KeysFamilyTest, CopyRenameMoveEveryType) {
  Run({"hset", "h", "f", "v"});
  Run({"sadd", "s", "a", "b"});
  Run({"rpush", "l", "x", "y"});
  Run({"zadd", "z", "1", "m"});
  for (std::string k : {"h", "s", "l", "z"}) {
    EXPECT_EQ(Run({"copy", k, k + "2"}), 1) << k;
    EXPECT_EQ(Run({"type", k + "2"}), Run({"type", k}).str) << k;
  }
  Run({"hset", "h2", "g", "w"});
  EXPECT_EQ(Run({"hlen", "h"}), 1);
  EXPECT_EQ(Run({"hlen", "h2"}), 2);
  EXPECT_EQ(Run({"smembers", "s2"}).size(), 2u);
  EXPECT_EQ(Run({"lrange", "l2", "0", "-1"}).Strings(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(Run({"zscore", "z2", "m"}), "1");
  EXPECT_EQ(Run({"rename", "z2", "z3"}), "OK");
  EXPECT_EQ(Run({"zscore", "z3", "m"}), "1");
  EXPECT_EQ(Run({"move", "l2", "5"}), 1);
  Run({"select", "5"});
  EXPECT_EQ(Run({"llen", "l2"}), 2);
  Run({"select", "0"});
  EXPECT_EQ(Run({"swapdb", "0", "5"}), "OK");
  EXPECT_EQ(Run({"dbsize"}), 1);
  EXPECT_EQ(Run({"swapdb", "0", "16"}), "ERR DB index is out of range");
}

TEST_F(KeysFamilyTest, ScanType) {
  Run({"set", "a", "1"});
  Run({"hset", "b", "f", "v"});
  Run({"zadd", "c", "1", "m"});
  RespValue r = Run({"scan", "0", "type", "zset", "count", "100"});
  EXPECT_EQ(r[1].Strings(), (std::vector<std::string>{"c"}));
}

TEST_F(KeysFamilyTest, BlockingPopInsideExecDoesNotBlock) {
  Run({"multi"});
  Run({"blpop", "nolist", "0"});
  RespValue r = Run({"exec"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, RespValue::kNil);
  EXPECT_FALSE(session_.blocked);
}

}  // namespace
}  // namespace mr::engine
