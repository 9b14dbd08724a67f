#include "services/runtime/request_body.h"

#include <gtest/gtest.h>

namespace mr::services {
namespace {

using Kind = BodyField::Kind;

const std::vector<BodyField>& Fields() {
  static const std::vector<BodyField> fields = {
      {.name = "name", .kind = Kind::kString, .max_bytes = 8},
      {.name = "size", .kind = Kind::kInt, .required = false, .min = 1, .max = 100},
      {.name = "args", .kind = Kind::kStringArray, .required = false, .max_bytes = 4, .min = 1,
       .max = 3},
  };
  return fields;
}

std::string Code(std::string_view body) {
  BodyValues v;
  auto e = ParseBody(body, Fields(), &v);
  return e ? e->code : "ok";
}

TEST(RequestBodyTest, ReadsEachKind) {
  BodyValues v;
  ASSERT_FALSE(ParseBody(R"({"name":"ab","size":7,"args":["x","yz"]})", Fields(), &v));
  EXPECT_EQ(v["name"].text, "ab");
  EXPECT_EQ(v["size"].integer, 7);
  EXPECT_EQ(v["args"].list, (std::vector<std::string>{"x", "yz"}));
  BodyValues only_required;
  ASSERT_FALSE(ParseBody(R"({"name":"ab"})", Fields(), &only_required));
  EXPECT_EQ(only_required.count("size"), 0u);
}

TEST(RequestBodyTest, RefusesBadShapesNamingTheField) {
  EXPECT_EQ(Code("{"), "invalid_json");
  EXPECT_EQ(Code("[]"), "invalid_json");
  EXPECT_EQ(Code(R"({})"), "missing_field");
  EXPECT_EQ(Code(R"({"name":"a","x":1})"), "unknown_field");
  EXPECT_EQ(Code(R"({"name":""})"), "invalid_name");
  EXPECT_EQ(Code(R"({"name":"123456789"})"), "invalid_name");
  EXPECT_EQ(Code(R"({"name":5})"), "invalid_name");
  EXPECT_EQ(Code(R"({"name":"a","size":"5"})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","size":1.5})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","size":0})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","size":101})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","size":18446744073709551615})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","size":null})"), "invalid_size");
  EXPECT_EQ(Code(R"({"name":"a","args":[]})"), "invalid_args");
  EXPECT_EQ(Code(R"({"name":"a","args":["a","b","c","d"]})"), "invalid_args");
  EXPECT_EQ(Code(R"({"name":"a","args":["abcde"]})"), "invalid_args");
  EXPECT_EQ(Code(R"({"name":"a","args":[1]})"), "invalid_args");
  EXPECT_EQ(Code(R"({"name":"a","args":"x"})"), "invalid_args");
}

TEST(RequestBodyTest, NeverEchoesValuesOrOddFieldNames) {
  BodyValues v;
  auto e = ParseBody(R"({"name":"'; DROP TABLE x; --"})", Fields(), &v);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.find("DROP"), std::string::npos);
  auto odd = ParseBody("{\"na\\u0001me\":1}", Fields(), &v);
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->message, "unknown field");
}

}  // namespace
}  // namespace mr::services
