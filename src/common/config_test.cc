#include "common/config.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

ConfigSchema TestSchema() {
  ConfigSchema s;
  s.Add({.env = "GATEWAY_PORT", .default_value = "8080", .description = "port",
         .validate = validate::Port(), .owner = "api-gateway"});
  s.Add({.env = "LOG_LEVEL", .default_value = "info", .description = "level",
         .validate = validate::OneOf({"debug", "info"}), .owner = "common"});
  s.Add({.env = "SHUTDOWN_GRACE", .default_value = "10s", .description = "grace",
         .validate = validate::Duration(), .owner = "common"});
  s.Add({.env = "INTERNAL_TOKEN", .default_value = "", .description = "token", .secret = true,
         .owner = "common"});
  return s;
}

TEST(EnvFile, ParsesCommentsQuotesAndExport) {
  auto r = ParseEnvFile(
      "# comment\n\nA=1\nexport B = two \nC=\"x y\\n\" # trailing\nD='single # kept'\nE=v #c\n",
      ".env");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->at("A"), "1");
  EXPECT_EQ(r->at("B"), "two");
  EXPECT_EQ(r->at("C"), "x y\n");
  EXPECT_EQ(r->at("D"), "single # kept");
  EXPECT_EQ(r->at("E"), "v");
}

TEST(EnvFile, MalformedLineNamesFileAndLine) {
  auto r = ParseEnvFile("A=1\nthis is not an assignment\n", "my.env");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("my.env:2"), std::string::npos) << r.error();
}

TEST(EnvFile, RejectsBadNamesAndUnterminatedQuotes) {
  EXPECT_FALSE(ParseEnvFile("1A=x\n", "f").ok());
  EXPECT_FALSE(ParseEnvFile("A-B=x\n", "f").ok());
  EXPECT_FALSE(ParseEnvFile("A=\"open\n", "f").ok());
  EXPECT_FALSE(ParseEnvFile("A=\"x\" junk\n", "f").ok());
}

TEST(ResolveConfig, PrecedenceFlagOverEnvOverFileOverDefault) {
  ConfigSources src;
  src.env_file = {{"GATEWAY_PORT", "1001"}, {"LOG_LEVEL", "debug"}};
  src.environment = {{"GATEWAY_PORT", "1002"}};
  auto c = ResolveConfig(TestSchema(), src);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->GetInt("GATEWAY_PORT"), 1002);
  EXPECT_EQ(c->Get("LOG_LEVEL"), "debug");
  EXPECT_EQ(c->GetMillis("SHUTDOWN_GRACE"), 10000);
  src.flags = {{"GATEWAY_PORT", "1003"}};
  EXPECT_EQ(ResolveConfig(TestSchema(), src)->GetInt("GATEWAY_PORT"), 1003);
}

TEST(ResolveConfig, InvalidValueNamesSettingSourceAndValue) {
  ConfigSources src;
  src.environment = {{"GATEWAY_PORT", "70000"}};
  auto c = ResolveConfig(TestSchema(), src);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("GATEWAY_PORT"), std::string::npos);
  EXPECT_NE(c.error().find("70000"), std::string::npos);
  EXPECT_NE(c.error().find("environment"), std::string::npos);
  EXPECT_NE(c.error().find("--gateway-port"), std::string::npos);
}

TEST(ResolveConfig, SecretsAreRedactedInErrors) {
  ConfigSchema s;
  s.Add({.env = "TOKEN", .default_value = "", .validate = validate::IntRange(1, 2), .secret = true});
  ConfigSources src;
  src.flags = {{"TOKEN", "supersecret"}};
  auto c = ResolveConfig(s, src);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().find("supersecret"), std::string::npos);
}

TEST(Validators, Basics) {
  EXPECT_FALSE(validate::Port()("80"));
  EXPECT_TRUE(validate::Port()("0"));
  EXPECT_TRUE(validate::Port()("abc"));
  EXPECT_TRUE(validate::Port()("80x"));
  EXPECT_FALSE(validate::Url()("http://localhost:1"));
  EXPECT_TRUE(validate::Url()("localhost:1"));
  EXPECT_TRUE(validate::NonEmpty()(""));
  EXPECT_EQ(ParseDurationMillis("250ms"), 250);
  EXPECT_EQ(ParseDurationMillis("2m"), 120000);
  EXPECT_EQ(ParseDurationMillis("1h"), 3600000);
  EXPECT_EQ(ParseDurationMillis("3"), 3000);
  EXPECT_FALSE(ParseDurationMillis("-3s"));
  EXPECT_FALSE(ParseDurationMillis("soon"));
}

TEST(ConfigSchema, FlagNamesAndMarkdown) {
  auto s = TestSchema();
  EXPECT_EQ(s.Find("GATEWAY_PORT")->FlagName(), "--gateway-port");
  std::string md = s.RenderMarkdown();
  EXPECT_NE(md.find("| `GATEWAY_PORT` | `--gateway-port` | `8080` |"), std::string::npos);
  EXPECT_NE(md.find("## api-gateway"), std::string::npos);
}

}  // namespace
}  // namespace mr
