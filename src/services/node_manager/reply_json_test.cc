#include "services/node_manager/reply_json.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace mr::services {
namespace {

std::string J(std::string_view resp) {
  auto r = DecodeReply(resp);
  EXPECT_TRUE(r.complete) << resp;
  return boost::json::serialize(r.value);
}

TEST(ReplyJson, Resp2Types) {
  EXPECT_EQ(J("+OK\r\n"), R"("OK")");
  EXPECT_EQ(J(":42\r\n"), "42");
  EXPECT_EQ(J("$5\r\nhello\r\n"), R"("hello")");
  EXPECT_EQ(J("$-1\r\n"), "null");
  EXPECT_EQ(J("*-1\r\n"), "null");
  EXPECT_EQ(J("*3\r\n$1\r\na\r\n:1\r\n$-1\r\n"), R"(["a",1,null])");
  EXPECT_EQ(J("$4\r\na\r\nb\r\n"), "\"a\\r\\nb\"");
}

TEST(ReplyJson, ErrorsAtTopLevelAndInsideExec) {
  auto top = DecodeReply("-WRONGTYPE Operation against a key\r\n");
  EXPECT_TRUE(top.is_error);
  EXPECT_EQ(boost::json::serialize(top.value), R"({"error":"WRONGTYPE Operation against a key"})");
  auto exec = DecodeReply("*2\r\n+OK\r\n-ERR boom\r\n");
  EXPECT_FALSE(exec.is_error);
  EXPECT_EQ(boost::json::serialize(exec.value), R"(["OK",{"error":"ERR boom"}])");
}

TEST(ReplyJson, Resp3Types) {
  EXPECT_EQ(J("%1\r\n+a\r\n:1\r\n"), R"([["a",1]])");
  EXPECT_EQ(J("~2\r\n+a\r\n+b\r\n"), R"(["a","b"])");
  EXPECT_EQ(J(",1.5\r\n"), "1.5E0");
  EXPECT_EQ(J(",inf\r\n"), R"("inf")");
  EXPECT_EQ(J("#t\r\n"), "true");
  EXPECT_EQ(J("_\r\n"), "null");
  EXPECT_EQ(J("(12345678901234567890123\r\n"), R"("12345678901234567890123")");
  EXPECT_EQ(J("=8\r\ntxt:abcd\r\n"), R"("abcd")");
}

TEST(ReplyJson, MalformedInputIsIncompleteNotACrash) {
  for (std::string_view bad : {"", "$5\r\nab", "*2\r\n+a\r\n", "*99999999\r\n", "?x\r\n",
                               "$-5\r\nabc\r\n", ":12", "*1000000000000000000000\r\n"}) {
    EXPECT_FALSE(DecodeReply(bad).complete) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "*1\r\n";
  deep += ":1\r\n";
  EXPECT_FALSE(DecodeReply(deep).complete);
}

std::string B64(std::string_view resp) {
  auto r = DecodeReply(resp, {.base64 = true});
  EXPECT_TRUE(r.complete) << resp;
  return boost::json::serialize(r.value);
}

TEST(ReplyJson, Base64EncodesStringsOnlyLikeUpstash) {
  EXPECT_EQ(B64("+OK\r\n"), R"("OK")");  // Upstash leaves OK as it is
  EXPECT_EQ(B64("+PONG\r\n"), R"("UE9ORw==")");
  EXPECT_EQ(B64("$5\r\nhello\r\n"), R"("aGVsbG8=")");
  EXPECT_EQ(B64("$2\r\nOK\r\n"), R"("T0s=")");  // a value "OK" is a string like any other
  EXPECT_EQ(B64("$0\r\n\r\n"), R"("")");
  EXPECT_EQ(B64(":42\r\n"), "42");
  EXPECT_EQ(B64("$-1\r\n"), "null");
  using namespace std::literals;
  EXPECT_EQ(B64("*3\r\n$1\r\na\r\n:1\r\n*1\r\n$2\r\n\xff\x00\r\n"sv),
            R"(["YQ==",1,["/wA="]])");
  EXPECT_EQ(B64("-ERR boom\r\n"), R"({"error":"ERR boom"})");  // errors stay text
}

TEST(ReplyJson, Base64Alphabet) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(Base64Encode("h\xc3\xa9llo \xe2\x9c\x93"), "aMOpbGxvIOKckw==");
}

TEST(ReplyJson, SplitArrayReplyKeepsEachItemsBytes) {
  std::vector<std::string_view> items;
  std::string_view exec = "*3\r\n+OK\r\n*2\r\n$1\r\na\r\n:1\r\n-ERR x\r\n";
  ASSERT_TRUE(SplitArrayReply(exec, &items));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "+OK\r\n");
  EXPECT_EQ(items[1], "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(items[2], "-ERR x\r\n");
  for (std::string_view bad : {"", "+OK\r\n", "*-1\r\n", "*2\r\n+a\r\n", "*9999999\r\n"}) {
    EXPECT_FALSE(SplitArrayReply(bad, &items)) << bad;
  }
  ASSERT_TRUE(SplitArrayReply("*0\r\n", &items));
  EXPECT_TRUE(items.empty());
}

}  // namespace
}  // namespace mr::services

namespace mr::services {
namespace {

TEST(ReplyJsonUtf8, TextStaysAndOtherBytesBecomeReplacementCharacters) {
  EXPECT_EQ(ToValidUtf8("plain"), "plain");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(ToValidUtf8("\xC3"), "\xEF\xBF\xBD");                  // a cut character
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");         // never UTF-8
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");   // overlong
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80").substr(0, 3), "\xEF\xBF\xBD");  // > U+10FFFF
}

TEST(ReplyJsonUtf8, RepliesAreAlwaysValidJsonText) {
  ReplyJson bulk = DecodeReply("$1\r\n\xC3\r\n");
  EXPECT_EQ(bulk.value.as_string(), "\xEF\xBF\xBD");
  ReplyJson error = DecodeReply("-ERR unknown command 'x', with args beginning with: '\xC3'\r\n");
  EXPECT_EQ(error.value.as_object().at("error").as_string(),
            "ERR unknown command 'x', with args beginning with: '\xEF\xBF\xBD'");
  ReplyJson exact = DecodeReply("$1\r\n\xC3\r\n", {.base64 = true});
  EXPECT_EQ(exact.value.as_string(), "ww==");
}

}  // namespace
}  // namespace mr::services
