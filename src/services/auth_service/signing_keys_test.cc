#include "services/auth_service/signing_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace mr::services::auth {
namespace {

class SigningKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/signing-keys-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SigningKeys::Options Options(int64_t rotation) {
    return {dir_ / "keys", {.issuer = "iss", .audience = "aud"}, rotation, 100};
  }
  std::string Token(const SigningKeys& keys, int64_t now) {
    return security::SignAccessToken(*keys.current(), {"1", "2", "iss", "aud", "", now, now + 50});
  }

  std::filesystem::path dir_;
};

TEST_F(SigningKeysTest, RotatesKeepsTheOldKeyThenDropsIt) {
  const int64_t t0 = 1'000'000;
  auto keys = SigningKeys::Load(Options(10), t0);
  ASSERT_TRUE(keys.ok()) << keys.error();
  std::string old_token = Token(**keys, t0);
  EXPECT_EQ(*(*keys)->Tick(t0 + 5), "");
  EXPECT_EQ(*(*keys)->Tick(t0 + 10), "rotated");
  EXPECT_EQ((*keys)->kids().size(), 2u);
  std::string new_token = Token(**keys, t0 + 10);
  EXPECT_TRUE((*keys)->verifier()->VerifyAt(old_token, t0 + 20).ok());
  EXPECT_TRUE((*keys)->verifier()->VerifyAt(new_token, t0 + 20).ok());
  // The first key retired at t0+10 and is dropped once it is 100 s old; the second rotates too.
  EXPECT_EQ(*(*keys)->Tick(t0 + 111), "rotated, dropped");
  EXPECT_EQ((*keys)->kids().size(), 2u);
  EXPECT_EQ((*keys)->verifier()->VerifyAt(old_token, t0 + 20).error,
            security::TokenError::kUnknownKey);
}

TEST_F(SigningKeysTest, AReplicaFollowsTheSharedFile) {
  const int64_t t0 = 2'000'000;
  auto rotating = SigningKeys::Load(Options(10), t0);
  auto follower = SigningKeys::Load(Options(0), t0);
  ASSERT_TRUE(rotating.ok() && follower.ok());
  EXPECT_EQ((*follower)->kids(), (*rotating)->kids());
  ASSERT_EQ(*(*rotating)->Tick(t0 + 10), "rotated");
  std::string token = Token(**rotating, t0 + 10);
  EXPECT_FALSE((*follower)->verifier()->VerifyAt(token, t0 + 10).ok());
  EXPECT_EQ(*(*follower)->Tick(t0 + 11), "reloaded");
  EXPECT_TRUE((*follower)->verifier()->VerifyAt(token, t0 + 11).ok());
  EXPECT_EQ((*follower)->current()->kid(), (*rotating)->current()->kid());
  EXPECT_EQ(*(*follower)->Tick(t0 + 1000), "");  // it never rotates itself
}

}  // namespace
}  // namespace mr::services::auth
