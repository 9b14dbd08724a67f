#include "security/opaque_token.h"

#include <sodium.h>

#include "security/base64url.h"
#include "security/instance_password.h"
#include "security/sodium_init.h"

namespace mr::security {
namespace {

constexpr size_t kRandomBytes = 32;
constexpr size_t kEncodedChars = 43;  // 32 bytes in unpadded base64url

std::string_view PrefixOf(OpaqueKind kind) {
  return kind == OpaqueKind::kApiKey ? kApiKeyPrefix : kRefreshTokenPrefix;
}

}  // namespace

IssuedSecret NewOpaqueSecret(OpaqueKind kind) {
  EnsureSodium();
  unsigned char raw[kRandomBytes];
  randombytes_buf(raw, sizeof(raw));
  IssuedSecret out;
  out.secret = std::string(PrefixOf(kind)) +
               Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof(raw)));
  sodium_memzero(raw, sizeof(raw));
  out.hash = HashOpaqueSecret(out.secret);
  size_t visible = kind == OpaqueKind::kApiKey ? kApiKeyVisibleChars : 0;
  out.visible_prefix = out.secret.substr(0, PrefixOf(kind).size() + visible);
  return out;
}

bool LooksLikeOpaqueSecret(std::string_view secret, OpaqueKind kind) {
  std::string_view prefix = PrefixOf(kind);
  if (secret.size() != prefix.size() + kEncodedChars || secret.substr(0, prefix.size()) != prefix) {
    return false;
  }
  std::optional<std::string> raw = Base64UrlDecode(secret.substr(prefix.size()));
  return raw && raw->size() == kRandomBytes;
}

std::string HashOpaqueSecret(std::string_view secret) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return std::string(hex, sizeof(hex) - 1);
}

bool OpaqueSecretMatches(std::string_view secret, std::string_view stored_hash) {
  return ConstantTimeEquals(HashOpaqueSecret(secret), stored_hash);
}

}  // namespace mr::security
