#include "security/password_policy.h"

#include <gtest/gtest.h>

namespace mr::security {
namespace {

bool Accepted(std::string_view pw, std::string_view email = "alice@example.com") {
  return CheckPasswordStrength(pw, email).ok();
}

TEST(PasswordPolicy, AcceptsReasonablePasswords) {
  EXPECT_TRUE(Accepted("Tr0ub4dor&3x"));
  EXPECT_TRUE(Accepted("correct horse battery staple"));
  EXPECT_TRUE(Accepted("onlylowercaseletters"));  // 16+ code points: one class is fine
  EXPECT_TRUE(Accepted("grün-Äpfel-9"));
}

TEST(PasswordPolicy, CountsCodePointsNotBytes) {
  // 9 code points, 18 bytes: too short even though the byte count is over 10.
  EXPECT_FALSE(Accepted("ääääääää1"));
  EXPECT_TRUE(Accepted("äöüäöüäöü1"));
}

TEST(PasswordPolicy, LengthLimits) {
  Status s = CheckPasswordStrength("Sh0rt!", "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at least 10"), std::string::npos);
  EXPECT_FALSE(Accepted(std::string(257, 'a') + "B1"));
  EXPECT_TRUE(Accepted(std::string(250, 'a') + "B1xyz"));
}

TEST(PasswordPolicy, ShortPasswordsNeedTwoClasses) {
  EXPECT_FALSE(Accepted("abcdefghijkl"));
  EXPECT_FALSE(Accepted("1234567890123"));
  EXPECT_TRUE(Accepted("abcdefgh1jkl"));
  EXPECT_FALSE(Accepted("zzzzzzzzzzzzzzzzzzzz"));  // long but a single repeated character
}

TEST(PasswordPolicy, RejectsCommonPasswords) {
  EXPECT_FALSE(Accepted("password123"));
  EXPECT_FALSE(Accepted("Password2024!"));
  EXPECT_FALSE(Accepted("qwertyuiop"));
  EXPECT_FALSE(Accepted("1q2w3e4r5t"));
  Status s = CheckPasswordStrength("iloveyou12", "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("common"), std::string::npos);
  EXPECT_EQ(s.message().find("iloveyou"), std::string::npos);  // never echo the password
}

TEST(PasswordPolicy, RejectsEmailLocalPart) {
  EXPECT_FALSE(Accepted("Alice.Smith#2025", "alice.smith@example.com"));
  EXPECT_FALSE(Accepted("bob@example.com", "bob@example.com"));
  EXPECT_TRUE(Accepted("jo-is-9-long!", "jo@example.com"));  // a 2-letter local part is ignored
}

TEST(PasswordPolicy, RejectsInvalidUtf8) {
  EXPECT_FALSE(Accepted("abcdefghij\xff"));
  EXPECT_FALSE(Accepted("abcdefghij\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(Accepted("abcdefghij\xed\xa0\x80"));  // surrogate
}

}  // namespace
}  // namespace mr::security
