#include "services/auth_service/request_json.h"

#include <gtest/gtest.h>

namespace mr::services::auth {
namespace {

const std::vector<FieldSpec> kFields = {{"email", 254}, {"password", 256}};

std::string CodeOf(std::string_view body) {
  std::map<std::string, std::string> out;
  auto e = ParseStringFields(body, kFields, &out);
  return e ? e->code : "ok";
}

TEST(ParseStringFieldsTest, AcceptsExactlyTheFields) {
  std::map<std::string, std::string> out;
  EXPECT_FALSE(ParseStringFields(R"({"email":"a@b.io","password":"pw"})", kFields, &out));
  EXPECT_EQ(out["email"], "a@b.io");
  EXPECT_EQ(out["password"], "pw");
}

TEST(ParseStringFieldsTest, RefusesBadBodiesNamingTheField) {
  EXPECT_EQ(CodeOf("{"), "invalid_json");
  EXPECT_EQ(CodeOf(""), "invalid_json");
  EXPECT_EQ(CodeOf("[1]"), "invalid_json");
  EXPECT_EQ(CodeOf(R"({"email":"a@b.io"})"), "missing_field");
  EXPECT_EQ(CodeOf(R"({"email":"a@b.io","password":"x","admin":true})"), "unknown_field");
  EXPECT_EQ(CodeOf(R"({"email":1,"password":"x"})"), "invalid_email");
  EXPECT_EQ(CodeOf(R"({"email":"a@b.io","password":null})"), "invalid_password");
  EXPECT_EQ(CodeOf(R"({"email":"","password":"x"})"), "invalid_email");
  std::string long_pw(257, 'x');
  std::map<std::string, std::string> out;
  auto e = ParseStringFields(R"({"email":"a@b.io","password":")" + long_pw + "\"}", kFields, &out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "password must be at most 256 bytes");
  EXPECT_TRUE(out.empty());
}

TEST(ParseStringFieldsTest, DoesNotEchoUnprintableFieldNames) {
  std::map<std::string, std::string> out;
  auto e = ParseStringFields(R"({"a\nb":"x"})", kFields, &out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "unknown field");
}

TEST(EmailTest, AcceptsOrdinaryAddresses) {
  for (const char* ok : {"a@b.io", "first.last+tag@example.co.uk", "o'brien@example.com",
                         "x_y-z@sub-domain.example.org"}) {
    EXPECT_TRUE(IsValidEmail(ok)) << ok;
  }
}

TEST(EmailTest, RefusesOddities) {
  for (const char* bad :
       {"", "plain", "@b.io", "a@", "a@b", "a@@b.io", "a@b@c.io", ".a@b.io", "a.@b.io",
        "a..b@c.io", "a b@c.io", "a@-b.io", "a@b-.io", "a@b.i", "a@b.123", "a@[1.2.3.4]",
        "a'; DROP TABLE users;--@x.io", "\"q\"@b.io", "a@b..io"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
  EXPECT_FALSE(IsValidEmail(std::string(65, 'a') + "@b.io"));
  EXPECT_FALSE(IsValidEmail("a@" + std::string(250, 'b') + ".io"));
}

TEST(EmailTest, NormalisesToLowerCase) {
  EXPECT_EQ(NormalizeEmail("Alice@Example.COM"), "alice@example.com");
}

}  // namespace
}  // namespace mr::services::auth
