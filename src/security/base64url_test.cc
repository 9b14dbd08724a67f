#include "security/base64url.h"

#include <gtest/gtest.h>

namespace mr::security {
namespace {

TEST(Base64Url, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes += static_cast<char>(i * 37 + 11);
    std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Url, KnownVectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RejectsNonCanonicalInput) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n").has_value()); // whitespace
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());      // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());     // non-zero unused bits ("Zg" is canonical)
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zg\0", 3)).has_value());
  EXPECT_TRUE(Base64UrlDecode("").has_value());
}

}  // namespace
}  // namespace mr::security
