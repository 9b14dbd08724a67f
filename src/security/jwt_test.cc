#include "security/jwt.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "security/base64url.h"
#include "security/jwks.h"

namespace mr::security {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class JwtTest : public ::testing::Test {
 protected:
  JwtTest() : ring_(KeyRing::Generate(kNow - 100)) {}

  AccessClaims Claims(int64_t iat = kNow, int64_t ttl = 900) {
    return {"user-42", "sess-7", "miniredis-auth", "miniredis-api", "", iat, iat + ttl};
  }
  JwtRules Rules(size_t cache = 0) {
    JwtRules r{"miniredis-auth", "miniredis-api"};
    r.cache_entries = cache;
    return r;
  }
  JwtVerifier Verifier(size_t cache = 0) { return JwtVerifier(ring_->PublicKeys(), Rules(cache)); }
  TokenError Check(const std::string& token, int64_t now = kNow) {
    return Verifier().VerifyAt(token, now).error;
  }
  // Signs arbitrary header/payload JSON with the current key: for tokens our signer never makes.
  std::string Craft(std::string_view header, std::string_view payload) {
    std::string signed_part = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    return signed_part + "." + Base64UrlEncode(ring_->current()->Sign(signed_part));
  }
  std::string Kid() { return ring_->current()->kid(); }
  std::string Header() { return R"({"alg":"EdDSA","typ":"JWT","kid":")" + Kid() + "\"}"; }
  std::string Payload(std::string_view extra = "") {
    return std::string(R"({"sub":"u","sid":"s","iat":1800000000,"exp":1800000900,)") +
           R"("iss":"miniredis-auth","aud":"miniredis-api","jti":"j")" + std::string(extra) + "}";
  }

  std::unique_ptr<KeyRing> ring_;
};

TEST_F(JwtTest, SignsAndVerifies) {
  std::string token = SignAccessToken(*ring_->current(), Claims());
  TokenCheck c = Verifier().VerifyAt(token, kNow + 10);
  ASSERT_TRUE(c.ok()) << Describe(c.error);
  EXPECT_EQ(c.claims.sub, "user-42");
  EXPECT_EQ(c.claims.sid, "sess-7");
  EXPECT_EQ(c.claims.exp, kNow + 900);
  EXPECT_EQ(c.claims.jti.size(), 22u);  // 128 random bits
  auto header = Base64UrlDecode(token.substr(0, token.find('.')));
  EXPECT_EQ(*header, R"({"alg":"EdDSA","typ":"JWT","kid":")" + ring_->current()->kid() + "\"}");
}

TEST_F(JwtTest, RejectsFlippedSignatureByte) {
  std::string token = SignAccessToken(*ring_->current(), Claims());
  size_t dot = token.rfind('.');
  std::string sig = *Base64UrlDecode(token.substr(dot + 1));
  sig[10] ^= 1;
  EXPECT_EQ(Check(token.substr(0, dot + 1) + Base64UrlEncode(sig)), TokenError::kBadSignature);
  EXPECT_EQ(Check(token.substr(0, dot + 1)), TokenError::kBadSignature);  // empty signature
}

TEST_F(JwtTest, RejectsSwappedPayload) {
  std::string mine = SignAccessToken(*ring_->current(), Claims());
  AccessClaims admin = Claims();
  admin.sub = "admin";
  std::string theirs = SignAccessToken(*ring_->current(), admin);
  size_t d1 = mine.find('.'), d2 = mine.rfind('.');
  size_t t1 = theirs.find('.'), t2 = theirs.rfind('.');
  std::string spliced = mine.substr(0, d1) + theirs.substr(t1, t2 - t1) + mine.substr(d2);
  EXPECT_EQ(Check(spliced), TokenError::kBadSignature);
}

TEST_F(JwtTest, RejectsAlgNone) {
  std::string body = Base64UrlEncode(Payload());
  for (std::string header : {std::string(R"({"alg":"none","typ":"JWT"})"),
                             R"({"alg":"none","typ":"JWT","kid":")" + Kid() + "\"}",
                             std::string(R"({"alg":"NONE"})"), std::string(R"({"typ":"JWT"})")}) {
    EXPECT_EQ(Check(Base64UrlEncode(header) + "." + body + "."), TokenError::kBadAlgorithm)
        << header;
  }
}

TEST_F(JwtTest, RejectsHs256SignedWithPublicKey) {
  // The classic confusion: the attacker knows the public key and uses it as an HMAC secret.
  const Ed25519PublicKey& pk = ring_->current()->public_key();
  std::string raw(reinterpret_cast<const char*>(pk.data()), pk.size());
  std::string x = Base64UrlEncode(raw);
  std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + ring_->current()->kid() + "\"}";
  std::string signed_part = Base64UrlEncode(header) + "." + Base64UrlEncode(Payload());
  for (const std::string& secret : {raw, x}) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                  signed_part.size());
    crypto_auth_hmacsha256_final(&st, mac);
    std::string token = signed_part + "." + Base64UrlEncode(std::string_view(
                                                reinterpret_cast<const char*>(mac), sizeof(mac)));
    EXPECT_EQ(Check(token), TokenError::kBadAlgorithm);
  }
}

TEST_F(JwtTest, RejectsUnknownKid) {
  auto other = KeyRing::Generate(kNow);
  EXPECT_EQ(Check(SignAccessToken(*other->current(), Claims())), TokenError::kUnknownKey);
}

TEST_F(JwtTest, ExpiryWithLeeway) {
  std::string token = SignAccessToken(*ring_->current(), Claims(kNow, 900));
  EXPECT_EQ(Check(token, kNow + 899), TokenError::kOk);
  EXPECT_EQ(Check(token, kNow + 900 + 29), TokenError::kOk);  // within the 30 s leeway
  EXPECT_EQ(Check(token, kNow + 900 + 30), TokenError::kExpired);
  EXPECT_EQ(Check(token, kNow + 86400), TokenError::kExpired);
}

TEST_F(JwtTest, RejectsFutureIatAndNbf) {
  std::string future = SignAccessToken(*ring_->current(), Claims(kNow + 3600));
  EXPECT_EQ(Check(future), TokenError::kNotYetValid);
  EXPECT_EQ(Check(SignAccessToken(*ring_->current(), Claims(kNow + 20))), TokenError::kOk);
  EXPECT_EQ(Check(Craft(Header(), Payload(R"(,"nbf":1800000500)"))), TokenError::kNotYetValid);
}

TEST_F(JwtTest, RejectsWrongIssuerAndAudience) {
  AccessClaims c = Claims();
  c.iss = "evil";
  EXPECT_EQ(Check(SignAccessToken(*ring_->current(), c)), TokenError::kWrongIssuer);
  c = Claims();
  c.aud = "other-service";
  EXPECT_EQ(Check(SignAccessToken(*ring_->current(), c)), TokenError::kWrongAudience);
  std::string arr = R"({"sub":"u","sid":"s","iat":1800000000,"exp":1800000900,)"
                    R"("iss":"miniredis-auth","aud":["x","miniredis-api"],"jti":"j"})";
  EXPECT_EQ(Check(Craft(Header(), arr)), TokenError::kOk);
}

TEST_F(JwtTest, RejectsMalformedTokens) {
  std::string token = SignAccessToken(*ring_->current(), Claims());
  EXPECT_EQ(Check(""), TokenError::kMalformed);
  EXPECT_EQ(Check("a.b"), TokenError::kMalformed);
  EXPECT_EQ(Check(token + ".x"), TokenError::kMalformed);
  EXPECT_EQ(Check(token + "="), TokenError::kMalformed);  // padding
  EXPECT_EQ(Check("!" + token), TokenError::kMalformed);
  EXPECT_EQ(Check(Base64UrlEncode("{not json") + "." + token.substr(token.find('.') + 1)),
            TokenError::kMalformed);
  EXPECT_EQ(Check(Base64UrlEncode("[1]") + "." + token.substr(token.find('.') + 1)),
            TokenError::kMalformed);
  EXPECT_EQ(Check(Craft(Header(), "not json")), TokenError::kMalformed);
  EXPECT_EQ(Check(Craft(R"({"alg":"EdDSA","kid":")" + Kid() + R"(","crit":["b64"]})", Payload())),
            TokenError::kMalformed);
  EXPECT_EQ(Check(Craft(R"({"alg":"EdDSA"})", Payload())), TokenError::kMalformed);  // no kid
}

TEST_F(JwtTest, RejectsBadClaims) {
  EXPECT_EQ(Check(Craft(Header(), R"({"sub":"u"})")), TokenError::kBadClaims);
  EXPECT_EQ(Check(Craft(Header(), R"({"sub":"u","sid":"s","iat":1800000000,"exp":1.8e9,)"
                                  R"("iss":"miniredis-auth","aud":"miniredis-api","jti":"j"})")),
            TokenError::kBadClaims);
  EXPECT_EQ(Check(Craft(Header(), R"({"sub":42,"sid":"s","iat":1800000000,"exp":1800000900,)"
                                  R"("iss":"miniredis-auth","aud":"miniredis-api","jti":"j"})")),
            TokenError::kBadClaims);
  EXPECT_EQ(Check(Craft(Header(), R"({"sub":"u","sid":"s","iat":1800000000,)"
                                  R"("exp":9223372036854775807,"iss":"miniredis-auth",)"
                                  R"("aud":"miniredis-api","jti":"j"})")),
            TokenError::kOk);  // absurd but not overflowing
}

TEST_F(JwtTest, RejectsOversizedToken) {
  std::string big = Craft(Header(), Payload(R"(,"pad":")" + std::string(9000, 'a') + "\""));
  EXPECT_EQ(Check(big), TokenError::kTooLarge);
}

TEST_F(JwtTest, RotationKeepsOldTokensUntilDropped) {
  std::string old_kid = ring_->current()->kid();
  std::string old_token = SignAccessToken(*ring_->current(), Claims());
  Result<std::string> new_kid = ring_->Rotate(kNow);
  ASSERT_TRUE(new_kid.ok());
  EXPECT_NE(*new_kid, old_kid);
  std::string new_token = SignAccessToken(*ring_->current(), Claims());
  EXPECT_EQ(Check(old_token), TokenError::kOk);
  EXPECT_EQ(Check(new_token), TokenError::kOk);
  EXPECT_FALSE(ring_->Drop(*new_kid).ok());  // the current key stays
  Result<size_t> dropped = ring_->DropRetiredBefore(kNow + 1);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  EXPECT_EQ(Check(old_token), TokenError::kUnknownKey);
  EXPECT_EQ(Check(new_token), TokenError::kOk);
}

TEST_F(JwtTest, JwksRoundTrip) {
  ASSERT_TRUE(ring_->Rotate(kNow).ok());
  std::string jwks = ToJwks(ring_->PublicKeys());
  EXPECT_EQ(jwks.find("\"d\""), std::string::npos);
  EXPECT_NE(jwks.find(R"("kty":"OKP","crv":"Ed25519")"), std::string::npos);
  Result<VerificationKeys> keys = ParseJwks(jwks);
  ASSERT_TRUE(keys.ok()) << keys.error();
  ASSERT_EQ(keys->keys().size(), 2u);
  JwtVerifier remote(*keys, Rules());
  EXPECT_TRUE(remote.VerifyAt(SignAccessToken(*ring_->current(), Claims()), kNow).ok());
  EXPECT_EQ(ToJwks(*keys), jwks);
}

TEST_F(JwtTest, JwksRejectsBadDocuments) {
  EXPECT_FALSE(ParseJwks("").ok());
  EXPECT_FALSE(ParseJwks("{\"keys\":{}}").ok());
  EXPECT_FALSE(ParseJwks("{\"keys\":[]}").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"short"}]})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":")" +
                         std::string(43, 'A') + R"(","d":"secret"}]})").ok());
  // Keys of other types are skipped, not fatal.
  auto mixed = ParseJwks(R"({"keys":[{"kty":"RSA","n":"x","e":"AQAB","kid":"r"},)"
                         R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" +
                         std::string(43, 'A') + R"("}]})");
  ASSERT_TRUE(mixed.ok()) << mixed.error();
  EXPECT_EQ(mixed->keys().size(), 1u);
}

TEST_F(JwtTest, CacheStillChecksExpiry) {
  JwtVerifier cached = Verifier(16);
  std::string token = SignAccessToken(*ring_->current(), Claims(kNow, 60));
  EXPECT_TRUE(cached.VerifyAt(token, kNow).ok());
  EXPECT_TRUE(cached.VerifyAt(token, kNow + 1).ok());  // served from the cache
  TokenCheck late = cached.VerifyAt(token, kNow + 1000);
  EXPECT_EQ(late.error, TokenError::kExpired);
  EXPECT_TRUE(late.claims.sub.empty());
  // A forgery sharing a prefix with a cached token is not served from the cache.
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'Q' : 'A';
  EXPECT_FALSE(cached.VerifyAt(forged, kNow).ok());
  for (int i = 0; i < 40; ++i) {  // more distinct tokens than entries: stays bounded and correct
    EXPECT_TRUE(cached.VerifyAt(SignAccessToken(*ring_->current(), Claims()), kNow).ok());
  }
}

}  // namespace
}  // namespace mr::security
