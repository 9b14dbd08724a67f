// The SQL layer services use: a Database opened from a connection string (SQLite file or
// PostgreSQL), a bounded session pool, bound-parameter statements, typed rows and transactions.
//
// Every call blocks (disk or network): call it from an HTTP worker thread (HTTP_WORKERS), never
// from an I/O thread. Failures are values (sql::Status / sql::Result) with an ErrorKind; a database
// that is down or saturated answers kUnavailable within the checkout deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "sql/connection_string.h"
#include "sql/error.h"
#include "sql/pool.h"

namespace mr::sql {

struct Options {
  std::string url;       // see ParseConnectionString: sqlite:..., a path, or postgresql://...
  std::string data_dir;  // DATA_DIR: where relative SQLite paths live
  std::string name = "db";  // metrics label ("auth", "main")
  size_t pool_size = 4;
  /// How long a call waits for a free session (and, on SQLite, for the in-process write lock).
  std::chrono::milliseconds checkout_timeout{2000};
  std::chrono::milliseconds connect_timeout{3000};    // PostgreSQL (libpq, whole seconds, >= 2)
  std::chrono::milliseconds busy_timeout{5000};       // SQLite: wait for another process' lock
  std::chrono::milliseconds statement_timeout{30000};  // PostgreSQL: server-side limit
};

/// Options for a service's database from the settings it already has: `url_setting` (e.g.
/// AUTH_DATABASE_URL; empty means the SQLite file `default_sqlite_file` under DATA_DIR), DATA_DIR,
/// and one session per HTTP worker (HTTP_WORKERS), so a worker never waits for a session that
/// another worker could have had.
Options OptionsFromConfig(const Config& config, const std::string& url_setting,
                          const std::string& default_sqlite_file, const std::string& name);

/// A bound parameter: NULL, an integer or text. Values are always sent apart from the SQL text.
class Param {
 public:
  enum class Type { kNull, kInt, kText };
  Param(std::nullptr_t) : type_(Type::kNull) {}              // NOLINT: implicit by design
  Param(std::nullopt_t) : type_(Type::kNull) {}              // NOLINT
  Param(int v) : type_(Type::kInt), int_(v) {}               // NOLINT
  Param(long v) : type_(Type::kInt), int_(v) {}              // NOLINT
  Param(long long v) : type_(Type::kInt), int_(v) {}         // NOLINT
  Param(unsigned v) : type_(Type::kInt), int_(v) {}          // NOLINT
  Param(unsigned long v) : type_(Type::kInt), int_(static_cast<int64_t>(v)) {}  // NOLINT
  Param(bool v) : type_(Type::kInt), int_(v ? 1 : 0) {}      // NOLINT: stored as 0/1
  Param(const char* v) : type_(Type::kText), text_(v) {}     // NOLINT
  Param(std::string v) : type_(Type::kText), text_(std::move(v)) {}  // NOLINT
  Param(std::string_view v) : type_(Type::kText), text_(v) {}        // NOLINT
  template <typename T>
  Param(const std::optional<T>& v) : Param(nullptr) {  // NOLINT
    if (v) {
      *this = Param(*v);
    }
  }

  Type type() const { return type_; }
  int64_t int_value() const { return int_; }
  const std::string& text() const { return text_; }

 private:
  Type type_;
  int64_t int_ = 0;
  std::string text_;
};
using Params = std::vector<Param>;

/// One result row. Every engine's value is kept as text (or NULL) and read back typed, so the same
/// query reads the same on SQLite and PostgreSQL. Reading a column that does not exist, or Int() on
/// a value that is not an integer, is a programming error and aborts with a message.
class Row {
 public:
  Row(std::vector<std::string> names, std::vector<std::optional<std::string>> cells)
      : names_(std::move(names)), cells_(std::move(cells)) {}

  size_t size() const { return cells_.size(); }
  const std::string& name(size_t i) const;
  bool IsNull(size_t i) const;
  std::string Text(size_t i) const;  // "" for NULL
  int64_t Int(size_t i) const;       // 0 for NULL
  std::optional<std::string> OptText(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;

 private:
  const std::optional<std::string>& Cell(size_t i) const;
  std::vector<std::string> names_;
  std::vector<std::optional<std::string>> cells_;
};

class Database;

/// A transaction on one leased session. Rolled back when destroyed unless Commit() succeeded.
/// Statements run on it use `?` placeholders like Database's.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Result<int64_t> Exec(std::string_view sql, const Params& params = {});
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {});
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
  Result<int64_t> InsertReturningId(std::string_view sql, const Params& params = {},
                                    std::string_view id_column = "id");
  Status Commit();
  /// Rolls back now (the destructor does the same); safe to call twice.
  void Rollback();

 private:
  friend class Database;
  Transaction(Database* db, SessionPool::Lease lease, std::unique_lock<std::timed_mutex> writer);

  Database* db_;
  std::optional<SessionPool::Lease> lease_;
  std::unique_lock<std::timed_mutex> writer_;
  bool open_ = true;
};

class Database {
 public:
  enum class TxKind {
    kWrite,  // will write: SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE)
    kRead,   // reads only: SQLite readers do not block each other or the writer (WAL)
  };

  /// Parses the connection string and sets up the pool; connects lazily (Ping() to check now).
  static Result<std::unique_ptr<Database>> Open(Options options);
  ~Database();

  Engine engine() const { return target_.engine; }
  /// The connection string with its password masked: the only form to log or show.
  const std::string& display() const { return display_; }

  /// Runs one statement in its own (auto-committed) transaction; returns the affected row count.
  /// `?` marks each parameter: db.Exec("UPDATE t SET a = ? WHERE id = ?", {a, id}).
  Result<int64_t> Exec(std::string_view sql, const Params& params = {});
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {});
  /// The first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
  /// Runs an INSERT and returns the new row's auto-increment key (the same on both engines).
  Result<int64_t> InsertReturningId(std::string_view sql, const Params& params = {},
                                    std::string_view id_column = "id");

  Result<Transaction> Begin(TxKind kind = TxKind::kWrite);
  /// Runs `body` in a transaction; commits when it returns OK, rolls back otherwise and returns
  /// its status.
  Status Transact(const std::function<Status(Transaction&)>& body, TxKind kind = TxKind::kWrite);

  /// Readiness: checks out a session and runs SELECT 1 within the checkout deadline.
  Status Ping();
  PoolStats pool_stats() const { return pool_->Stats(); }

  // Used by the migration runner: a transaction with SQLite's exclusive lock, and a session for
  // PostgreSQL's advisory lock.
  Result<Transaction> BeginExclusive();
  /// A session outside the pool (the migration lock must not take a pool slot).
  Result<std::unique_ptr<soci::session>> OpenDedicatedSession();
  const Options& options() const { return options_; }

 private:
  friend class Transaction;
  Database(Options options, ConnectionTarget target);
  SessionPool::Clock::time_point Deadline() const;
  Result<std::unique_lock<std::timed_mutex>> LockWriter(SessionPool::Clock::time_point deadline);
  Result<Transaction> BeginWith(std::string_view begin_sql, bool writer);
  // Runs one statement on `lease`; marks the lease broken when the connection is gone.
  Status Run(SessionPool::Lease& lease, std::string_view sql, const Params& params,
             std::vector<Row>* rows, int64_t* affected);
  Result<int64_t> InsertOn(SessionPool::Lease& lease, std::string_view sql, const Params& params,
                           std::string_view id_column);

  Options options_;
  ConnectionTarget target_;
  std::string display_;
  std::unique_ptr<SessionPool> pool_;
  // SQLite allows one writer at a time: writers of this process queue here (bounded by the
  // checkout deadline) instead of spinning in SQLite's busy handler. Other processes are handled
  // by busy_timeout.
  std::timed_mutex writer_mu_;
};

}  // namespace mr::sql
