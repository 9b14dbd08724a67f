#include "services/backend/api_keys.h"

#include <boost/json.hpp>

#include "security/opaque_token.h"

namespace mr::services::backend {
namespace json = boost::json;

using security::OpaqueKind;

sql::Result<std::optional<CreatedApiKey>> ApiKeys::Create(int64_t user_id,
                                                          const std::string& name,
                                                          const Actor& actor, int64_t now_ms) {
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto live = tx->QueryOne("SELECT COUNT(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL",
                           {user_id});
  if (!live.ok()) {
    return live.status();
  }
  if ((*live)->Int(0) >= kMaxLiveKeys) {
    return std::optional<CreatedApiKey>();
  }
  security::IssuedSecret secret = security::NewOpaqueSecret(OpaqueKind::kApiKey);
  auto id = tx->InsertReturningId(
      "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)",
      {user_id, name, secret.visible_prefix, secret.hash, now_ms});
  if (!id.ok()) {
    return id.status();
  }
  CreatedApiKey created{{*id, user_id, name, secret.visible_prefix, now_ms, std::nullopt},
                        std::move(secret.secret)};
  json::object details{{"name", name}, {"prefix", created.key.prefix}};
  AuditEvent e{0, now_ms, actor, user_id, "api_key.create", "api_key", std::to_string(*id),
               json::serialize(details)};
  if (auto s = AppendAudit(*tx, e); !s.ok()) {
    return s;
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  return std::optional<CreatedApiKey>(std::move(created));
}

sql::Result<std::vector<ApiKey>> ApiKeys::List(int64_t user_id) {
  auto rows = db_->Query(
      "SELECT id, user_id, name, prefix, created_at, last_used_at FROM api_keys "
      "WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC",
      {user_id});
  if (!rows.ok()) {
    return rows.status();
  }
  std::vector<ApiKey> out;
  for (const sql::Row& r : *rows) {
    out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.OptInt(5)});
  }
  return out;
}

sql::Result<bool> ApiKeys::Revoke(int64_t user_id, int64_t key_id, const Actor& actor,
                                  int64_t now_ms) {
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto changed = tx->Exec(
      "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
      {now_ms, key_id, user_id});
  if (!changed.ok()) {
    return changed.status();
  }
  if (*changed == 0) {
    return false;
  }
  AuditEvent e{0, now_ms, actor, user_id, "api_key.revoke", "api_key", std::to_string(key_id),
               "{}"};
  if (auto s = AppendAudit(*tx, e); !s.ok()) {
    return s;
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  return true;
}

sql::Result<std::optional<KeyOwner>> ApiKeys::Resolve(const std::string& secret, int64_t now_ms) {
  if (!security::LooksLikeOpaqueSecret(secret, OpaqueKind::kApiKey)) {
    return std::optional<KeyOwner>();
  }
  auto row = db_->QueryOne(
      "SELECT id, user_id, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
      {security::HashOpaqueSecret(secret)});
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return std::optional<KeyOwner>();
  }
  KeyOwner owner{(*row)->Int(1), (*row)->Int(0)};
  std::optional<int64_t> last = (*row)->OptInt(2);
  if (!last || now_ms - *last >= kTouchIntervalMs) {
    // Best effort: a failed touch must not refuse a valid key.
    (void)db_->Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                    {now_ms, owner.api_key_id});
  }
  return std::optional<KeyOwner>(owner);
}

}  // namespace mr::services::backend
