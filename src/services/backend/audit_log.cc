#include "services/backend/audit_log.h"

namespace mr::services::backend {

sql::Status AppendAudit(sql::Transaction& tx, const AuditEvent& e) {
  return tx
      .Exec("INSERT INTO audit_events (at, actor_user_id, actor_api_key_id, owner_id, action, "
            "target_type, target_id, details, remote_address, request_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {e.at_ms, e.actor.user_id, e.actor.api_key_id, e.owner_id, e.action, e.target_type,
             e.target_id, e.details.empty() ? std::string("{}") : e.details,
             e.actor.remote_address.empty() ? sql::Param(nullptr)
                                            : sql::Param(e.actor.remote_address),
             e.actor.request_id.empty() ? sql::Param(nullptr) : sql::Param(e.actor.request_id)})
      .status();
}

sql::Result<std::vector<AuditEvent>> ListAudit(sql::Database& db, int64_t owner_id, int64_t before,
                                               int64_t limit) {
  auto rows = db.Query(
      "SELECT id, at, actor_user_id, actor_api_key_id, owner_id, action, target_type, target_id, "
      "details, remote_address, request_id FROM audit_events "
      "WHERE owner_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
      {owner_id, before > 0 ? before : INT64_MAX, limit});
  if (!rows.ok()) {
    return rows.status();
  }
  std::vector<AuditEvent> out;
  out.reserve(rows->size());
  for (const sql::Row& r : *rows) {
    AuditEvent e;
    e.id = r.Int(0);
    e.at_ms = r.Int(1);
    e.actor.user_id = r.OptInt(2);
    e.actor.api_key_id = r.OptInt(3);
    e.owner_id = r.Int(4);
    e.action = r.Text(5);
    e.target_type = r.Text(6);
    e.target_id = r.Text(7);
    e.details = r.Text(8);
    e.actor.remote_address = r.Text(9);
    e.actor.request_id = r.Text(10);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace mr::services::backend
