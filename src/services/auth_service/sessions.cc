#include "services/auth_service/sessions.h"

#include "security/opaque_token.h"

namespace mr::services::auth {

using security::OpaqueKind;

sql::Result<std::string> Sessions::AddToken(sql::Transaction& tx, int64_t session_id,
                                            int64_t now_ms) {
  security::IssuedSecret secret = security::NewOpaqueSecret(OpaqueKind::kRefreshToken);
  auto added = tx.Exec(
      "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) "
      "VALUES (?, ?, ?, ?)",
      {secret.hash, session_id, now_ms, now_ms + refresh_ttl_ms_});
  if (!added.ok()) {
    return added.status();
  }
  return std::move(secret.secret);
}

sql::Result<IssuedRefresh> Sessions::Open(int64_t user_id, int64_t now_ms) {
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto sid = tx->InsertReturningId(
      "INSERT INTO sessions (user_id, created_at, expires_at) VALUES (?, ?, ?)",
      {user_id, now_ms, now_ms + refresh_ttl_ms_});
  if (!sid.ok()) {
    return sid.status();
  }
  auto token = AddToken(*tx, *sid, now_ms);
  if (!token.ok()) {
    return token.status();
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  return IssuedRefresh{*sid, user_id, std::move(*token)};
}

sql::Result<RefreshResult> Sessions::Rotate(const std::string& refresh_token, int64_t now_ms) {
  RefreshResult result;
  if (!security::LooksLikeOpaqueSecret(refresh_token, OpaqueKind::kRefreshToken)) {
    return result;  // kUnknown without a query
  }
  std::string hash = security::HashOpaqueSecret(refresh_token);
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto row = tx->QueryOne(
      "SELECT t.session_id, t.used_at, t.expires_at, s.user_id, s.revoked_at, s.expires_at "
      "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = ?",
      {hash});
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return result;
  }
  const sql::Row& r = **row;
  result.issued.session_id = r.Int(0);
  result.issued.user_id = r.Int(3);
  if (!r.IsNull(4)) {
    result.outcome = RefreshOutcome::kRevoked;
    return result;
  }
  // The conditional update makes concurrent use of one token a reuse for all but one caller
  // (PostgreSQL re-checks the row after the winner commits; SQLite writers are serialised).
  auto spent = r.IsNull(1) ? tx->Exec(
                                 "UPDATE refresh_tokens SET used_at = ? "
                                 "WHERE token_hash = ? AND used_at IS NULL",
                                 {now_ms, hash})
                           : sql::Result<int64_t>(int64_t{0});
  if (!spent.ok()) {
    return spent.status();
  }
  if (*spent == 0) {
    auto revoked = tx->Exec(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = 'refresh_token_reuse' "
        "WHERE id = ? AND revoked_at IS NULL",
        {now_ms, result.issued.session_id});
    if (!revoked.ok()) {
      return revoked.status();
    }
    if (auto s = tx->Commit(); !s.ok()) {
      return s;
    }
    result.outcome = RefreshOutcome::kReused;
    return result;
  }
  if (r.Int(2) <= now_ms || r.Int(5) <= now_ms) {
    result.outcome = RefreshOutcome::kExpired;
    return result;  // rolled back: an expired token stays as it was
  }
  auto token = AddToken(*tx, result.issued.session_id, now_ms);
  if (!token.ok()) {
    return token.status();
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  result.outcome = RefreshOutcome::kRotated;
  result.issued.refresh_token = std::move(*token);
  return result;
}

sql::Status Sessions::Revoke(int64_t session_id, int64_t user_id, int64_t now_ms) {
  return db_->Exec(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'logout' "
                "WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                {now_ms, session_id, user_id})
      .status();
}

sql::Result<bool> Sessions::IsLive(int64_t session_id, int64_t user_id, int64_t now_ms) {
  auto row = db_->QueryOne(
      "SELECT 1 FROM sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL "
      "AND expires_at > ?",
      {session_id, user_id, now_ms});
  if (!row.ok()) {
    return row.status();
  }
  return row->has_value();
}

}  // namespace mr::services::auth
