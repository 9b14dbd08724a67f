#include "services/api_gateway/rest_command.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mr::services::gateway {
namespace {

using Commands = std::vector<RestCommand>;

TEST(RestCommand, OneCommandWithNumbersAndBooleansAsTheirText) {
  RestCommand c;
  ASSERT_EQ(ParseRestCommand(
                R"(["zadd", "z", 1.50, "m", -3, 1e21, true, false, 18446744073709551616])", &c),
            "");
  EXPECT_EQ(c, (RestCommand{"zadd", "z", "1.50", "m", "-3", "1e21", "true", "false",
                            "18446744073709551616"}));
  ASSERT_EQ(ParseRestCommand(R"(["set","k","h\u00e9 \ud83d\ude00 \"q\" \\ \n"])", &c), "");
  EXPECT_EQ(c[2], "h\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ \n");
  EXPECT_EQ(ParseRestCommand(" [\"get\", \"a\"] \r\n", &c), "");  // whitespace is JSON
}

TEST(RestCommand, BytesThatAreNotUtf8PassThrough) {
  RestCommand c;
  ASSERT_EQ(ParseRestCommand("[\"set\",\"k\",\"\xff\xfe\"]", &c), "");
  EXPECT_EQ(c[2], "\xff\xfe");
}

TEST(RestCommand, RefusesWhatIsNotOneArrayOfScalars) {
  RestCommand c;
  for (std::string_view bad : {"", "{}", R"({"a":1})", R"("get")", "[]", "[[\"get\"]]",
                               R"(["set","k",{"a":1}])", R"(["get",null])", "[\"get\"",
                               R"(["get","a"] ["get","b"])", "42", "[\"get\"]x"}) {
    EXPECT_NE(ParseRestCommand(bad, &c), "") << bad;
  }
  EXPECT_EQ(ParseRestCommand("[]", &c), "ERR empty command");
  EXPECT_EQ(ParseRestCommand(R"(["get",null])", &c), "ERR null is not a command argument");
}

TEST(RestCommand, BatchOfCommands) {
  Commands out;
  ASSERT_EQ(ParseRestBatch(R"([["set","a",1],["get","a"]])", 1000, &out), "");
  EXPECT_EQ(out, (Commands{{"set", "a", "1"}, {"get", "a"}}));
  for (std::string_view bad : {"[]", "[[]]", R"(["get","a"])", R"([["get",["a"]]])",
                               R"([["get","a"],"x"])", R"({"commands":[]})", "[[[]]]"}) {
    out.clear();
    EXPECT_NE(ParseRestBatch(bad, 1000, &out), "") << bad;
  }
}

TEST(RestCommand, BatchLimitStopsAtTheFirstExtraCommand) {
  std::string body = "[";
  for (int i = 0; i < 1001; ++i) {
    body += std::string(i ? "," : "") + R"(["incr","n"])";
  }
  body += "]";
  Commands out;
  EXPECT_EQ(ParseRestBatch(body, 1001, &out), "");
  out.clear();
  EXPECT_EQ(ParseRestBatch(body, 1000, &out), "ERR too many commands: at most 1000 per request");
  EXPECT_EQ(out.size(), 1000u);
}

TEST(RestCommand, PathForm) {
  EXPECT_EQ(PathCommand("/set/foo/bar", "", ""), (RestCommand{"set", "foo", "bar"}));
  EXPECT_EQ(PathCommand("set/a%2Fb/1+2%20x/", "", ""), (RestCommand{"set", "a/b", "1+2 x"}));
  EXPECT_EQ(PathCommand("set/foo", "EX=100&_token=secret&NX", "{\"v\":1}"),
            (RestCommand{"set", "foo", "{\"v\":1}", "EX", "100", "NX"}));
  EXPECT_EQ(PathCommand("", "", ""), RestCommand{});
  EXPECT_EQ(QueryToken("a=1&_token=ab%2Bc"), "ab+c");
  EXPECT_EQ(QueryToken("a=1"), "");
}

TEST(RestCommand, ExecBodyIsNodeManagersBatchForm) {
  auto v = boost::json::parse(ExecBody({{"set", "a", "1"}, {"get", "a"}}, true, true));
  EXPECT_EQ(boost::json::serialize(v),
            R"({"commands":[["set","a","1"],["get","a"]],"transaction":true,"encoding":"base64"})");
}

TEST(RestCommand, UpstashAnswers) {
  RestAnswer a;
  ASSERT_TRUE(UpstashAnswer(R"({"results":[{"result":"T0s="}]})", RestShape::kSingle, &a));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, R"({"result":"T0s="})");
  ASSERT_TRUE(UpstashAnswer(R"({"results":[{"error":"WRONGTYPE x"}]})", RestShape::kSingle, &a));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, R"({"error":"WRONGTYPE x"})");
  ASSERT_TRUE(UpstashAnswer(R"({"results":[{"result":1},{"error":"ERR y"},{"result":null}]})",
                            RestShape::kPipeline, &a));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, R"([{"result":1},{"error":"ERR y"},{"result":null}])");
  ASSERT_TRUE(UpstashAnswer(
      R"({"results":[{"error":"EXECABORT Transaction discarded because of previous errors."},)"
      R"({"error":"ERR wrong number of arguments for 'get' command"}],"aborted":true})",
      RestShape::kTransaction, &a));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body,
            R"({"error":"EXECABORT Transaction discarded because of previous errors: ERR wrong )"
            R"(number of arguments for 'get' command"})");
  for (std::string_view bad : {"", "{}", R"({"results":{}})", R"({"results":[1]})",
                               R"({"results":[{}]})", R"({"results":[]})"}) {
    EXPECT_FALSE(UpstashAnswer(bad, RestShape::kSingle, &a)) << bad;
  }
}

}  // namespace
}  // namespace mr::services::gateway
