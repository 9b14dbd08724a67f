// Prints the cost of the security primitives on this machine: JWT verification (Ed25519, cold and
// cached) and argon2id hashing at the interactive cost. Run from a release build; not a test.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "security/base64url.h"
#include "security/jwt.h"
#include "security/password_hasher.h"

namespace {

using Clock = std::chrono::steady_clock;

double MicrosPer(Clock::time_point start, int n) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mr::security;
  int tokens = argc > 1 ? std::atoi(argv[1]) : 5000;
  int hashes = argc > 2 ? std::atoi(argv[2]) : 5;
  int64_t now = UnixNow();
  auto ring = KeyRing::Generate(now);
  JwtRules rules{"miniredis-auth", "miniredis-api"};
  std::vector<std::string> batch;
  for (int i = 0; i < tokens; ++i) {
    AccessClaims c{"user-" + std::to_string(i), "session", rules.issuer, rules.audience, "", now,
                   now + 900};
    batch.push_back(SignAccessToken(*ring->current(), c));
  }
  std::printf("token size: %zu bytes\n", batch.front().size());

  // The primitive alone, on the same tokens: what the parsing and claim checks add on top of it.
  std::string first = batch.front();
  size_t dot = first.rfind('.');
  std::string sig = *Base64UrlDecode(first.substr(dot + 1));
  int raw_ok = 0;
  auto raw_start = Clock::now();
  for (int i = 0; i < tokens; ++i) {
    raw_ok += crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                          reinterpret_cast<const unsigned char*>(first.data()), dot,
                                          ring->current()->public_key().data()) == 0;
  }
  std::printf("ed25519 verify alone: %.1f us (%d ok)\n", MicrosPer(raw_start, tokens), raw_ok);

  rules.cache_entries = 0;
  JwtVerifier cold(ring->PublicKeys(), rules);
  int ok = 0;
  auto start = Clock::now();
  for (const auto& t : batch) {
    ok += cold.VerifyAt(t, now).ok();
  }
  std::printf("jwt verify (no cache): %.1f us/token over %d tokens (%d ok)\n",
              MicrosPer(start, tokens), tokens, ok);

  rules.cache_entries = 10000;
  JwtVerifier cached(ring->PublicKeys(), rules);
  for (const auto& t : batch) {
    cached.VerifyAt(t, now);
  }
  ok = 0;
  start = Clock::now();
  for (const auto& t : batch) {
    ok += cached.VerifyAt(t, now).ok();
  }
  std::printf("jwt verify (cache hit): %.2f us/token (%d ok)\n", MicrosPer(start, tokens), ok);

  start = Clock::now();
  for (int i = 0; i < tokens; ++i) {
    SignAccessToken(*ring->current(), {"u", "s", rules.issuer, rules.audience, "", now, now + 900});
  }
  std::printf("jwt sign: %.1f us/token\n", MicrosPer(start, tokens));

  PasswordCost cost = PasswordCost::Interactive();
  start = Clock::now();
  std::string stored;
  for (int i = 0; i < hashes; ++i) {
    stored = *HashPassword("correct horse battery staple", cost);
  }
  std::printf("argon2id hash (ops=%llu, mem=%zu MiB): %.1f ms/hash over %d\n",
              static_cast<unsigned long long>(cost.ops_limit), cost.mem_limit_bytes >> 20,
              MicrosPer(start, hashes) / 1000, hashes);
  start = Clock::now();
  for (int i = 0; i < hashes; ++i) {
    VerifyPassword("correct horse battery staple", stored, cost);
  }
  std::printf("argon2id verify: %.1f ms/check\n", MicrosPer(start, hashes) / 1000);
  return 0;
}
