// Access tokens: EdDSA (Ed25519) JWTs in JWS compact form. auth-service signs them with its
// KeyRing's current key; any service verifies them locally with a JwtVerifier built from the JWKS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "security/key_ring.h"
#include "security/verification_keys.h"

namespace mr::security {

struct AccessClaims {
  std::string sub;  ///< user id
  std::string sid;  ///< session id: the refresh-token family this token belongs to
  std::string iss;
  std::string aud;
  std::string jti;  ///< unique token id
  int64_t iat = 0;  ///< issued at, unix seconds
  int64_t exp = 0;  ///< expires at, unix seconds
};

/// Header {"alg":"EdDSA","typ":"JWT","kid":<key's kid>}. Fills an empty jti with 128 random bits.
std::string SignAccessToken(const SigningKey& key, AccessClaims claims);

enum class TokenError {
  kOk,
  kTooLarge,        ///< longer than JwtRules::max_token_bytes
  kMalformed,       ///< not three base64url parts of JSON objects, or an unsupported header
  kBadAlgorithm,    ///< alg is not EdDSA (none, HS256, RS256, ...)
  kUnknownKey,      ///< kid not among the verification keys (unknown, or dropped after rotation)
  kBadSignature,
  kBadClaims,       ///< a required claim is missing or has the wrong type
  kExpired,
  kNotYetValid,     ///< iat or nbf in the future (beyond the leeway)
  kWrongIssuer,
  kWrongAudience,
};

/// A short reason for logs and metrics labels; no token content.
std::string_view Describe(TokenError error);

struct TokenCheck {
  TokenError error = TokenError::kMalformed;
  AccessClaims claims;  ///< meaningful only when ok()
  bool ok() const { return error == TokenError::kOk; }
};

struct JwtRules {
  std::string issuer;    ///< required `iss`
  std::string audience;  ///< required among `aud` (a string or an array of strings)
  int64_t leeway_seconds = 30;
  size_t max_token_bytes = 8 * 1024;
  /// Tokens that verified once are remembered (by their exact bytes) so the next request with the
  /// same token skips Ed25519; time claims are still checked on each call. 0 disables.
  size_t cache_entries = 10000;
};

/// Immutable key set + rules; thread-safe. To take new keys (JWKS refresh), build a new verifier
/// and swap a std::shared_ptr to it.
class JwtVerifier {
 public:
  JwtVerifier(VerificationKeys keys, JwtRules rules);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  TokenCheck Verify(std::string_view token) const;
  TokenCheck VerifyAt(std::string_view token, int64_t now_unix_seconds) const;
  const VerificationKeys& keys() const { return keys_; }
  const JwtRules& rules() const { return rules_; }

 private:
  struct Cache;
  TokenCheck VerifyUncached(std::string_view token, int64_t now) const;
  TokenError CheckTimes(const AccessClaims& claims, int64_t now) const;

  const VerificationKeys keys_;
  const JwtRules rules_;
  std::unique_ptr<Cache> cache_;
};

int64_t UnixNow();

}  // namespace mr::security
