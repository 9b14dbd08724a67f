// Who is calling the public API: an access token verified locally (the auth-service's JWKS,
// cached keys) or an API key resolved by the backend and cached briefly, so a busy key costs the
// backend one lookup per few seconds and a revoked key stops working within that time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/client.h"
#include "http/message.h"
#include "services/runtime/remote_jwks.h"

namespace mr::services::gateway {

struct Caller {
  int64_t user_id = 0;
  std::optional<int64_t> api_key_id;
};

class CallerAuth {
 public:
  enum class Outcome { kOk, kMissing, kInvalid, kUnavailable };

  CallerAuth(RemoteJwks* jwks, http::ClientPool* pool, std::string backend_url,
             std::string internal_token, std::chrono::milliseconds key_ttl)
      : jwks_(jwks),
        pool_(pool),
        backend_url_(std::move(backend_url)),
        token_(std::move(internal_token)),
        key_ttl_(key_ttl) {}

  /// From `Authorization: Bearer ...`. Blocking (an API key not in the cache asks the backend).
  Outcome Authenticate(const http::Request& req, Caller* out);

 private:
  Outcome ResolveKey(const std::string& key, Caller* out);

  struct CachedKey {
    bool valid = false;
    Caller caller;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr size_t kMaxCachedKeys = 50000;

  RemoteJwks* jwks_;
  http::ClientPool* pool_;
  std::string backend_url_;
  std::string token_;
  std::chrono::milliseconds key_ttl_;
  std::mutex mu_;
  std::map<std::string, CachedKey> keys_;  // by SHA-256 of the key: no secret kept in memory
};

}  // namespace mr::services::gateway
