// Bit commands: SETBIT GETBIT BITCOUNT (BYTE/BIT ranges) BITPOS BITOP and their error strings.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class BitopsFamilyTest : public EngineTest {};

TEST_F(BitopsFamilyTest, Bits) {
  EXPECT_EQ(Run({"setbit", "b", "7", "1"}), 0);
  EXPECT_EQ(Run({"setbit", "b", "7", "0"}), 1);
  EXPECT_EQ(Run({"setbit", "b", "7", "1"}), 0);
  EXPECT_EQ(Run({"getbit", "b", "7"}), 1);
  EXPECT_EQ(Run({"getbit", "b", "100"}), 0);
  EXPECT_EQ(Run({"get", "b"}), "\x01");
  EXPECT_EQ(Run({"setbit", "b", "-1", "1"}), "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(Run({"setbit", "b", "1", "2"}), "ERR bit is not an integer or out of range");
  Run({"set", "s", "foobar"});
  EXPECT_EQ(Run({"bitcount", "s"}), 26);
  EXPECT_EQ(Run({"bitcount", "s", "0", "0"}), 4);
  EXPECT_EQ(Run({"bitcount", "s", "1", "1"}), 6);
  EXPECT_EQ(Run({"bitcount", "s", "1", "1", "byte"}), 6);
  EXPECT_EQ(Run({"bitcount", "s", "5", "30", "bit"}), 17);
  EXPECT_EQ(Run({"bitcount", "none"}), 0);
  Run({"set", "p", std::string("\xff\xf0\x00", 3)});
  EXPECT_EQ(Run({"bitpos", "p", "0"}), 12);
  Run({"set", "p", std::string("\x00\xff\xf0", 3)});
  EXPECT_EQ(Run({"bitpos", "p", "1", "0"}), 8);
  EXPECT_EQ(Run({"bitpos", "p", "1", "2"}), 16);
  EXPECT_EQ(Run({"bitpos", "p", "1", "7", "15", "bit"}), 8);
  Run({"set", "z", std::string("\x00\x00", 2)});
  EXPECT_EQ(Run({"bitpos", "z", "1"}), -1);
  Run({"set", "o", std::string("\xff\xff", 2)});
  EXPECT_EQ(Run({"bitpos", "o", "0"}), 16);
  EXPECT_EQ(Run({"bitpos", "o", "0", "0", "-1"}), -1);
  EXPECT_EQ(Run({"bitpos", "none", "0"}), 0);
  EXPECT_EQ(Run({"bitpos", "none", "1"}), -1);
}

TEST_F(BitopsFamilyTest, BitOp) {
  Run({"set", "a", "abc"});
  Run({"set", "b", "a"});
  EXPECT_EQ(Run({"bitop", "and", "d", "a", "b"}), 3);
  EXPECT_EQ(Run({"get", "d"}), std::string("a\0\0", 3));
  EXPECT_EQ(Run({"bitop", "or", "d", "a", "b"}), 3);
  EXPECT_EQ(Run({"get", "d"}), "abc");
  EXPECT_EQ(Run({"bitop", "xor", "d", "a", "b"}), 3);
  EXPECT_EQ(Run({"get", "d"}), std::string("\0bc", 3));
  EXPECT_EQ(Run({"bitop", "not", "d", "b"}), 1);
  EXPECT_EQ(Run({"get", "d"}), "\x9e");
  EXPECT_EQ(Run({"bitop", "not", "d", "a", "b"}),
            "ERR BITOP NOT must be called with a single source key.");
  EXPECT_EQ(Run({"bitop", "foo", "d", "a"}), "ERR syntax error");
  EXPECT_EQ(Run({"bitop", "and", "d", "none1", "none2"}), 0);
  EXPECT_EQ(Run({"exists", "d"}), 0);
}

}  // namespace
}  // namespace mr::engine
