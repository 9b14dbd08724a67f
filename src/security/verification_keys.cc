#include "security/verification_keys.h"

#include <sodium.h>

#include "security/base64url.h"
#include "security/sodium_init.h"

namespace mr::security {

void VerificationKeys::Add(std::string kid, const Ed25519PublicKey& public_key) {
  for (auto& k : keys_) {
    if (k.kid == kid) {
      k.public_key = public_key;
      return;
    }
  }
  keys_.push_back({std::move(kid), public_key});
}

const VerificationKey* VerificationKeys::Find(std::string_view kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) {
      return &k;
    }
  }
  return nullptr;
}

std::string KeyThumbprint(const Ed25519PublicKey& public_key) {
  EnsureSodium();
  // RFC 7638 §3.2: required members only, sorted, no whitespace.
  std::string x(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  std::string canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + Base64UrlEncode(x) + R"("})";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace mr::security
