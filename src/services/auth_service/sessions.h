// Sessions: one per login, each a family of rotating refresh tokens. A refresh token is spent when
// used; presenting a spent one again revokes the whole family (the token was likely stolen).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sql/database.h"

namespace mr::services::auth {

struct IssuedRefresh {
  int64_t session_id = 0;
  int64_t user_id = 0;
  std::string refresh_token;  // the secret: give to the client once, never store or log
};

enum class RefreshOutcome {
  kRotated,   ///< a new token was issued, the presented one is spent
  kUnknown,   ///< no such token (or malformed)
  kExpired,   ///< the token or its session expired
  kRevoked,   ///< the session was revoked (logout or earlier reuse)
  kReused,    ///< the token had been spent: the session is now revoked
};

struct RefreshResult {
  RefreshOutcome outcome = RefreshOutcome::kUnknown;
  IssuedRefresh issued;  // meaningful for kRotated; session/user ids also for kReused
};

class Sessions {
 public:
  Sessions(sql::Database* db, int64_t refresh_ttl_ms) : db_(db), refresh_ttl_ms_(refresh_ttl_ms) {}

  sql::Result<IssuedRefresh> Open(int64_t user_id, int64_t now_ms);
  sql::Result<RefreshResult> Rotate(const std::string& refresh_token, int64_t now_ms);
  /// Revokes the session if it belongs to `user_id` and is live; already revoked is fine.
  sql::Status Revoke(int64_t session_id, int64_t user_id, int64_t now_ms);
  /// True when the session exists, belongs to `user_id`, is not revoked and has not expired.
  sql::Result<bool> IsLive(int64_t session_id, int64_t user_id, int64_t now_ms);

 private:
  sql::Result<std::string> AddToken(sql::Transaction& tx, int64_t session_id, int64_t now_ms);

  sql::Database* db_;
  const int64_t refresh_ttl_ms_;
};

}  // namespace mr::services::auth
