// Every difference between SQLite and PostgreSQL lives behind these functions (and in dialect.cc):
// placeholders, the auto-increment key DDL, transaction starts, insert-returning-id, the migration
// lock, session setup, and the mapping of driver errors to ErrorKind.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/connection_string.h"
#include "sql/error.h"

namespace soci {
class session;
}

namespace mr::sql::dialect {

struct SessionSettings {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds busy_timeout{5000};       // SQLite: wait for a locked file
  std::chrono::milliseconds statement_timeout{30000};  // PostgreSQL: server-side statement limit
};

/// Opens and prepares one session (SQLite: WAL, busy timeout, foreign keys; PostgreSQL: connect and
/// statement timeouts). `display` is the redacted connection string used in error messages.
Result<std::unique_ptr<soci::session>> OpenSession(const ConnectionTarget& target,
                                                   const SessionSettings& settings,
                                                   const std::string& display);

/// Rewrites `?` placeholders (outside quotes and comments) into the driver's positional form and
/// counts them. SQL is always sent with placeholders; values never enter the text.
std::string BindPlaceholders(std::string_view sql, size_t* count);

enum class TxMode {
  kWrite,      // SQLite: BEGIN IMMEDIATE (takes the write lock up front, no upgrade deadlocks)
  kRead,       // SQLite: BEGIN (deferred)
  kExclusive,  // SQLite: BEGIN EXCLUSIVE (migrations); PostgreSQL: BEGIN for all three
};
std::string_view BeginStatement(Engine engine, TxMode mode);

/// The INSERT to run so that its id can be read afterwards: PostgreSQL appends RETURNING <id>;
/// SQLite runs it unchanged and reads last_insert_rowid() on the same session.
std::string InsertReturning(Engine engine, std::string_view insert_sql, std::string_view id_column);
bool InsertReturnsRow(Engine engine);
std::string_view LastInsertIdQuery(Engine engine);

/// Expands the migration placeholders ({{id_pk}}: an auto-increment BIGINT primary key);
/// an unknown {{...}} is an error naming it.
Result<std::string> ExpandMigration(Engine engine, std::string_view text);

/// Splits a migration file into statements at `;` outside quotes, comments and $$-quoting.
std::vector<std::string> SplitStatements(std::string_view text);

/// Session-level lock held while migrations run (PostgreSQL: pg_advisory_lock on a key derived
/// from `table`; SQLite: nothing here, each migration runs in BEGIN EXCLUSIVE). Waits until
/// `deadline` at most.
Status LockMigrations(Engine engine, soci::session& session, std::string_view table,
                      std::chrono::steady_clock::time_point deadline, const std::string& display);
void UnlockMigrations(Engine engine, soci::session& session, std::string_view table);

/// Maps a driver exception to an error kind and a message without bound values.
Status ClassifyError(Engine engine, const std::exception& e, const std::string& display);

}  // namespace mr::sql::dialect
