// libFuzzer target for the JWT verifier, the JWKS parser and base64url: no crash on any input, and
// nothing but a token signed by the fuzzer's own key ever verifies.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "security/base64url.h"
#include "security/jwks.h"
#include "security/jwt.h"

namespace {

using namespace mr::security;

constexpr int64_t kNow = 1'800'000'000;

// A fixed key (seed of 32 x 0x2a) so that seeds in the corpus carry valid signatures.
const SigningKey& Key() {
  static auto key = SigningKey::FromSeed([] {
    SigningKey::Seed s;
    s.fill(0x2a);
    return s;
  }(), 0);
  return *key;
}

const JwtVerifier& Verifier() {
  static JwtVerifier v([] {
    VerificationKeys keys;
    keys.Add(Key().kid(), Key().public_key());
    return keys;
  }(), [] {
    JwtRules r{"miniredis-auth", "miniredis-api"};
    r.cache_entries = 64;
    return r;
  }());
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  TokenCheck check = Verifier().VerifyAt(text, kNow);
  if (check.ok()) {
    // Only a correctly signed token verifies: re-verifying the signed part must agree.
    size_t dot = text.rfind('.');
    auto sig = Base64UrlDecode(text.substr(dot + 1));
    if (!sig || *sig != Key().Sign(text.substr(0, dot)) || check.claims.sub.empty()) {
      std::abort();
    }
  }
  // Whatever the fuzzer finds as a header/payload, signing it must produce a verifiable token
  // whenever the claims are valid (exercises the claim parser past the signature check).
  std::string signed_part = std::string(text.substr(0, text.rfind('.')));
  std::string resigned = signed_part + "." + Base64UrlEncode(Key().Sign(signed_part));
  Verifier().VerifyAt(resigned, kNow);

  if (auto decoded = Base64UrlDecode(text); decoded && Base64UrlEncode(*decoded) != text) {
    std::abort();  // strict decoding means one text per byte string
  }
  if (auto keys = ParseJwks(text); keys.ok() && keys->empty()) {
    std::abort();
  }
  return 0;
}
