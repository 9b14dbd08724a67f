#include "security/opaque_token.h"

#include <gtest/gtest.h>

#include <set>

namespace mr::security {
namespace {

TEST(OpaqueToken, RefreshTokenShapeAndHash) {
  IssuedSecret t = NewOpaqueSecret(OpaqueKind::kRefreshToken);
  EXPECT_EQ(t.secret.rfind("mr_rt_", 0), 0u);
  EXPECT_EQ(t.secret.size(), 6u + 43u);
  EXPECT_EQ(t.visible_prefix, "mr_rt_");
  EXPECT_EQ(t.hash.size(), 64u);
  EXPECT_EQ(t.hash.find(t.secret.substr(6)), std::string::npos);
  EXPECT_EQ(t.hash, HashOpaqueSecret(t.secret));
  EXPECT_TRUE(LooksLikeOpaqueSecret(t.secret, OpaqueKind::kRefreshToken));
  EXPECT_FALSE(LooksLikeOpaqueSecret(t.secret, OpaqueKind::kApiKey));
}

TEST(OpaqueToken, ApiKeyShowsShortPrefix) {
  IssuedSecret k = NewOpaqueSecret(OpaqueKind::kApiKey);
  EXPECT_EQ(k.secret.rfind("mr_live_", 0), 0u);
  EXPECT_EQ(k.visible_prefix.size(), 8u + 8u);
  EXPECT_EQ(k.secret.rfind(k.visible_prefix, 0), 0u);
  EXPECT_TRUE(LooksLikeOpaqueSecret(k.secret, OpaqueKind::kApiKey));
}

TEST(OpaqueToken, MatchesOnlyItsOwnHash) {
  IssuedSecret a = NewOpaqueSecret(OpaqueKind::kApiKey);
  IssuedSecret b = NewOpaqueSecret(OpaqueKind::kApiKey);
  EXPECT_TRUE(OpaqueSecretMatches(a.secret, a.hash));
  EXPECT_FALSE(OpaqueSecretMatches(a.secret, b.hash));
  EXPECT_FALSE(OpaqueSecretMatches(a.secret, ""));
  std::string flipped = a.secret;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpaqueSecretMatches(flipped, a.hash));
}

TEST(OpaqueToken, UniqueAndShapeChecked) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(NewOpaqueSecret(OpaqueKind::kRefreshToken).secret).second);
  }
  EXPECT_FALSE(LooksLikeOpaqueSecret("", OpaqueKind::kRefreshToken));
  EXPECT_FALSE(LooksLikeOpaqueSecret("mr_rt_short", OpaqueKind::kRefreshToken));
  EXPECT_FALSE(LooksLikeOpaqueSecret("mr_rt_" + std::string(43, '='), OpaqueKind::kRefreshToken));
  EXPECT_FALSE(LooksLikeOpaqueSecret("mr_rt_' OR 1=1 --" + std::string(26, 'a'),
                                     OpaqueKind::kRefreshToken));
}

}  // namespace
}  // namespace mr::security
