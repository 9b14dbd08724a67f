#include "common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace mr::ids {
namespace {

TEST(Ids, RandomHexIsHexOfRightLengthAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomHex(16);
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, TraceParentRoundTrip) {
  TraceParent tp;
  std::string h = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(ParseTraceParent(h, &tp));
  EXPECT_EQ(tp.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(FormatTraceParent(tp), h);
}

TEST(Ids, TraceParentRejectsMalformed) {
  TraceParent tp;
  EXPECT_FALSE(ParseTraceParent("", &tp));
  EXPECT_FALSE(ParseTraceParent("00-00000000000000000000000000000000-00f067aa0ba902b7-01", &tp));
  EXPECT_FALSE(ParseTraceParent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &tp));
  EXPECT_FALSE(ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &tp));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", &tp));
}

TEST(Ids, RequestIdFilter) {
  EXPECT_TRUE(IsAcceptableRequestId("abc-123_x.y"));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("a b"));
  EXPECT_FALSE(IsAcceptableRequestId("x\r\nSet-Cookie: a"));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(129, 'a')));
}

}  // namespace
}  // namespace mr::ids
