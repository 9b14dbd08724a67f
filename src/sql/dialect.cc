#include "sql/dialect.h"

#include <strings.h>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <thread>

namespace mr::sql::dialect {
namespace {

// Walks SQL text and calls `normal(i)` for every character outside string literals, quoted
// identifiers, comments and PostgreSQL dollar-quoted bodies: only those may be placeholders or
// statement separators.
template <typename F>
void ScanCode(std::string_view s, F normal) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      size_t end = s.find(c, i + 1);  // a doubled quote ('') reads as two adjacent literals
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '$') {
      size_t tag_end = i + 1;
      while (tag_end < s.size() && (std::isalnum(static_cast<unsigned char>(s[tag_end])) ||
                                    s[tag_end] == '_')) {
        ++tag_end;
      }
      if (tag_end < s.size() && s[tag_end] == '$' &&
          (tag_end == i + 1 || !std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        std::string_view tag = s.substr(i, tag_end - i + 1);
        size_t end = s.find(tag, tag_end + 1);
        i = end == std::string_view::npos ? s.size() : end + tag.size();
      } else {
        normal(i);
        ++i;
      }
    } else {
      normal(i);
      ++i;
    }
  }
}

std::string FirstLine(std::string message) {
  size_t nl = message.find('\n');
  if (nl != std::string::npos) {
    message.resize(nl);
  }
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  return message;
}

// libpq's connection failure spans lines ("...failed: Connection refused\n\tIs the server
// running..."): keep all of it on one line.
std::string OneLine(const std::string& message) {
  std::string out;
  bool space = false;
  for (char c : message) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) {
        out += ' ';
      }
      space = false;
      out += c;
    }
  }
  return out;
}

bool Contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// libpq waits for the TCP connect up to connect_timeout (seconds, at least 2); add it unless the
// operator chose one.
std::string WithConnectTimeout(const std::string& uri, std::chrono::milliseconds timeout) {
  if (Contains(uri, "connect_timeout=")) {
    return uri;
  }
  int64_t seconds = std::max<int64_t>(2, (timeout.count() + 999) / 1000);
  char sep = uri.find('?') == std::string::npos ? '?' : '&';
  return uri + sep + "connect_timeout=" + std::to_string(seconds);
}

Result<std::unique_ptr<soci::session>> OpenSqlite(const std::string& path,
                                                  const SessionSettings& settings,
                                                  const std::string& display) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);  // a failure shows up as "cannot open" below
  }
  if (path.find('"') != std::string::npos) {
    return Status::Error(ErrorKind::kInvalid,
                         "database " + display + ": a SQLite path may not contain '\"'");
  }
  auto session = std::make_unique<soci::session>();
  try {
    session->open(soci::sqlite3, "db=\"" + path + "\"");
    // The busy timeout first: switching to WAL needs a lock another process may hold.
    *session << "PRAGMA busy_timeout = " + std::to_string(settings.busy_timeout.count());
    std::string mode;
    *session << "PRAGMA journal_mode = WAL", soci::into(mode);
    std::transform(mode.begin(), mode.end(), mode.begin(), ::tolower);
    if (mode != "wal") {
      return Status::Error(ErrorKind::kUnavailable, "database " + display +
                                                        ": cannot enable WAL mode (journal_mode " +
                                                        mode + ")");
    }
    *session << "PRAGMA foreign_keys = ON";
  } catch (const std::exception& e) {
    Status s = ClassifyError(Engine::kSqlite, e, display);
    return Status::Error(s.kind() == ErrorKind::kInternal ? ErrorKind::kUnavailable : s.kind(),
                         "cannot open " + s.message());
  }
  return session;
}

Result<std::unique_ptr<soci::session>> OpenPostgres(const std::string& conninfo,
                                                    const SessionSettings& settings,
                                                    const std::string& display) {
  auto session = std::make_unique<soci::session>();
  try {
    session->open(soci::postgresql, WithConnectTimeout(conninfo, settings.connect_timeout));
    *session << "SET statement_timeout = " + std::to_string(settings.statement_timeout.count());
    *session << "SET client_min_messages = warning";  // NOTICEs would go to stderr
  } catch (const std::exception& e) {
    // libpq's text names host and port but never the password.
    const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e);
    std::string why = OneLine(soci_error ? soci_error->get_error_message() : e.what());
    return Status::Error(ErrorKind::kUnavailable,
                         "cannot connect to database " + display + ": " + why);
  }
  return session;
}

}  // namespace

Result<std::unique_ptr<soci::session>> OpenSession(const ConnectionTarget& target,
                                                   const SessionSettings& settings,
                                                   const std::string& display) {
  if (target.engine == Engine::kSqlite) {
    return OpenSqlite(target.sqlite_path, settings, display);
  }
  return OpenPostgres(target.postgres_conninfo, settings, display);
}

std::string BindPlaceholders(std::string_view sql, size_t* count) {
  // SOCI takes :name placeholders and turns them into $n for PostgreSQL; SQLite reads them as is.
  std::string out;
  out.reserve(sql.size() + 16);
  size_t copied = 0;
  size_t n = 0;
  ScanCode(sql, [&](size_t i) {
    if (sql[i] == '?') {
      out.append(sql.substr(copied, i - copied));
      out += ":p" + std::to_string(++n);
      copied = i + 1;
    }
  });
  out.append(sql.substr(copied));
  *count = n;
  return out;
}

std::string_view BeginStatement(Engine engine, TxMode mode) {
  if (engine == Engine::kPostgres) {
    return "BEGIN";
  }
  switch (mode) {
    case TxMode::kWrite: return "BEGIN IMMEDIATE";
    case TxMode::kRead: return "BEGIN";
    case TxMode::kExclusive: return "BEGIN EXCLUSIVE";
  }
  return "BEGIN";
}

std::string InsertReturning(Engine engine, std::string_view insert_sql,
                            std::string_view id_column) {
  std::string sql(insert_sql);
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.pop_back();
  }
  if (engine == Engine::kPostgres) {
    sql += " RETURNING ";
    sql += id_column;
  }
  return sql;
}

bool InsertReturnsRow(Engine engine) { return engine == Engine::kPostgres; }

std::string_view LastInsertIdQuery(Engine engine) {
  return engine == Engine::kSqlite ? "SELECT last_insert_rowid()" : "";
}

namespace {

constexpr std::string_view kAppendOnly = "append_only:";

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsIdentifier(std::string_view name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), IsIdentifierChar);
}

// Triggers that make the database itself refuse UPDATE and DELETE (and TRUNCATE) on `table`, so
// an append-only log stays append-only whatever code or person holds a session.
std::string AppendOnlyTriggers(Engine engine, std::string_view table) {
  std::string t(table);
  if (engine == Engine::kSqlite) {
    return "CREATE TRIGGER " + t + "_no_update BEFORE UPDATE ON " + t +
           " BEGIN SELECT RAISE(ABORT, '" + t + " is append-only'); END;\n" +
           "CREATE TRIGGER " + t + "_no_delete BEFORE DELETE ON " + t +
           " BEGIN SELECT RAISE(ABORT, '" + t + " is append-only'); END;\n";
  }
  return "CREATE FUNCTION " + t + "_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ " +
         "BEGIN RAISE EXCEPTION '" + t + " is append-only'; END $$;\n" +
         "CREATE TRIGGER " + t + "_no_change BEFORE UPDATE OR DELETE ON " + t +
         " FOR EACH ROW EXECUTE FUNCTION " + t + "_refuse_change();\n" +
         "CREATE TRIGGER " + t + "_no_truncate BEFORE TRUNCATE ON " + t +
         " FOR EACH STATEMENT EXECUTE FUNCTION " + t + "_refuse_change();\n";
}

// True when `text` holds the keyword `word` at `i` as a whole word (any case).
bool KeywordAt(std::string_view text, size_t i, std::string_view word) {
  if (i + word.size() > text.size() || (i > 0 && IsIdentifierChar(text[i - 1])) ||
      (i + word.size() < text.size() && IsIdentifierChar(text[i + word.size()]))) {
    return false;
  }
  return strncasecmp(text.data() + i, word.data(), word.size()) == 0;
}

bool StartsWithCreateTrigger(std::string_view statement) {
  if (!KeywordAt(statement, 0, "CREATE")) {
    return false;
  }
  size_t t = statement.find_first_not_of(" \t\r\n", 6);
  return t != std::string_view::npos && KeywordAt(statement, t, "TRIGGER");
}

}  // namespace

Result<std::string> ExpandMigration(Engine engine, std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      return out;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::Error(ErrorKind::kMigration, "unterminated '{{' placeholder");
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    out.append(text.substr(pos, open - pos));
    if (name == "id_pk") {
      out += engine == Engine::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                       : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    } else if (name.starts_with(kAppendOnly) && IsIdentifier(name.substr(kAppendOnly.size()))) {
      out += AppendOnlyTriggers(engine, name.substr(kAppendOnly.size()));
    } else {
      return Status::Error(ErrorKind::kMigration,
                           "unknown placeholder '{{" + std::string(name) +
                               "}}' (known: {{id_pk}}, {{append_only:<table>}})");
    }
    pos = close + 2;
  }
}

std::vector<std::string> SplitStatements(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  bool has_code = false;
  auto flush = [&](size_t end) {
    if (has_code) {
      std::string stmt(text.substr(start, end - start));
      size_t b = stmt.find_first_not_of(" \t\r\n");
      size_t e = stmt.find_last_not_of(" \t\r\n");
      out.push_back(stmt.substr(b, e - b + 1));
    }
    has_code = false;
  };
  // SQLite's CREATE TRIGGER ... BEGIN stmt; stmt; END holds semicolons that do not end it.
  bool in_trigger_body = false;
  size_t code_start = 0;  // the statement's first character outside comments
  ScanCode(text, [&](size_t i) {
    if (text[i] == ';' && !in_trigger_body) {
      flush(i);
      start = i + 1;
      return;
    }
    if (!has_code && !std::isspace(static_cast<unsigned char>(text[i]))) {
      has_code = true;
      code_start = i;
    }
    if (!in_trigger_body && KeywordAt(text, i, "BEGIN") &&
        StartsWithCreateTrigger(text.substr(code_start, i - code_start))) {
      in_trigger_body = true;
    } else if (in_trigger_body && KeywordAt(text, i, "END")) {
      in_trigger_body = false;
    }
  });
  // Quoted text and comments after the last ';' count as code only if a normal character did.
  flush(text.size());
  return out;
}

namespace {
int64_t MigrationLockKey(std::string_view table) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across builds and processes
  for (char c : std::string("miniredis.migrations.") + std::string(table)) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return static_cast<int64_t>(h);
}
}  // namespace

Status LockMigrations(Engine engine, soci::session& session, std::string_view table,
                      std::chrono::steady_clock::time_point deadline, const std::string& display) {
  if (engine == Engine::kSqlite) {
    return Status::Ok();
  }
  long long key = MigrationLockKey(table);
  try {
    while (true) {
      int got = 0;
      session << "SELECT CASE WHEN pg_try_advisory_lock(:p1) THEN 1 ELSE 0 END", soci::use(key),
          soci::into(got);
      if (got == 1) {
        return Status::Ok();
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status::Error(ErrorKind::kUnavailable,
                             "database " + display +
                                 ": another process holds the migration lock; gave up waiting");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } catch (const std::exception& e) {
    return ClassifyError(engine, e, display);
  }
}

void UnlockMigrations(Engine engine, soci::session& session, std::string_view table) {
  if (engine == Engine::kSqlite) {
    return;
  }
  long long key = MigrationLockKey(table);
  int released = 0;
  try {
    session << "SELECT CASE WHEN pg_advisory_unlock(:p1) THEN 1 ELSE 0 END", soci::use(key),
        soci::into(released);
  } catch (const std::exception&) {
    // The lock is session-level: if unlocking fails the session is broken, and PostgreSQL releases
    // the lock when the connection closes (the pool drops broken sessions).
  }
}

Status ClassifyError(Engine engine, const std::exception& e, const std::string& display) {
  const std::string prefix = "database " + display + ": ";
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    // Only the first line: PostgreSQL's DETAIL line repeats the offending values.
    std::string msg = FirstLine(pg->get_error_message());
    std::string state = pg->sqlstate();
    ErrorKind kind = ErrorKind::kInternal;
    if (state == "23505") {
      kind = ErrorKind::kUniqueViolation;
    } else if (state.rfind("23", 0) == 0) {
      kind = ErrorKind::kConstraint;
    } else if (state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0 || state == "53300" ||
               state == "40001" || state == "40P01" || state == "55P03" ||
               pg->get_error_category() == soci::soci_error::connection_error) {
      kind = ErrorKind::kUnavailable;
    } else if (state.rfind("42", 0) == 0 || state.rfind("22", 0) == 0) {
      kind = ErrorKind::kInvalid;
    }
    return Status::Error(kind, prefix + msg + " (SQLSTATE " + state + ")");
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    std::string msg = FirstLine(lite->get_error_message());
    int code = lite->result() & 0xff;
    ErrorKind kind = ErrorKind::kInternal;
    if (code == SQLITE_CONSTRAINT) {
      kind = Contains(msg, "UNIQUE constraint failed") ? ErrorKind::kUniqueViolation
                                                       : ErrorKind::kConstraint;
    } else if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_CANTOPEN ||
               code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_READONLY) {
      kind = ErrorKind::kUnavailable;
    } else if (code == SQLITE_ERROR || code == SQLITE_RANGE || code == SQLITE_MISMATCH) {
      kind = ErrorKind::kInvalid;
    }
    return Status::Error(kind, prefix + msg);
  }
  if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e)) {
    std::string msg = FirstLine(soci_error->get_error_message());
    ErrorKind kind = ErrorKind::kInternal;
    if (soci_error->get_error_category() == soci::soci_error::connection_error ||
        Contains(msg, "no connection to the server") ||
        Contains(msg, "server closed the connection")) {
      kind = ErrorKind::kUnavailable;
    } else if (engine == Engine::kSqlite && Contains(msg, "UNIQUE constraint failed")) {
      kind = ErrorKind::kUniqueViolation;
    } else if (soci_error->get_error_category() == soci::soci_error::constraint_violation) {
      kind = ErrorKind::kConstraint;
    } else if (soci_error->get_error_category() == soci::soci_error::invalid_statement) {
      kind = ErrorKind::kInvalid;
    }
    return Status::Error(kind, prefix + msg);
  }
  return Status::Error(ErrorKind::kInternal, prefix + FirstLine(e.what()));
}

}  // namespace mr::sql::dialect
