#include "security/instance_password.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace mr {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

std::string Digest(std::string_view salt_hex, std::string_view password) {
  std::string input(salt_hex);
  input += password;
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), d);
  return Hex(d, sizeof(d));
}

}  // namespace

std::string HashInstancePassword(std::string_view password) {
  unsigned char salt[16];
  RAND_bytes(salt, sizeof(salt));
  std::string salt_hex = Hex(salt, sizeof(salt));
  return "sha256$" + salt_hex + "$" + Digest(salt_hex, password);
}

bool VerifyInstancePassword(std::string_view password, std::string_view stored) {
  // High-entropy generated passwords make a fast salted hash enough, and AUTH must be cheap.
  if (stored.substr(0, 7) != "sha256$" || stored.size() != 7 + 32 + 1 + 64) {
    return false;
  }
  std::string_view salt = stored.substr(7, 32);
  std::string expected(stored.substr(40));
  std::string actual = Digest(salt, password);
  return CRYPTO_memcmp(expected.data(), actual.data(), expected.size()) == 0;
}


bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mr
