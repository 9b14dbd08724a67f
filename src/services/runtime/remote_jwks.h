// Local access-token verification with the keys auth-service publishes at its JWKS URL: fetched at
// start, and again when a token names a key we lack (rotation), at most once per min_refetch.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/client.h"
#include "security/jwt.h"

namespace mr::services {

/// Thread-safe. Verification runs on an immutable verifier outside any lock; only a refetch
/// blocks, and concurrent callers share one fetch. Call from worker threads, never from the
/// ClientPool's own I/O thread.
class RemoteJwks {
 public:
  /// A fetch (connect included) that takes longer fails: callers never wait longer than this.
  static constexpr std::chrono::milliseconds kFetchTimeout{2000};

  /// `pool` must outlive this object. `rules` are the issuer and audience tokens must carry
  /// (auth-service: "miniredis-auth", "miniredis-api"). `min_refetch` bounds how often unknown
  /// key ids (rotation, or forged tokens) may make us call auth-service.
  RemoteJwks(http::ClientPool* pool, std::string jwks_url, security::JwtRules rules,
             std::chrono::milliseconds min_refetch = std::chrono::seconds(5));

  /// Verifies with the current keys; a token whose kid they lack (or any token before the first
  /// successful fetch) makes one refetch, subject to min_refetch, then is verified again. While
  /// the JWKS cannot be fetched, such tokens fail with TokenError::kUnknownKey.
  security::TokenCheck Verify(std::string_view token);
  /// Fetches now regardless of min_refetch (at start, or from a timer); the error names the URL.
  Status Refresh();

  /// True once a fetch has succeeded (for readiness checks).
  bool has_keys() const;
  /// True while the newest fetch failed: an unknown key id may then be a key we could not
  /// download, so the caller should answer "retry later" (503), not "bad token" (401).
  bool keys_unavailable() const;
  /// JWKS downloads started so far (tests and metrics).
  size_t fetches() const { return fetches_.load(); }

 private:
  struct Snapshot {
    std::shared_ptr<const security::JwtVerifier> verifier;
    uint64_t generation = 0;  // fetches completed when the snapshot was taken
  };
  Snapshot Current() const;
  // Single flight: when a fetch completed since `seen`, or one is running, its outcome is ours.
  Status Fetch(uint64_t seen, bool rate_limited);
  Result<security::VerificationKeys> Download();

  http::ClientPool* pool_;
  const std::string url_;
  const security::JwtRules rules_;
  const std::chrono::milliseconds min_refetch_;

  mutable std::mutex mu_;
  std::condition_variable fetch_done_;
  std::shared_ptr<const security::JwtVerifier> verifier_;  // no keys before the first fetch
  bool has_keys_ = false;
  bool fetching_ = false;
  uint64_t completed_ = 0;
  Status last_status_;
  std::optional<std::chrono::steady_clock::time_point> last_done_;
  std::atomic<size_t> fetches_{0};
};

}  // namespace mr::services
