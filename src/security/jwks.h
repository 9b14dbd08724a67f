// JWKS (RFC 7517) documents for Ed25519 keys: auth-service publishes its verification keys with
// ToJwks; the gateway and other services build a JwtVerifier from ParseJwks.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "security/verification_keys.h"

namespace mr::security {

inline constexpr size_t kMaxJwksBytes = 64 * 1024;

/// {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"}, ...]}
std::string ToJwks(const VerificationKeys& keys);

/// Accepts Ed25519 signature keys; skips keys of other types or uses (as RFC 7517 allows).
/// Fails on malformed JSON, an Ed25519 key with a bad `x` or no kid, private material (`d`), or a
/// document with no usable key.
Result<VerificationKeys> ParseJwks(std::string_view document);

}  // namespace mr::security
