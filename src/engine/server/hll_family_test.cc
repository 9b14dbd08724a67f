// HyperLogLog: Redis 7.0's byte format (known answers taken from redis-server 7.0.15), cached
// cardinality, sparse->dense promotion, PFMERGE encodings, corrupt values and accuracy.
#include "engine/server/engine_test_base.h"
#include "engine/server/hyperloglog.h"

namespace mr::engine {
namespace {

class HllFamilyTest : public EngineTest {
 protected:
  std::string Get(std::string_view key) { return Run({"get", key}).str; }
  void AddMany(std::string_view key, int from, int to) {
    std::vector<std::string> args{"pfadd", std::string(key)};
    for (int i = from; i < to; ++i) {
      args.push_back("e" + std::to_string(i));
      if (args.size() == 502 || i + 1 == to) {
        Run(args);
        args.resize(2);
      }
    }
  }
  static std::string Header(uint8_t enc, std::string_view card) {
    std::string h("HYLL", 4);
    h.push_back(static_cast<char>(enc));
    h.append(3, '\0');
    h.append(card);
    return h;
  }
};

using namespace std::string_literals;

TEST_F(HllFamilyTest, SameBytesAsRedis) {
  EXPECT_EQ(Run({"pfadd", "empty"}), 1);
  EXPECT_EQ(Get("empty"), Header(1, "\0\0\0\0\0\0\0\x80"s) + "\x7f\xff");
  EXPECT_EQ(Run({"pfadd", "a", "x", "y", "z"}), 1);
  const std::string regs = "a\x84\x80X\xcd\x88" "E\xa0\x84\b";
  EXPECT_EQ(Get("a"), Header(1, "\0\0\0\0\0\0\0\x80"s) + regs);
  EXPECT_EQ(Run({"pfcount", "a"}), 3);  // writes the cache back into the value
  EXPECT_EQ(Get("a"), Header(1, "\x03\0\0\0\0\0\0\0"s) + regs);
  EXPECT_EQ(Run({"pfadd", "a", "x"}), 0);
  EXPECT_EQ(Run({"pfadd", "a", "w"}), 1);  // invalidates: keeps the old bytes, sets the MSB
  EXPECT_EQ(Get("a").substr(8, 8), "\x03\0\0\0\0\0\0\x80"s);
  EXPECT_EQ(Run({"pfcount", "a"}), 4);
  EXPECT_EQ(Run({"object", "encoding", "a"}), "raw");
}

TEST_F(HllFamilyTest, CachedCardinalityIsUsed) {
  Run({"pfadd", "h", "a", "b", "c"});
  EXPECT_EQ(Run({"pfcount", "h"}), 3);
  // A value whose cache says 1234 (valid) answers 1234 without looking at the registers.
  std::string v = Get("h");
  v.replace(8, 8, "\xd2\x04\0\0\0\0\0\0"s);
  Run({"set", "h", v});
  EXPECT_EQ(Run({"pfcount", "h"}), 1234);
  EXPECT_EQ(Run({"pfcount", "h", "nokey"}), 3);  // the multi-key union never uses caches
}

TEST_F(HllFamilyTest, SparseKeepsSmallKeysSmallAndPromotes) {
  Run({"pfadd", "tiny", "a", "b", "c"});
  EXPECT_LT(Run({"memory", "usage", "tiny"}).i, 100);  // not 12 KB
  AddMany("h", 0, 100);
  std::string v = Get("h");
  EXPECT_EQ(v[4], 1);
  EXPECT_LT(v.size(), 400u);
  AddMany("h", 100, 5000);
  v = Get("h");
  EXPECT_EQ(v[4], 0);
  EXPECT_EQ(v.size(), hll::kDenseSize);
  EXPECT_NEAR(static_cast<double>(Run({"pfcount", "h"}).i), 5000.0, 150.0);

  EXPECT_EQ(Run({"config", "get", "hll-sparse-max-bytes"})[1], "3000");
  EXPECT_EQ(Run({"config", "set", "hll-sparse-max-bytes", "30"}), "OK");
  AddMany("small", 0, 10);
  EXPECT_EQ(Get("small")[4], 0);
  EXPECT_NEAR(static_cast<double>(Run({"pfcount", "small"}).i), 10.0, 1.0);
}

TEST_F(HllFamilyTest, RegisterAboveSparseLimitPromotes) {
  // A VAL opcode holds at most 32: a register of 40 forces the dense form.
  std::string v = hll::NewSparse();
  EXPECT_EQ(hll::Set(&v, 5, 40, 3000), hll::Update::kChanged);
  EXPECT_EQ(v.size(), hll::kDenseSize);
  std::vector<uint8_t> max(hll::kRegisters, 0);
  ASSERT_TRUE(hll::MergeInto(v, max.data()));
  EXPECT_EQ(max[5], 40);
  EXPECT_EQ(hll::Set(&v, 5, 39, 3000), hll::Update::kUnchanged);
  EXPECT_EQ(hll::Set(&v, 16383, 63, 3000), hll::Update::kChanged);
  ASSERT_TRUE(hll::MergeInto(v, max.data()));
  EXPECT_EQ(max[16383], 63);
}

TEST_F(HllFamilyTest, MergeEncodings) {
  Run({"pfadd", "s1", "a", "b"});
  Run({"pfadd", "s2", "c"});
  EXPECT_EQ(Run({"pfmerge", "m", "s1", "s2"}), "OK");
  EXPECT_EQ(Get("m")[4], 1);  // all inputs sparse: stays sparse, like Redis 7.0
  EXPECT_EQ(Run({"pfcount", "m"}), 3);
  AddMany("d", 0, 4000);
  EXPECT_EQ(Run({"pfmerge", "m", "d"}), "OK");
  EXPECT_EQ(Get("m")[4], 0);
  EXPECT_NEAR(static_cast<double>(Run({"pfcount", "m"}).i), 4003.0, 120.0);
  EXPECT_EQ(Run({"pfcount", "s1", "s2"}), 3);
  EXPECT_EQ(Run({"pfmerge", "only"}), "OK");
  EXPECT_EQ(Get("only"), Header(1, "\0\0\0\0\0\0\0\x80"s) + "\x7f\xff");
}

TEST_F(HllFamilyTest, KeepsTtl) {
  Run({"pfadd", "h", "a"});
  Run({"expire", "h", "100"});
  Run({"pfadd", "h", "b"});
  Run({"pfcount", "h"});
  EXPECT_EQ(Run({"ttl", "h"}), 100);
}

TEST_F(HllFamilyTest, Errors) {
  Run({"set", "s", "x"});
  const char* kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
  EXPECT_EQ(Run({"pfadd", "s", "a"}), kNotHll);
  EXPECT_EQ(Run({"pfcount", "s"}), kNotHll);
  EXPECT_EQ(Run({"pfmerge", "d", "s"}), kNotHll);
  Run({"set", "i", "123"});
  EXPECT_EQ(Run({"pfcount", "i"}), kNotHll);
  Run({"set", "badenc", Header(2, std::string(8, '\0')) + "\x7f\xff"});
  EXPECT_EQ(Run({"pfcount", "badenc"}), kNotHll);
  Run({"set", "shortdense", Header(0, std::string(8, '\0')) + "abc"});
  EXPECT_EQ(Run({"pfadd", "shortdense", "a"}), kNotHll);
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"pfcount", "l"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"pfadd"}), "ERR wrong number of arguments for 'pfadd' command");
}

TEST_F(HllFamilyTest, CorruptSparseValues) {
  const char* kCorrupt = "INVALIDOBJ Corrupted HLL object detected";
  const std::string invalid_card = "\0\0\0\0\0\0\0\x80"s;
  // Runs cover fewer registers than 16384.
  Run({"set", "short", Header(1, invalid_card) + "\x7f\xfe"});
  EXPECT_EQ(Run({"pfcount", "short"}), kCorrupt);
  EXPECT_EQ(Run({"pfcount", "short", "x"}), kCorrupt);
  EXPECT_EQ(Run({"pfmerge", "d", "short"}), kCorrupt);
  EXPECT_EQ(Run({"exists", "d"}), 0);
  // Too many registers.
  Run({"set", "long", Header(1, invalid_card) + "\x7f\xff\x00"s});
  EXPECT_EQ(Run({"pfcount", "long"}), kCorrupt);
  // A truncated XZERO and an empty opcode stream never read past the value.
  Run({"set", "trunc", Header(1, invalid_card) + "\x7f"});
  EXPECT_EQ(Run({"pfcount", "trunc"}), kCorrupt);
  EXPECT_TRUE(Run({"pfadd", "trunc", "a", "b", "c", "d"}).is_error());
  Run({"set", "none", Header(1, invalid_card)});
  EXPECT_EQ(Run({"pfadd", "none", "a"}), kCorrupt);
  EXPECT_EQ(Run({"pfcount", "none"}), kCorrupt);
  // A VAL run past the last register.
  Run({"set", "over", Header(1, invalid_card) + "\x7f\xfe\x83"});
  EXPECT_EQ(Run({"pfcount", "over"}), kCorrupt);
}

TEST_F(HllFamilyTest, AddCountMerge) {
  EXPECT_EQ(Run({"pfadd", "h", "a", "b", "c"}), 1);
  EXPECT_EQ(Run({"pfadd", "h", "a"}), 0);
  EXPECT_EQ(Run({"pfcount", "h"}), 3);
  AddMany("big", 0, 100000);
  int64_t n = Run({"pfcount", "big"}).i;
  EXPECT_NEAR(static_cast<double>(n), 100000.0, 2000.0);
  Run({"pfadd", "h2", "c", "d"});
  EXPECT_EQ(Run({"pfmerge", "m", "h", "h2"}), "OK");
  EXPECT_EQ(Run({"pfcount", "m"}), 4);
  EXPECT_EQ(Run({"pfcount", "h", "h2"}), 4);
}

}  // namespace
}  // namespace mr::engine
