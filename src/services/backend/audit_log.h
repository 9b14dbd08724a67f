// The append-only audit log: every state change is one row written in the same transaction as the
// change itself, so a change without its event (or the reverse) cannot be committed. The database
// refuses UPDATE and DELETE on the table (migration triggers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sql/database.h"

namespace mr::services::backend {

/// Who asked and from where; a system actor (the reconciler) has no user id.
struct Actor {
  std::optional<int64_t> user_id;
  std::optional<int64_t> api_key_id;
  std::string remote_address;
  std::string request_id;

  static Actor System() { return Actor{}; }
};

struct AuditEvent {
  int64_t id = 0;
  int64_t at_ms = 0;
  Actor actor;
  int64_t owner_id = 0;
  std::string action;       // e.g. instance.create
  std::string target_type;  // instance | api_key
  std::string target_id;
  std::string details;      // a JSON object
};

sql::Status AppendAudit(sql::Transaction& tx, const AuditEvent& event);

/// The owner's events with id < before (0: from the newest), newest first.
sql::Result<std::vector<AuditEvent>> ListAudit(sql::Database& db, int64_t owner_id, int64_t before,
                                               int64_t limit);

}  // namespace mr::services::backend
