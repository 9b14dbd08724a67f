// DUMP and RESTORE: every type and encoding through a payload, the payload format itself, every
// RESTORE option and error (in Redis' order), and no memory left behind by a refused payload.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/server/snapshot_test_util.h"
#include "persistence/byte_order.h"
#include "persistence/crc64.h"

namespace mr::engine {
namespace {

using testing::EngineRunner;
using testing::EveryEncodingCommands;
using testing::ValueView;

// The payload with its footer's version replaced and the CRC64 recomputed.
std::string WithVersion(std::string payload, uint16_t version) {
  payload.resize(payload.size() - 8);
  payload[payload.size() - 2] = static_cast<char>(version & 0xff);
  payload[payload.size() - 1] = static_cast<char>(version >> 8);
  std::string crc;
  persistence::AppendLe(&crc, persistence::Crc64(0, payload), 8);
  return payload + crc;
}

// A payload around an arbitrary body, with a valid footer.
std::string Payload(std::string body) { return WithVersion(body + std::string(10, '\0'), 10); }

class DumpFamilyTest : public EngineTest {
 protected:
  std::string Dump(const std::string& key) {
    RespValue v = Run({"DUMP", key});
    EXPECT_EQ(v.type, RespValue::kBulk) << v;
    return v.str;
  }
};

TEST_F(DumpFamilyTest, MissingKeyDumpsNil) { EXPECT_EQ(Run({"DUMP", "nokey"}), "(nil)"); }

TEST_F(DumpFamilyTest, EveryTypeAndEncodingRestoresIdentically) {
  for (const auto& c : EveryEncodingCommands(kStartMs)) {
    ASSERT_FALSE(Run(c).is_error()) << c[0];
  }
  auto run = EngineRunner(inst_, session_);
  for (const RespValue& k : Run({"KEYS", "*"}).arr) {
    const std::string copy = "copy:" + k.str;
    std::string payload = Dump(k.str);
    ASSERT_EQ(Run({"RESTORE", copy, "0", payload}), "OK") << k.str;
    EXPECT_EQ(ValueView(run, copy), ValueView(run, k.str)) << k.str;
    EXPECT_EQ(Run({"OBJECT", "ENCODING", copy}), Run({"OBJECT", "ENCODING", k.str}).str) << k.str;
    EXPECT_EQ(Run({"PTTL", copy}), -1) << "DUMP carries no TTL: " << k.str;
    const std::string enc = Run({"OBJECT", "ENCODING", k.str}).str;
    if (enc != "hashtable") {  // a table's order depends on its insertion history
      EXPECT_EQ(Dump(copy), payload) << k.str;
    }
  }
}

TEST_F(DumpFamilyTest, PayloadFormat) {
  Run({"SET", "s", "hello"});
  const std::string p = Dump("s");
  // Type 0 (string), length 5, "hello", RDB version 10 (LE), CRC64 (LE) of all that.
  std::string body = std::string("\x00\x05hello", 7) + std::string("\x0a\x00", 2);
  std::string crc;
  persistence::AppendLe(&crc, persistence::Crc64(0, body), 8);
  EXPECT_EQ(p, body + crc);
  // Integers are stored in their RDB integer encoding, as Redis does.
  Run({"SET", "i", "10"});
  EXPECT_EQ(Dump("i").substr(0, 4), std::string("\x00\xc0\x0a\x0a", 4));
  // A small list is a QUICKLIST_2 (type 18), a small hash a listpack (16), ints an intset (11).
  Run({"RPUSH", "l", "a"});
  Run({"HSET", "h", "f", "v"});
  Run({"SADD", "st", "1"});
  Run({"ZADD", "z", "1", "m"});
  EXPECT_EQ(Dump("l")[0], 18);
  EXPECT_EQ(Dump("h")[0], 16);
  EXPECT_EQ(Dump("st")[0], 11);
  EXPECT_EQ(Dump("z")[0], 17);
}

TEST_F(DumpFamilyTest, BusyKeyAndReplace) {
  Run({"SET", "a", "1"});
  Run({"RPUSH", "b", "x", "y"});
  const std::string pa = Dump("a");
  EXPECT_EQ(Run({"RESTORE", "b", "0", pa}), "BUSYKEY Target key name already exists.");
  EXPECT_EQ(Run({"RESTORE", "b", "0", pa, "REPLACE"}), "OK");
  EXPECT_EQ(Run({"GET", "b"}), "1");
  // An expired key is not "busy".
  Run({"SET", "gone", "v", "PX", "10"});
  AdvanceMs(11);
  EXPECT_EQ(Run({"RESTORE", "gone", "0", pa}), "OK");
}

TEST_F(DumpFamilyTest, TtlRelativeAbsoluteAndAlreadyExpired) {
  Run({"SET", "a", "1"});
  const std::string p = Dump("a");
  EXPECT_EQ(Run({"RESTORE", "rel", "5000", p}), "OK");
  EXPECT_EQ(Run({"PEXPIRETIME", "rel"}), kStartMs + 5000);
  EXPECT_EQ(Run({"RESTORE", "abs", std::to_string(kStartMs + 7000), p, "ABSTTL"}), "OK");
  EXPECT_EQ(Run({"PEXPIRETIME", "abs"}), kStartMs + 7000);
  // An absolute time in the past: OK, but no key (and REPLACE still removed the old one).
  EXPECT_EQ(Run({"RESTORE", "past", "1000", p, "ABSTTL"}), "OK");
  EXPECT_EQ(Run({"EXISTS", "past"}), 0);
  EXPECT_EQ(Run({"RESTORE", "a", "1000", p, "ABSTTL", "REPLACE"}), "OK");
  EXPECT_EQ(Run({"EXISTS", "a"}), 0);
  // Redis adds the TTL to the clock without an overflow check: a wrapped time is in the past.
  EXPECT_EQ(Run({"RESTORE", "huge", "9223372036854775807", p}), "OK");
  EXPECT_EQ(Run({"EXISTS", "huge"}), 0);
}

TEST_F(DumpFamilyTest, IdleTimeAndFreq) {
  Run({"SET", "a", "1"});
  const std::string p = Dump("a");
  EXPECT_EQ(Run({"RESTORE", "idle", "0", p, "IDLETIME", "1000"}), "OK");
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "idle"}), 1000);
  // FREQ is accepted under an LRU policy but not applied (Redis keeps the counter it has).
  EXPECT_EQ(Run({"RESTORE", "f", "0", p, "FREQ", "100"}), "OK");
  ASSERT_EQ(Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), "OK");
  EXPECT_EQ(Run({"RESTORE", "freq", "0", p, "FREQ", "100"}), "OK");
  EXPECT_EQ(Run({"OBJECT", "FREQ", "freq"}), 100);
}

TEST_F(DumpFamilyTest, OptionErrorsInRedisOrder) {
  Run({"SET", "a", "1"});
  const std::string p = Dump("a");
  const std::string syntax = "ERR syntax error";
  const std::string not_int = "ERR value is not an integer or out of range";
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "BOGUS"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "IDLETIME"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "FREQ"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "IDLETIME", "1", "FREQ", "1"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "FREQ", "1", "IDLETIME", "1"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "IDLETIME", "x"}), not_int);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "IDLETIME", "-1"}),
            "ERR Invalid IDLETIME value, must be >= 0");
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "FREQ", "256"}),
            "ERR Invalid FREQ value, must be >= 0 and <= 255");
  EXPECT_EQ(Run({"RESTORE", "k", "0", p, "FREQ", "-1"}),
            "ERR Invalid FREQ value, must be >= 0 and <= 255");
  // Options before the busy key, the busy key before the TTL, the TTL before the payload.
  EXPECT_EQ(Run({"RESTORE", "a", "x", "junk", "BOGUS"}), syntax);
  EXPECT_EQ(Run({"RESTORE", "a", "x", "junk"}), "BUSYKEY Target key name already exists.");
  EXPECT_EQ(Run({"RESTORE", "k", "x", "junk"}), not_int);
  EXPECT_EQ(Run({"RESTORE", "k", "-1", "junk"}), "ERR Invalid TTL value, must be >= 0");
  EXPECT_EQ(Run({"RESTORE", "k", "0", "junk"}), "ERR DUMP payload version or checksum are wrong");
  EXPECT_EQ(Run({"RESTORE", "k", "0"}), "ERR wrong number of arguments for 'restore' command");
  EXPECT_EQ(Run({"DUMP"}), "ERR wrong number of arguments for 'dump' command");
  EXPECT_EQ(Run({"EXISTS", "k"}), 0);
}

TEST_F(DumpFamilyTest, PayloadErrors) {
  Run({"RPUSH", "l", "a", "b", "c"});
  const std::string p = Dump("l");
  const std::string wrong = "ERR DUMP payload version or checksum are wrong";
  const std::string bad = "ERR Bad data format";
  const int64_t before = UsedMemory();

  std::string flipped = p;
  flipped[3] ^= 1;
  EXPECT_EQ(Run({"RESTORE", "k", "0", flipped}), wrong);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p.substr(1)}), wrong);
  EXPECT_EQ(Run({"RESTORE", "k", "0", p.substr(0, 9)}), wrong);
  EXPECT_EQ(Run({"RESTORE", "k", "0", ""}), wrong);
  EXPECT_EQ(Run({"RESTORE", "k", "0", WithVersion(p, 11)}), wrong);  // Redis 7.2's: refused
  EXPECT_EQ(Run({"RESTORE", "k", "0", WithVersion(p, 0xffff)}), wrong);

  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload("")}), bad);
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload("\x2a")}), bad);            // unknown type 42
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload("\xfe\x00")}), bad);        // an opcode
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload(std::string("\x00\x3fhel", 5))}), bad);  // short
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload(std::string("\x01\x00", 2))}), bad);   // empty list
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload(std::string("\x02\x02\x01x\x01x", 6))}),
            bad);  // duplicate set member
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload(std::string("\x0f\x00", 2))}), bad);   // a stream
  EXPECT_EQ(Run({"RESTORE", "k", "0", Payload(p.substr(0, 3))}), bad);  // truncated quicklist
  EXPECT_EQ(Run({"EXISTS", "k"}), 0);
  EXPECT_EQ(UsedMemory(), before);  // refused payloads left nothing charged behind

  // Older versions are accepted, like Redis 7.0 does.
  EXPECT_EQ(Run({"RESTORE", "v9", "0", WithVersion(p, 9)}), "OK");
  EXPECT_EQ(Run({"RESTORE", "v1", "0", WithVersion(p, 1)}), "OK");
  // Old encodings still load: a list as type 1 (linked list, RDB < 3).
  EXPECT_EQ(Run({"RESTORE", "old", "0", Payload(std::string("\x01\x02\x01x\x01y", 6))}), "OK");
  EXPECT_EQ(Run({"LRANGE", "old", "0", "-1"}).Strings(), (std::vector<std::string>{"x", "y"}));
  // As in Redis, the value is read from the whole payload: it may run into the footer...
  EXPECT_EQ(Run({"RESTORE", "tail", "0", Payload(std::string("\x00\x05hel", 5))}), "OK");
  EXPECT_EQ(Run({"STRLEN", "tail"}), 5);
  // ...and bytes between its end and the footer are ignored.
  EXPECT_EQ(Run({"RESTORE", "trail", "0", Payload(std::string("\x00\x01z", 3) + "junk")}), "OK");
  EXPECT_EQ(Run({"GET", "trail"}), "z");
}

TEST_F(DumpFamilyTest, RestoreServesBlockedClients) {
  Session waiter;
  FakeSink sink;
  waiter.sink = &sink;
  OpenSession(inst_, waiter);
  RunOn(waiter, {"BLPOP", "q", "0"});
  ASSERT_TRUE(waiter.blocked);
  Run({"RPUSH", "src", "job"});
  EXPECT_EQ(Run({"RESTORE", "q", "0", Dump("src")}), "OK");
  EXPECT_FALSE(waiter.blocked);
  EXPECT_NE(sink.got.find("job"), std::string::npos);
  CloseSession(inst_, waiter);
}

TEST_F(DumpFamilyTest, CommandMetadata) {
  const CommandId* dump = FindCommand("dump");
  ASSERT_NE(dump, nullptr);
  EXPECT_EQ(dump->arity, 2);
  EXPECT_TRUE(dump->flags & co::READONLY);
  const CommandId* restore = FindCommand("RESTORE");
  ASSERT_NE(restore, nullptr);
  EXPECT_EQ(restore->arity, -4);
  EXPECT_TRUE(restore->flags & co::WRITE);
  EXPECT_TRUE(restore->flags & co::DENYOOM);
  EXPECT_EQ(restore->first_key, 1);
  EXPECT_EQ(restore->last_key, 1);
}

}  // namespace
}  // namespace mr::engine
