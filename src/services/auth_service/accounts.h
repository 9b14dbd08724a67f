// Accounts in the auth database: create, look up by (normalised) email or id, replace a password
// hash. Emails arrive normalised; hashes are argon2id PHC strings; nothing here logs either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sql/database.h"

namespace mr::services::auth {

struct Account {
  int64_t id = 0;
  std::string email;
  std::string password_hash;
  int64_t created_at = 0;  // unix ms
};

class Accounts {
 public:
  explicit Accounts(sql::Database* db) : db_(db) {}

  /// kUniqueViolation when the email is taken.
  sql::Result<Account> Create(const std::string& email, const std::string& password_hash,
                              int64_t now_ms);
  sql::Result<std::optional<Account>> FindByEmail(const std::string& email);
  sql::Result<std::optional<Account>> FindById(int64_t id);
  sql::Status ReplaceHash(int64_t id, const std::string& password_hash, int64_t now_ms);

 private:
  sql::Database* db_;
};

}  // namespace mr::services::auth
