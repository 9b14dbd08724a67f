// BITFIELD / BITFIELD_RO: field arithmetic, OVERFLOW modes, offsets, growth and Redis' errors.
#include "engine/server/change_log_test_util.h"
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class BitfieldFamilyTest : public EngineTest {};

using Strs = std::vector<std::string>;

TEST_F(BitfieldFamilyTest, SetGetIncr) {
  EXPECT_EQ(Run({"bitfield", "k", "set", "i8", "0", "100", "get", "i8", "0", "incrby", "u4", "#3",
                 "7", "get", "u16", "0"})
                .Strings(),
            (Strs{"0", "100", "7", "25607"}));
  EXPECT_EQ(Run({"get", "k"}), "d\x07");
  EXPECT_EQ(Run({"bitfield", "k", "get", "i64", "0", "get", "u63", "1"}).Strings(),
            (Strs{"7207729728629768192", "7207729728629768192"}));
  EXPECT_EQ(Run({"bitfield", "none", "get", "u8", "100"}).Strings(), (Strs{"0"}));
  EXPECT_EQ(Run({"exists", "none"}), 0);
  EXPECT_EQ(Run({"bitfield", "k"}).size(), 0u);
  EXPECT_EQ(Run({"bitfield_ro", "k", "get", "i8", "0"}).Strings(), (Strs{"100"}));
}

TEST_F(BitfieldFamilyTest, Overflow) {
  EXPECT_EQ(Run({"bitfield", "k", "incrby", "u2", "0", "5", "overflow", "sat", "incrby", "u2", "0",
                 "5", "incrby", "i8", "8", "-200", "overflow", "fail", "incrby", "i8", "8", "-1",
                 "set", "u8", "16", "-1", "overflow", "wrap", "set", "i8", "16", "200"})
                .Strings(),
            (Strs{"1", "3", "-128", "(nil)", "(nil)", "0"}));
  EXPECT_EQ(Run({"bitfield", "k", "overflow", "sat", "set", "u8", "24", "-1", "get", "u8", "16"})
                .Strings(),
            (Strs{"0", "200"}));
  EXPECT_EQ(Run({"bitfield", "k", "get", "u8", "24"}).Strings(), (Strs{"255"}));
  EXPECT_EQ(Run({"bitfield", "w", "set", "i64", "0", "9223372036854775807", "incrby", "i64", "0",
                 "1"})
                .Strings(),
            (Strs{"0", "-9223372036854775808"}));
}

TEST_F(BitfieldFamilyTest, FailedWriteStillGrows) {
  EXPECT_EQ(Run({"bitfield", "k", "overflow", "fail", "set", "u2", "20", "9"}).Strings(),
            (Strs{"(nil)"}));
  EXPECT_EQ(Run({"strlen", "k"}), 3);
}

TEST_F(BitfieldFamilyTest, Errors) {
  const std::string type_err =
      "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
      "i64 is.";
  EXPECT_EQ(Run({"bitfield", "k", "get", "u64", "0"}), type_err);
  EXPECT_EQ(Run({"bitfield", "k", "get", "i65", "0"}), type_err);
  EXPECT_EQ(Run({"bitfield", "k", "get", "x8", "0"}), type_err);
  EXPECT_EQ(Run({"bitfield", "k", "get", "i0", "0"}), type_err);
  EXPECT_EQ(Run({"bitfield", "k", "get", "i8", "-1"}),
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(Run({"bitfield", "k", "get", "i8", "4294967296"}),
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(Run({"bitfield", "k", "get", "i8", "#536870912"}),
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(Run({"bitfield", "k", "set", "i8", "0", "x"}),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"bitfield", "k", "overflow", "foo"}), "ERR Invalid OVERFLOW type specified");
  EXPECT_EQ(Run({"bitfield", "k", "get", "i8"}), "ERR syntax error");
  EXPECT_EQ(Run({"bitfield", "k", "foo"}), "ERR syntax error");
  EXPECT_EQ(Run({"bitfield_ro", "k", "set", "i8", "0", "1"}),
            "ERR BITFIELD_RO only supports the GET subcommand");
  Run({"lpush", "l", "a"});
  EXPECT_EQ(Run({"bitfield", "l", "get", "i8", "0"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"bitfield_ro", "l", "set", "i8", "0", "1"}),
            "ERR BITFIELD_RO only supports the GET subcommand");
  EXPECT_EQ(Run({"exists", "k"}), 0);
}

TEST_F(BitfieldFamilyTest, IntEncodedValueAndTtl) {
  Run({"set", "n", "12", "px", "100000"});
  EXPECT_EQ(Run({"bitfield", "n", "get", "u8", "0", "set", "u8", "8", "51"}).Strings(),
            (Strs{"49", "50"}));
  EXPECT_EQ(Run({"get", "n"}), "13");
  EXPECT_GT(Run({"pttl", "n"}).i, 0);
}

// Redis' wrap-around in the overflow test: SAT of i8 = -2^63 stores 127, not -128.
TEST_F(BitfieldFamilyTest, SaturationQuirkLikeRedis) {
  EXPECT_EQ(Run({"bitfield", "x", "overflow", "sat", "set", "i8", "0", "-9223372036854775808",
                 "get", "i8", "0", "set", "i8", "0", "-9223372036854775000", "get", "i8", "0"})
                .Strings(),
            (Strs{"0", "127", "127", "-128"}));
}

// Writes are recorded (and replay to the same bytes); GET-only and no-op commands are not.
TEST_F(BitfieldFamilyTest, ChangeLog) {
  MemoryChangeLog log;
  inst_.set_change_log(&log);
  Run({"bitfield", "k", "set", "u8", "0", "200", "incrby", "i5", "#3", "-7"});
  Run({"bitfield", "k", "get", "u8", "0"});
  Run({"bitfield_ro", "k", "get", "u8", "0"});
  Run({"bitfield", "k", "set", "u8", "0", "200"});  // same value: nothing changes
  Run({"bitfield", "g", "overflow", "fail", "set", "u2", "30", "9"});  // refused, but grows
  inst_.set_change_log(nullptr);
  const std::string& recorded = log.Recorded();
  EXPECT_EQ(ParseLog(recorded).size(), 3u);  // SELECT + two BITFIELDs
  Instance copy{InstanceConfig{}};
  ASSERT_TRUE(ReplayLog(copy, recorded));
  Session s;
  for (std::string key : {"k", "g"}) {
    std::vector<std::string_view> args = {"get", key};
    std::string want, got;
    resp::Writer w1(&want), w2(&got);
    Dispatch(inst_, session_, args, w1);
    Dispatch(copy, s, args, w2);
    EXPECT_EQ(got, want) << key;
  }
}

}  // namespace
}  // namespace mr::engine
