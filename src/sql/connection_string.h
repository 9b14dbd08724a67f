// Which database a connection string names: a SQLite file (absolute, or relative to DATA_DIR) or
// a PostgreSQL server. Connection strings may hold passwords: only Redact() output goes into
// messages.
#pragma once

#include <string>

#include "sql/error.h"

namespace mr::sql {

enum class Engine { kSqlite, kPostgres };

struct ConnectionTarget {
  Engine engine = Engine::kSqlite;
  std::string sqlite_path;      // kSqlite: absolute or DATA_DIR-relative path of the file
  std::string postgres_conninfo;  // kPostgres: the libpq URI, unchanged
};

/// Accepted forms:
///   sqlite:///abs/path.db     absolute SQLite file
///   sqlite:relative/path.db   SQLite file under `data_dir`
///   /abs/path.db, rel.db      a bare path (relative ones resolve under `data_dir`)
///   postgresql://user:pass@host:port/db?param=value   (also postgres://), passed to libpq
Result<ConnectionTarget> ParseConnectionString(const std::string& url, const std::string& data_dir);

/// The connection string with its password replaced by "***" (URI userinfo and any
/// password=... parameter). Safe to log.
std::string Redact(const std::string& url);

}  // namespace mr::sql
