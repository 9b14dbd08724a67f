// String commands: SET options, INCR family overflow and errors, APPEND/SETRANGE/GETRANGE, GETEX,
// MSET/MSETNX, encodings.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class StringFamilyTest : public EngineTest {};

TEST_F(StringFamilyTest, SetGet) {
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"set", "k", "v2"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "v2");
  EXPECT_EQ(Run({"get", "none"}), "(nil)");
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"get", "h"}), "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"set", "h", "s"}), "OK");
  EXPECT_EQ(Run({"get", "h"}), "s");
}

TEST_F(StringFamilyTest, SetOptions) {
  EXPECT_EQ(Run({"set", "k", "v", "nx"}), "OK");
  EXPECT_EQ(Run({"set", "k", "v", "nx"}), "(nil)");
  EXPECT_EQ(Run({"set", "k2", "v", "xx"}), "(nil)");
  EXPECT_EQ(Run({"set", "k", "w", "xx", "get"}), "v");
  EXPECT_EQ(Run({"set", "new", "w", "get"}), "(nil)");
  EXPECT_EQ(Run({"set", "k", "v", "nx", "xx"}), "ERR syntax error");
  EXPECT_EQ(Run({"set", "k", "v", "ex", "10", "px", "100"}), "ERR syntax error");
  EXPECT_EQ(Run({"set", "k", "v", "ex"}), "ERR syntax error");
  EXPECT_EQ(Run({"set", "k", "v", "ex", "0"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Run({"set", "k", "v", "ex", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"set", "k", "v", "ex", "10"}), "OK");
  EXPECT_EQ(Run({"ttl", "k"}), 10);
  EXPECT_EQ(Run({"set", "k", "v", "keepttl"}), "OK");
  EXPECT_EQ(Run({"ttl", "k"}), 10);
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"ttl", "k"}), -1);
  EXPECT_EQ(Run({"set", "k", "v", "px", "1500"}), "OK");
  EXPECT_EQ(Run({"pttl", "k"}), 1500);
  EXPECT_EQ(Run({"set", "k", "v", "exat", std::to_string(kStartMs / 1000 + 20)}), "OK");
  EXPECT_EQ(Run({"ttl", "k"}), 20);
  EXPECT_EQ(Run({"set", "k", "v", "pxat", std::to_string(kStartMs + 700)}), "OK");
  EXPECT_EQ(Run({"pttl", "k"}), 700);
  Run({"lpush", "l", "a"});
  EXPECT_EQ(Run({"set", "l", "v", "get"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(StringFamilyTest, SetNxSetExGetSet) {
  EXPECT_EQ(Run({"setnx", "k", "a"}), 1);
  EXPECT_EQ(Run({"setnx", "k", "b"}), 0);
  EXPECT_EQ(Run({"setex", "k", "5", "c"}), "OK");
  EXPECT_EQ(Run({"ttl", "k"}), 5);
  EXPECT_EQ(Run({"setex", "k", "0", "c"}), "ERR invalid expire time in 'setex' command");
  EXPECT_EQ(Run({"psetex", "k", "-1", "c"}), "ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(Run({"psetex", "k", "300", "d"}), "OK");
  EXPECT_EQ(Run({"pttl", "k"}), 300);
  EXPECT_EQ(Run({"getset", "k", "e"}), "d");
  EXPECT_EQ(Run({"ttl", "k"}), -1);
  EXPECT_EQ(Run({"getset", "n", "e"}), "(nil)");
  EXPECT_EQ(Run({"getdel", "k"}), "e");
  EXPECT_EQ(Run({"getdel", "k"}), "(nil)");
}

TEST_F(StringFamilyTest, GetEx) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"getex", "k", "ex", "10"}), "v");
  EXPECT_EQ(Run({"ttl", "k"}), 10);
  EXPECT_EQ(Run({"getex", "k", "persist"}), "v");
  EXPECT_EQ(Run({"ttl", "k"}), -1);
  EXPECT_EQ(Run({"getex", "k", "px", "0"}), "ERR invalid expire time in 'getex' command");
  EXPECT_EQ(Run({"getex", "k", "foo"}), "ERR syntax error");
  EXPECT_EQ(Run({"getex", "none"}), "(nil)");
}

TEST_F(StringFamilyTest, MGetMSet) {
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2"}), "OK");
  EXPECT_EQ(Run({"mset", "a", "1", "b"}), "ERR wrong number of arguments for 'mset' command");
  Run({"sadd", "s", "x"});
  EXPECT_EQ(Run({"mget", "a", "b", "c", "s"}).Strings(),
            (std::vector<std::string>{"1", "2", "(nil)", "(nil)"}));
  EXPECT_EQ(Run({"msetnx", "a", "9", "z", "9"}), 0);
  EXPECT_EQ(Run({"get", "z"}), "(nil)");
  EXPECT_EQ(Run({"msetnx", "y", "9", "z", "9"}), 1);
  EXPECT_EQ(Run({"get", "z"}), "9");
}

TEST_F(StringFamilyTest, Incr) {
  EXPECT_EQ(Run({"incr", "n"}), 1);
  EXPECT_EQ(Run({"incrby", "n", "10"}), 11);
  EXPECT_EQ(Run({"decr", "n"}), 10);
  EXPECT_EQ(Run({"decrby", "n", "20"}), -10);
  EXPECT_EQ(Run({"get", "n"}), "-10");
  EXPECT_EQ(Run({"object", "encoding", "n"}), "int");
  Run({"set", "s", "abc"});
  EXPECT_EQ(Run({"incr", "s"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"incrby", "n", "x"}), "ERR value is not an integer or out of range");
  Run({"set", "m", "9223372036854775807"});
  EXPECT_EQ(Run({"incr", "m"}), "ERR increment or decrement would overflow");
  Run({"set", "m", "-9223372036854775808"});
  EXPECT_EQ(Run({"decr", "m"}), "ERR increment or decrement would overflow");
  EXPECT_EQ(Run({"decrby", "m", "-9223372036854775808"}), "ERR decrement would overflow");
  Run({"set", "sp", " 1"});
  EXPECT_EQ(Run({"incr", "sp"}), "ERR value is not an integer or out of range");
  Run({"set", "t", "5", "ex", "100"});
  EXPECT_EQ(Run({"incr", "t"}), 6);
  EXPECT_EQ(Run({"ttl", "t"}), 100);
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"incr", "l"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(StringFamilyTest, IncrByFloat) {
  Run({"set", "f", "10.50"});
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.1"}), "10.6");
  EXPECT_EQ(Run({"incrbyfloat", "f", "-5"}), "5.6");
  EXPECT_EQ(Run({"incrbyfloat", "g", "5.0e3"}), "5000");
  EXPECT_EQ(Run({"incrbyfloat", "f", "abc"}), "ERR value is not a valid float");
  Run({"set", "s", "abc"});
  EXPECT_EQ(Run({"incrbyfloat", "s", "1"}), "ERR value is not a valid float");
  EXPECT_EQ(Run({"incrbyfloat", "f", "inf"}), "ERR increment would produce NaN or Infinity");
}

TEST_F(StringFamilyTest, AppendStrlenRanges) {
  EXPECT_EQ(Run({"append", "k", "Hello"}), 5);
  EXPECT_EQ(Run({"append", "k", " World"}), 11);
  EXPECT_EQ(Run({"strlen", "k"}), 11);
  EXPECT_EQ(Run({"strlen", "none"}), 0);
  EXPECT_EQ(Run({"getrange", "k", "0", "4"}), "Hello");
  EXPECT_EQ(Run({"getrange", "k", "-5", "-1"}), "World");
  EXPECT_EQ(Run({"getrange", "k", "5", "2"}), "");
  EXPECT_EQ(Run({"getrange", "k", "0", "100"}), "Hello World");
  EXPECT_EQ(Run({"getrange", "k", "-1", "-5"}), "");
  EXPECT_EQ(Run({"substr", "k", "0", "0"}), "H");
  EXPECT_EQ(Run({"setrange", "k", "6", "Redis"}), 11);
  EXPECT_EQ(Run({"get", "k"}), "Hello Redis");
  EXPECT_EQ(Run({"setrange", "p", "3", "ab"}), 5);
  EXPECT_EQ(Run({"get", "p"}), std::string("\0\0\0ab", 5));
  EXPECT_EQ(Run({"setrange", "q", "0", ""}), 0);
  EXPECT_EQ(Run({"exists", "q"}), 0);
  EXPECT_EQ(Run({"setrange", "k", "-1", "x"}), "ERR offset is out of range");
  EXPECT_EQ(Run({"setrange", "k", "536870911", "xx"}),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  Run({"set", "n", "123"});
  EXPECT_EQ(Run({"append", "n", "4"}), 4);
  EXPECT_EQ(Run({"get", "n"}), "1234");
  EXPECT_EQ(Run({"strlen", "n"}), 4);
}

TEST_F(StringFamilyTest, Encodings) {
  Run({"set", "a", "123"});
  Run({"set", "b", "0123"});
  Run({"set", "c", "-0"});
  Run({"set", "d", std::string(44, 'x')});
  Run({"set", "e", std::string(45, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "a"}), "int");
  EXPECT_EQ(Run({"object", "encoding", "b"}), "embstr");
  EXPECT_EQ(Run({"object", "encoding", "c"}), "embstr");
  EXPECT_EQ(Run({"object", "encoding", "d"}), "embstr");
  EXPECT_EQ(Run({"object", "encoding", "e"}), "raw");
  EXPECT_EQ(Run({"get", "b"}), "0123");
  Run({"incrbyfloat", "f", "3"});
  EXPECT_EQ(Run({"object", "encoding", "f"}), "embstr");  // like Redis: never int-encoded
  Run({"copy", "f", "g"});
  EXPECT_EQ(Run({"object", "encoding", "g"}), "embstr");
  Run({"sadd", "s", "1", "x"});
  Run({"srem", "s", "x"});
  Run({"copy", "s", "s2"});
  EXPECT_EQ(Run({"object", "encoding", "s2"}), "hashtable");
}

TEST_F(StringFamilyTest, Lcs) {
  Run({"mset", "key1", "ohmytext", "key2", "mynewtext"});
  EXPECT_EQ(Run({"lcs", "key1", "key2"}), "mytext");
  EXPECT_EQ(Run({"lcs", "key1", "key2", "len"}), 6);
  EXPECT_EQ(Run({"lcs", "key1", "key2", "LEN", "withmatchlen"}), 6);
  RespValue r = Run({"lcs", "key1", "key2", "idx"});
  EXPECT_EQ(last_raw_,
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  r = Run({"lcs", "key1", "key2", "idx", "minmatchlen", "4", "withmatchlen"});
  EXPECT_EQ(last_raw_,
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  session_.protocol = resp::Protocol::kResp3;
  r = Run({"lcs", "key1", "key2", "idx", "minmatchlen", "-3", "withmatchlen"});
  ASSERT_EQ(r.type, RespValue::kMap);
  EXPECT_EQ(r[0], "matches");
  EXPECT_EQ(r[1].size(), 2u);
  EXPECT_EQ(r[1][1][2], 2);
  EXPECT_EQ(r[3], 6);
  session_.protocol = resp::Protocol::kResp2;
  EXPECT_EQ(Run({"lcs", "key1", "nokey", "idx"})[1].size(), 0u);
  EXPECT_EQ(Run({"lcs", "nokey", "nokey2"}), "");
  Run({"set", "n", "12345"});
  Run({"set", "m", "2x34"});
  EXPECT_EQ(Run({"lcs", "n", "m"}), "234");
  EXPECT_EQ(Run({"lcs", "key1", "key2", "idx", "len"}),
            "ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(Run({"lcs", "key1", "key2", "foo"}), "ERR syntax error");
  EXPECT_EQ(Run({"lcs", "key1", "key2", "minmatchlen"}), "ERR syntax error");
  EXPECT_EQ(Run({"lcs", "key1", "key2", "minmatchlen", "x"}),
            "ERR value is not an integer or out of range");
  Run({"rpush", "l", "a"});
  // Redis 7.0 answers a plain ERR here (not WRONGTYPE), before looking at the options.
  EXPECT_EQ(Run({"lcs", "l", "key1", "foo"}), "ERR The specified keys must contain string values");
  EXPECT_EQ(Run({"lcs", "key1"}), "ERR wrong number of arguments for 'lcs' command");
  Run({"set", "big1", std::string(12000, 'x')});
  Run({"set", "big2", std::string(12000, 'y')});
  EXPECT_EQ(Run({"lcs", "big1", "big2"}),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
}

// A volatile value reallocated by a write (APPEND grows it) must stay indexed for active expiry:
// the volatile table is fixed by address, never through the freed block (ASan catches that).
TEST_F(StringFamilyTest, GrowingVolatileValueStaysInTheExpiryIndex) {
  Run({"set", "k", "a", "px", "100"});
  for (int i = 0; i < 20; ++i) {
    Run({"append", "k", std::string(50, 'x')});
  }
  EXPECT_EQ(inst_.stats().dbs[0].expires, 1u);
  AdvanceMs(200);
  RunActiveExpiry(inst_);
  EXPECT_EQ(inst_.stats().expired_keys, 1u);
  EXPECT_EQ(inst_.stats().dbs[0].keys, 0u);
}

TEST_F(StringFamilyTest, StatsCounters) {
  Run({"set", "a", "1"});
  Run({"get", "a"});
  Run({"get", "b"});
  Stats s = inst_.stats();
  EXPECT_EQ(s.keyspace_hits, 1u);
  EXPECT_EQ(s.keyspace_misses, 1u);
  EXPECT_EQ(s.total_commands_processed, 3u);
}

}  // namespace
}  // namespace mr::engine
