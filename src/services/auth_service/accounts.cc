#include "services/auth_service/accounts.h"

namespace mr::services::auth {
namespace {

constexpr std::string_view kColumns = "SELECT id, email, password_hash, created_at FROM users ";

Account FromRow(const sql::Row& row) {
  return Account{row.Int(0), row.Text(1), row.Text(2), row.Int(3)};
}

sql::Result<std::optional<Account>> One(sql::Result<std::optional<sql::Row>> row) {
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return std::optional<Account>();
  }
  return std::optional<Account>(FromRow(**row));
}

}  // namespace

sql::Result<Account> Accounts::Create(const std::string& email, const std::string& password_hash,
                                      int64_t now_ms) {
  auto id = db_->InsertReturningId(
      "INSERT INTO users (email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)",
      {email, password_hash, now_ms, now_ms});
  if (!id.ok()) {
    return id.status();
  }
  return Account{*id, email, password_hash, now_ms};
}

sql::Result<std::optional<Account>> Accounts::FindByEmail(const std::string& email) {
  return One(db_->QueryOne(std::string(kColumns) + "WHERE email = ?", {email}));
}

sql::Result<std::optional<Account>> Accounts::FindById(int64_t id) {
  return One(db_->QueryOne(std::string(kColumns) + "WHERE id = ?", {id}));
}

sql::Status Accounts::ReplaceHash(int64_t id, const std::string& password_hash, int64_t now_ms) {
  return db_->Exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                   {password_hash, now_ms, id})
      .status();
}

}  // namespace mr::services::auth
