// Ed25519 public keys by key id (kid): what a token verifier needs, and what JWKS documents carry.
// Holds no secret; cheap to copy into every verifier.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mr::security {

using Ed25519PublicKey = std::array<unsigned char, 32>;

struct VerificationKey {
  std::string kid;
  Ed25519PublicKey public_key{};
};

class VerificationKeys {
 public:
  /// Replaces a key with the same kid.
  void Add(std::string kid, const Ed25519PublicKey& public_key);
  const VerificationKey* Find(std::string_view kid) const;
  const std::vector<VerificationKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<VerificationKey> keys_;  // a handful at most: a linear scan beats a map
};

/// RFC 7638 JWK thumbprint of an Ed25519 key (base64url SHA-256, 43 characters): our kid.
std::string KeyThumbprint(const Ed25519PublicKey& public_key);

}  // namespace mr::security
