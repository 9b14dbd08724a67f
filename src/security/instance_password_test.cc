#include "security/instance_password.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(InstancePassword, VerifiesAndIsSalted) {
  std::string h1 = HashInstancePassword("secret"), h2 = HashInstancePassword("secret");
  EXPECT_NE(h1, h2);
  EXPECT_TRUE(VerifyInstancePassword("secret", h1));
  EXPECT_TRUE(VerifyInstancePassword("secret", h2));
  EXPECT_FALSE(VerifyInstancePassword("Secret", h1));
  EXPECT_FALSE(VerifyInstancePassword("secret", "garbage"));
  EXPECT_FALSE(VerifyInstancePassword("", h1));
  EXPECT_EQ(h1.find("secret"), std::string::npos);
}

TEST(InstancePassword, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace mr
