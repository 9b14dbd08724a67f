#include "sql/migrations.h"

#include <openssl/evp.h>
#include <soci/soci.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "sql/dialect.h"

namespace mr::sql {
namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status MigrationError(const Database& db, const std::string& message) {
  return Status::Error(ErrorKind::kMigration, "database " + db.display() + ": " + message);
}

// A statement error inside a migration: keep "unavailable" (retry later), else it is a migration
// problem.
Status Wrap(const Status& s, const std::string& context) {
  ErrorKind kind = s.kind() == ErrorKind::kUnavailable ? s.kind() : ErrorKind::kMigration;
  return Status::Error(kind, context + ": " + s.message());
}

struct Applied {
  std::string name;
  std::string checksum;
};

Result<std::map<int64_t, Applied>> ReadApplied(Database& db, const std::string& table) {
  auto rows = db.Query("SELECT version, name, checksum FROM " + table + " ORDER BY version");
  if (!rows.ok()) {
    return rows.status();
  }
  std::map<int64_t, Applied> out;
  for (const Row& r : *rows) {
    out[r.Int(0)] = Applied{r.Text(1), r.Text(2)};
  }
  return out;
}

Status CheckHistory(Database& db, const std::map<int64_t, Applied>& applied,
                    const std::vector<Migration>& migrations) {
  std::map<int64_t, const Migration*> known;
  for (const Migration& m : migrations) {
    known[m.version] = &m;
  }
  int64_t newest_known = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& [version, record] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      if (version > newest_known) {
        return MigrationError(db, "the schema is at version " + std::to_string(version) + " (" +
                                      record.name + ") but this build knows migrations only up "
                                      "to " + std::to_string(newest_known) +
                                      ": run a newer build (migrations are forward-only)");
      }
      return MigrationError(db, "applied migration " + record.name +
                                    " has no file in this build (files must never be removed)");
    }
    if (it->second->checksum != record.checksum) {
      return MigrationError(db, "migration " + it->second->name +
                                    " was changed after it was applied (checksum " +
                                    it->second->checksum.substr(0, 12) + " vs recorded " +
                                    record.checksum.substr(0, 12) +
                                    "); add a new migration instead of editing an applied one");
    }
  }
  return Status::Ok();
}

// Applies one migration in its own transaction (SQLite: BEGIN EXCLUSIVE), unless another process
// applied it since we looked. Returns whether this call applied it.
Result<bool> ApplyOne(Database& db, const Migration& m, const std::string& table) {
  auto tx = db.BeginExclusive();
  if (!tx.ok()) {
    return Wrap(tx.status(), "migration " + m.name);
  }
  auto existing = tx->QueryOne("SELECT checksum FROM " + table + " WHERE version = ?",
                               {m.version});
  if (!existing.ok()) {
    return Wrap(existing.status(), "migration " + m.name);
  }
  if (existing->has_value()) {
    if ((*existing)->Text(0) != m.checksum) {
      return MigrationError(db, "migration " + m.name + " was applied with another checksum");
    }
    return false;
  }
  auto expanded = dialect::ExpandMigration(db.engine(), m.sql);
  if (!expanded.ok()) {
    return MigrationError(db, "migration " + m.name + ": " + expanded.error());
  }
  int n = 0;
  for (const std::string& statement : dialect::SplitStatements(*expanded)) {
    ++n;
    auto done = tx->Exec(statement);
    if (!done.ok()) {
      return Wrap(done.status(), "migration " + m.name + ", statement " + std::to_string(n));
    }
  }
  auto recorded = tx->Exec("INSERT INTO " + table +
                               " (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                           {m.version, m.name, NowIso8601(), m.checksum});
  if (!recorded.ok()) {
    return Wrap(recorded.status(), "migration " + m.name);
  }
  Status committed = tx->Commit();
  if (!committed.ok()) {
    return Wrap(committed, "migration " + m.name);
  }
  return true;
}

bool ValidTableName(const std::string& t) {
  static const std::regex kName("[a-z_][a-z0-9_]{0,62}");
  return std::regex_match(t, kName);
}

}  // namespace

Migration MakeMigration(int64_t version, std::string name, std::string sql) {
  Migration m;
  m.version = version;
  m.name = std::move(name);
  m.checksum = Sha256Hex(sql);
  m.sql = std::move(sql);
  return m;
}

Result<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir) {
  static const std::regex kFile("([0-9]{4,})_([A-Za-z0-9_]+)\\.sql");
  std::vector<Migration> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return Status::Error(ErrorKind::kMigration,
                         "cannot read migrations folder '" + dir.string() + "': " + ec.message());
  }
  for (const auto& entry : it) {
    std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".sql") {
      continue;
    }
    std::smatch match;
    if (!std::regex_match(file, match, kFile)) {
      return Status::Error(ErrorKind::kMigration,
                           "migration file '" + (dir / file).string() +
                               "' is not named NNNN_description.sql");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::Error(ErrorKind::kMigration, "cannot read '" + entry.path().string() + "'");
    }
    out.push_back(MakeMigration(std::stoll(match[1].str()), file, text.str()));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      return Status::Error(ErrorKind::kMigration, "migrations " + out[i - 1].name + " and " +
                                                      out[i].name + " have the same version");
    }
  }
  return out;
}

Result<MigrateReport> Migrate(Database& db, const std::vector<Migration>& input,
                              const MigrateOptions& options) {
  const std::string& table = options.table;
  if (!ValidTableName(table)) {
    return MigrationError(db, "invalid migrations table name '" + table + "'");
  }
  std::vector<Migration> migrations = input;
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return MigrationError(db, "two migrations have version " +
                                    std::to_string(migrations[i].version));
    }
  }

  // PostgreSQL: one advisory lock for the whole run, on a session of its own. SQLite: each
  // migration's BEGIN EXCLUSIVE is the lock, and ApplyOne re-checks under it.
  std::unique_ptr<soci::session> lock_session;
  if (db.engine() == Engine::kPostgres) {
    auto opened = db.OpenDedicatedSession();
    if (!opened.ok()) {
      return opened.status();
    }
    lock_session = std::move(opened).value();
    Status locked = dialect::LockMigrations(db.engine(), *lock_session, table,
                                            std::chrono::steady_clock::now() + options.lock_timeout,
                                            db.display());
    if (!locked.ok()) {
      return locked;
    }
  }
  struct Unlock {
    Database& db;
    soci::session* s;
    const std::string& table;
    ~Unlock() {
      if (s != nullptr) {
        dialect::UnlockMigrations(db.engine(), *s, table);
      }
    }
  } unlock{db, lock_session.get(), table};

  auto created = db.Exec("CREATE TABLE IF NOT EXISTS " + table +
                         " (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                         " applied_at TEXT NOT NULL, checksum TEXT NOT NULL)");
  if (!created.ok()) {
    return Wrap(created.status(), "creating " + table);
  }
  auto applied = ReadApplied(db, table);
  if (!applied.ok()) {
    return Wrap(applied.status(), "reading " + table);
  }
  if (Status s = CheckHistory(db, *applied, migrations); !s.ok()) {
    return s;
  }
  MigrateReport report;
  for (const Migration& m : migrations) {
    if (applied->count(m.version) != 0) {
      continue;
    }
    auto done = ApplyOne(db, m, table);
    if (!done.ok()) {
      return done.status();
    }
    if (*done) {
      report.applied.push_back(m.version);
    }
  }
  report.version = migrations.empty() ? (applied->empty() ? 0 : applied->rbegin()->first)
                                      : std::max(migrations.back().version,
                                                 applied->empty() ? 0 : applied->rbegin()->first);
  return report;
}

}  // namespace mr::sql
