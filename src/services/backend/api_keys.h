// API keys: opaque mr_live_ secrets shown once, stored as SHA-256, listed by their visible prefix,
// revocable at once. Resolving a key touches last_used_at at most once a minute, so a busy key
// does not turn every request into a write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/backend/audit_log.h"
#include "sql/database.h"

namespace mr::services::backend {

struct ApiKey {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string prefix;
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_used_at_ms;
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // give to the caller once; never stored or logged
};

/// The owner of a live key.
struct KeyOwner {
  int64_t user_id = 0;
  int64_t api_key_id = 0;
};

class ApiKeys {
 public:
  static constexpr int64_t kMaxLiveKeys = 25;
  static constexpr int64_t kTouchIntervalMs = 60'000;

  explicit ApiKeys(sql::Database* db) : db_(db) {}

  /// nullopt (and nothing written) when the user already has kMaxLiveKeys live keys.
  sql::Result<std::optional<CreatedApiKey>> Create(int64_t user_id, const std::string& name,
                                                   const Actor& actor, int64_t now_ms);
  sql::Result<std::vector<ApiKey>> List(int64_t user_id);
  /// False when the user has no such live key.
  sql::Result<bool> Revoke(int64_t user_id, int64_t key_id, const Actor& actor, int64_t now_ms);
  /// The owner of `secret` when it is a live key (cheap shape check first).
  sql::Result<std::optional<KeyOwner>> Resolve(const std::string& secret, int64_t now_ms);

 private:
  sql::Database* db_;
};

}  // namespace mr::services::backend
