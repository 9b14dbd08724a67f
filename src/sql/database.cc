#include "sql/database.h"

#include <soci/soci.h>

#include <charconv>
#include <cstdio>
#include <ctime>

#include "sql/dialect.h"

namespace mr::sql {
namespace {

// QueryOne: the first row, or none.
Result<std::optional<Row>> FirstRow(Result<std::vector<Row>> rows) {
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return std::optional<Row>();
  }
  return std::optional<Row>(std::move(rows->front()));
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sql::Row: %s\n", what.c_str());
  std::abort();
}

std::optional<std::string> CellText(const soci::row& row, size_t i) {
  if (row.get_indicator(i) == soci::i_null) {
    return std::nullopt;
  }
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_string:
    case soci::dt_xml:
      return row.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(row.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_double: {  // also PostgreSQL NUMERIC, e.g. SUM(bigint): shortest exact form
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), row.get<double>(i));
      return std::string(buf, ec == std::errc() ? end : buf);
    }
    case soci::dt_date: {
      std::tm tm = row.get<std::tm>(i);
      char buf[32];
      std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
      return std::string(buf);
    }
    case soci::dt_blob:
      break;
  }
  throw soci::soci_error("column '" + row.get_properties(i).get_name() +
                         "' is a BLOB; store text or integers");
}

}  // namespace

// ---------------------------------------------------------------------------------------- Row

const std::optional<std::string>& Row::Cell(size_t i) const {
  if (i >= cells_.size()) {
    Die("column " + std::to_string(i) + " read from a row of " + std::to_string(cells_.size()));
  }
  return cells_[i];
}

const std::string& Row::name(size_t i) const {
  Cell(i);
  return names_[i];
}

bool Row::IsNull(size_t i) const { return !Cell(i).has_value(); }

std::string Row::Text(size_t i) const { return Cell(i).value_or(""); }

std::optional<std::string> Row::OptText(size_t i) const { return Cell(i); }

std::optional<int64_t> Row::OptInt(size_t i) const {
  const auto& cell = Cell(i);
  if (!cell) {
    return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), v);
  if (ec != std::errc() || end != cell->data() + cell->size()) {
    Die("column " + std::to_string(i) + " ('" + names_[i] + "') is not an integer");
  }
  return v;
}

int64_t Row::Int(size_t i) const { return OptInt(i).value_or(0); }

// -------------------------------------------------------------------------------- Transaction

Transaction::Transaction(Database* db, SessionPool::Lease lease,
                         std::unique_lock<std::timed_mutex> writer)
    : db_(db), writer_(std::move(writer)) {
  lease_.emplace(std::move(lease));
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), writer_(std::move(other.writer_)), open_(other.open_) {
  if (other.lease_) {
    lease_.emplace(std::move(*other.lease_));
    other.lease_.reset();
  }
  other.open_ = false;
}

Transaction::~Transaction() { Rollback(); }

Result<int64_t> Transaction::Exec(std::string_view sql, const Params& params) {
  if (!open_) {
    return Status::Error(ErrorKind::kInvalid, "statement on a finished transaction");
  }
  int64_t affected = 0;
  Status s = db_->Run(*lease_, sql, params, nullptr, &affected);
  if (!s.ok()) {
    return s;
  }
  return affected;
}

Result<std::vector<Row>> Transaction::Query(std::string_view sql, const Params& params) {
  if (!open_) {
    return Status::Error(ErrorKind::kInvalid, "statement on a finished transaction");
  }
  std::vector<Row> rows;
  Status s = db_->Run(*lease_, sql, params, &rows, nullptr);
  if (!s.ok()) {
    return s;
  }
  return rows;
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql, const Params& params) {
  return FirstRow(Query(sql, params));
}

Result<int64_t> Transaction::InsertReturningId(std::string_view sql, const Params& params,
                                               std::string_view id_column) {
  if (!open_) {
    return Status::Error(ErrorKind::kInvalid, "statement on a finished transaction");
  }
  return db_->InsertOn(*lease_, sql, params, id_column);
}

Status Transaction::Commit() {
  if (!open_) {
    return Status::Error(ErrorKind::kInvalid, "commit of a finished transaction");
  }
  Status s = db_->Run(*lease_, "COMMIT", {}, nullptr, nullptr);
  if (!s.ok()) {
    Rollback();  // PostgreSQL leaves a failed COMMIT's transaction rolled back; SQLite may not
    return s;
  }
  open_ = false;
  lease_.reset();
  if (writer_.owns_lock()) {
    writer_.unlock();
  }
  return Status::Ok();
}

void Transaction::Rollback() {
  if (open_ && lease_) {
    try {
      lease_->session() << "ROLLBACK";
    } catch (const std::exception&) {
      lease_->MarkBroken();  // cannot tell the session's state: do not reuse it
    }
  }
  open_ = false;
  lease_.reset();
  if (writer_.owns_lock()) {
    writer_.unlock();
  }
}

// ----------------------------------------------------------------------------------- Database

Options OptionsFromConfig(const Config& config, const std::string& url_setting,
                          const std::string& default_sqlite_file, const std::string& name) {
  Options o;
  o.url = config.Get(url_setting);
  if (o.url.empty()) {
    o.url = "sqlite:" + default_sqlite_file;
  }
  o.data_dir = config.Get("DATA_DIR");
  o.name = name;
  int64_t workers = config.GetInt("HTTP_WORKERS");
  o.pool_size = workers > 0 ? static_cast<size_t>(workers) : o.pool_size;
  return o;
}

Result<std::unique_ptr<Database>> Database::Open(Options options) {
  auto target = ParseConnectionString(options.url, options.data_dir);
  if (!target.ok()) {
    return target.status();
  }
  return std::unique_ptr<Database>(new Database(std::move(options), std::move(target).value()));
}

Database::Database(Options options, ConnectionTarget target)
    : options_(std::move(options)), target_(std::move(target)), display_(Redact(options_.url)) {
  dialect::SessionSettings settings{options_.connect_timeout, options_.busy_timeout,
                                    options_.statement_timeout};
  auto opener = [target = target_, settings, display = display_]() {
    return dialect::OpenSession(target, settings, display);
  };
  pool_ = std::make_unique<SessionPool>(options_.pool_size, opener, options_.name, display_);
}

Database::~Database() = default;

SessionPool::Clock::time_point Database::Deadline() const {
  return SessionPool::Clock::now() + options_.checkout_timeout;
}

Result<std::unique_ptr<soci::session>> Database::OpenDedicatedSession() {
  return dialect::OpenSession(target_,
                              {options_.connect_timeout, options_.busy_timeout,
                               options_.statement_timeout},
                              display_);
}

Result<std::unique_lock<std::timed_mutex>> Database::LockWriter(
    SessionPool::Clock::time_point deadline) {
  std::unique_lock<std::timed_mutex> lock(writer_mu_, std::defer_lock);
  if (target_.engine != Engine::kSqlite) {
    return lock;  // PostgreSQL handles concurrent writers itself
  }
  if (!lock.try_lock_until(deadline)) {
    return Status::Error(ErrorKind::kUnavailable,
                         "database " + display_ + ": another write held the database too long; "
                                                  "gave up waiting");
  }
  return lock;
}

Status Database::Run(SessionPool::Lease& lease, std::string_view sql, const Params& params,
                     std::vector<Row>* rows, int64_t* affected) {
  size_t placeholders = 0;
  std::string text = dialect::BindPlaceholders(sql, &placeholders);
  if (placeholders != params.size()) {
    return Status::Error(ErrorKind::kInvalid,
                         "statement has " + std::to_string(placeholders) + " placeholders but " +
                             std::to_string(params.size()) + " parameters were given");
  }
  // Storage the driver binds to: it must not move while the statement runs.
  std::vector<std::string> texts(params.size());
  std::vector<long long> ints(params.size());
  std::vector<soci::indicator> inds(params.size(), soci::i_ok);
  try {
    soci::session& session = lease.session();
    soci::details::prepare_temp_type prep = (session.prepare << text);
    for (size_t i = 0; i < params.size(); ++i) {
      switch (params[i].type()) {
        case Param::Type::kNull:
          inds[i] = soci::i_null;
          prep, soci::use(texts[i], inds[i]);
          break;
        case Param::Type::kInt:
          ints[i] = params[i].int_value();
          prep, soci::use(ints[i], inds[i]);
          break;
        case Param::Type::kText:
          texts[i] = params[i].text();
          prep, soci::use(texts[i], inds[i]);
          break;
      }
    }
    if (rows == nullptr) {
      soci::statement st(prep);
      st.execute(true);
      if (affected != nullptr) {
        *affected = st.get_affected_rows();
      }
      return Status::Ok();
    }
    soci::rowset<soci::row> rs(prep);
    std::vector<std::string> names;
    for (const soci::row& r : rs) {
      if (names.empty()) {
        for (size_t i = 0; i < r.size(); ++i) {
          names.push_back(r.get_properties(i).get_name());
        }
      }
      std::vector<std::optional<std::string>> cells;
      cells.reserve(r.size());
      for (size_t i = 0; i < r.size(); ++i) {
        cells.push_back(CellText(r, i));
      }
      rows->emplace_back(names, std::move(cells));
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    Status s = dialect::ClassifyError(target_.engine, e, display_);
    if (target_.engine == Engine::kPostgres &&
        (s.kind() == ErrorKind::kUnavailable || !lease.session().is_connected())) {
      lease.MarkBroken();
      return Status::Error(ErrorKind::kUnavailable, s.message());
    }
    return s;
  }
}

Result<int64_t> Database::InsertOn(SessionPool::Lease& lease, std::string_view sql,
                                   const Params& params, std::string_view id_column) {
  std::string insert = dialect::InsertReturning(target_.engine, sql, id_column);
  std::vector<Row> rows;
  if (dialect::InsertReturnsRow(target_.engine)) {
    Status s = Run(lease, insert, params, &rows, nullptr);
    if (!s.ok()) {
      return s;
    }
  } else {
    Status s = Run(lease, insert, params, nullptr, nullptr);
    if (!s.ok()) {
      return s;
    }
    s = Run(lease, dialect::LastInsertIdQuery(target_.engine), {}, &rows, nullptr);
    if (!s.ok()) {
      return s;
    }
  }
  if (rows.size() != 1 || rows[0].size() != 1 || rows[0].IsNull(0)) {
    return Status::Error(ErrorKind::kInvalid,
                         "database " + display_ + ": the INSERT returned no id");
  }
  return rows[0].Int(0);
}

Result<int64_t> Database::Exec(std::string_view sql, const Params& params) {
  auto deadline = Deadline();
  auto writer = LockWriter(deadline);
  if (!writer.ok()) {
    return writer.status();
  }
  auto lease = pool_->Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  int64_t affected = 0;
  Status s = Run(*lease, sql, params, nullptr, &affected);
  if (!s.ok()) {
    return s;
  }
  return affected;
}

Result<std::vector<Row>> Database::Query(std::string_view sql, const Params& params) {
  auto lease = pool_->Acquire(Deadline());
  if (!lease.ok()) {
    return lease.status();
  }
  std::vector<Row> rows;
  Status s = Run(*lease, sql, params, &rows, nullptr);
  if (!s.ok()) {
    return s;
  }
  return rows;
}

Result<std::optional<Row>> Database::QueryOne(std::string_view sql, const Params& params) {
  return FirstRow(Query(sql, params));
}

Result<int64_t> Database::InsertReturningId(std::string_view sql, const Params& params,
                                            std::string_view id_column) {
  // Both the INSERT and last_insert_rowid() must run on one session without another writer of
  // this process in between: a short write transaction gives that on both engines.
  auto tx = Begin(TxKind::kWrite);
  if (!tx.ok()) {
    return tx.status();
  }
  auto id = tx->InsertReturningId(sql, params, id_column);
  if (!id.ok()) {
    return id;
  }
  Status s = tx->Commit();
  if (!s.ok()) {
    return s;
  }
  return id;
}

Result<Transaction> Database::BeginWith(std::string_view begin_sql, bool writer) {
  auto deadline = Deadline();
  std::unique_lock<std::timed_mutex> lock;
  if (writer) {
    auto locked = LockWriter(deadline);
    if (!locked.ok()) {
      return locked.status();
    }
    lock = std::move(locked).value();
  }
  auto lease = pool_->Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  Status s = Run(*lease, begin_sql, {}, nullptr, nullptr);
  if (!s.ok()) {
    return s;
  }
  return Transaction(this, std::move(lease).value(), std::move(lock));
}

Result<Transaction> Database::Begin(TxKind kind) {
  auto mode = kind == TxKind::kWrite ? dialect::TxMode::kWrite : dialect::TxMode::kRead;
  return BeginWith(dialect::BeginStatement(target_.engine, mode), kind == TxKind::kWrite);
}

Result<Transaction> Database::BeginExclusive() {
  return BeginWith(dialect::BeginStatement(target_.engine, dialect::TxMode::kExclusive), true);
}

Status Database::Transact(const std::function<Status(Transaction&)>& body, TxKind kind) {
  auto tx = Begin(kind);
  if (!tx.ok()) {
    return tx.status();
  }
  Status s = body(*tx);
  if (!s.ok()) {
    tx->Rollback();
    return s;
  }
  return tx->Commit();
}

Status Database::Ping() {
  auto row = QueryOne("SELECT 1");
  if (!row.ok()) {
    return row.status();
  }
  return Status::Ok();
}

}  // namespace mr::sql
