// Versioned, forward-only schema migrations: files NNNN_description.sql applied in order at start,
// each in its own transaction, recorded in schema_migrations, under a lock so that concurrent
// starters apply each migration exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sql/database.h"

namespace mr::sql {

struct Migration {
  int64_t version = 0;   // NNNN from the file name
  std::string name;      // the file name, e.g. 0001_init.sql
  std::string sql;       // statements separated by ';' ({{id_pk}} expands per engine)
  std::string checksum;  // SHA-256 (hex) of `sql` as written, before expansion
};

/// Builds a migration from text (for migrations compiled into the binary); computes the checksum.
Migration MakeMigration(int64_t version, std::string name, std::string sql);

/// Reads every NNNN_description.sql in `dir`, sorted by version. Other .sql names, duplicate
/// versions and an unreadable folder are errors; files that do not end in .sql are ignored.
Result<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir);

struct MigrateOptions {
  std::string table = "schema_migrations";  // one table per service if services share a database
  std::chrono::milliseconds lock_timeout{60000};  // wait for another starter's migration run
};

struct MigrateReport {
  std::vector<int64_t> applied;  // versions this call applied (empty: already up to date)
  int64_t version = 0;           // the schema version afterwards
};

/// Applies the pending migrations. Errors (kMigration unless the database was unavailable): a
/// recorded migration whose checksum differs from its file, a recorded version this build does not
/// know (the database is newer than the code), a failing statement (its migration is rolled back).
Result<MigrateReport> Migrate(Database& db, const std::vector<Migration>& migrations,
                              const MigrateOptions& options = {});

}  // namespace mr::sql
