// The same behaviour checked on both engines: SQLite in a temp folder and a real PostgreSQL 15
// cluster started by the test (testdata/postgres_cluster.cc). PostgreSQL cases FAIL, never skip,
// when the cluster cannot start.
#include "sql/database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "sql/migrations.h"
#include "sql/testdata/postgres_cluster.h"

namespace mr::sql {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::vector<Migration> ExampleMigrations() {
  auto loaded = LoadMigrations(std::filesystem::path(MR_SQL_TESTDATA) / "migrations/example");
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error();
    return {};
  }
  return *loaded;
}

class DatabaseTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kPostgres) {
      auto& cluster = testing::PostgresCluster::Shared();
      ASSERT_TRUE(cluster.ok()) << "the PostgreSQL 15 test cluster did not start: "
                                << cluster.error();
      auto name = cluster.CreateDatabase();
      ASSERT_TRUE(name.ok()) << name.error();
      url_ = cluster.Url(*name);
    } else {
      std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(test.begin(), test.end(), '/', '_');  // parameterized names hold a '/'
      dir_ = (std::filesystem::temp_directory_path() /
              ("mr-sql-test-" + std::to_string(getpid()) + "-" + test))
                 .string();
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:test.db";
    }
  }
  void TearDown() override {
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  std::unique_ptr<Database> Open(size_t pool_size = 4, milliseconds checkout = milliseconds(2000)) {
    Options o;
    o.url = url_;
    o.data_dir = dir_;
    o.name = "test";
    o.pool_size = pool_size;
    o.checkout_timeout = checkout;
    auto db = Database::Open(o);
    EXPECT_TRUE(db.ok()) << db.error();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::unique_ptr<Database> OpenMigrated() {
    auto db = Open();
    auto report = Migrate(*db, ExampleMigrations());
    EXPECT_TRUE(report.ok()) << report.error();
    return db;
  }

  int64_t Count(Database& db, const std::string& table) {
    auto row = db.QueryOne("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(row.ok()) << row.error();
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  std::string url_;
  std::string dir_;
};

TEST_P(DatabaseTest, PingSucceeds) {
  auto db = Open();
  Status s = db->Ping();
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(db->Ping().ok());
  EXPECT_TRUE(db->Ping().ok());
  PoolStats stats = db->pool_stats();
  EXPECT_EQ(stats.open, 1u);  // one session, reused
  EXPECT_EQ(stats.in_use, 0u);
}

TEST_P(DatabaseTest, MigratesAnEmptyDatabase) {
  auto db = Open();
  auto report = Migrate(*db, ExampleMigrations());
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->applied, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(report->version, 2);
  auto rows = db->Query("SELECT version, name, applied_at, checksum FROM schema_migrations "
                        "ORDER BY version");
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Text(1), "0001_init.sql");
  EXPECT_EQ((*rows)[1].Int(0), 2);
  EXPECT_EQ((*rows)[0].Text(3).size(), 64u);
  EXPECT_EQ(Count(*db, "users"), 0);
  auto greeting = db->QueryOne("SELECT value FROM settings WHERE name = ?", {"greeting"});
  ASSERT_TRUE(greeting.ok() && greeting->has_value()) << greeting.error();
  EXPECT_EQ((*greeting)->Text(0), "it's; fine");
}

TEST_P(DatabaseTest, RerunningMigrationsIsANoOp) {
  auto db = OpenMigrated();
  auto again = Migrate(*db, ExampleMigrations());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(Count(*db, "schema_migrations"), 2);
  EXPECT_EQ(Count(*db, "settings"), 1);
}

TEST_P(DatabaseTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  // Separate Database objects (own pools, own write locks) stand for separate processes.
  constexpr int kMigrators = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kMigrators; ++i) {
    dbs.push_back(Open());
  }
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kMigrators);
  std::vector<std::thread> threads;
  auto migrations = ExampleMigrations();
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      auto report = Migrate(*dbs[i], migrations);
      if (report.ok()) {
        applied += static_cast<int>(report->applied.size());
      } else {
        ++failures;
        errors[i] = report.error();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0) << errors[0] << errors[1] << errors[2] << errors[3];
  EXPECT_EQ(applied.load(), 2);
  EXPECT_EQ(Count(*dbs[0], "schema_migrations"), 2);
  EXPECT_EQ(Count(*dbs[0], "settings"), 1);
}

TEST_P(DatabaseTest, ChangedChecksumIsAStartUpError) {
  auto db = OpenMigrated();
  auto migrations = ExampleMigrations();
  migrations[0] = MakeMigration(1, migrations[0].name, migrations[0].sql + "\n-- edited\n");
  auto report = Migrate(*db, migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.kind(), ErrorKind::kMigration);
  EXPECT_NE(report.error().find("0001_init.sql was changed"), std::string::npos) << report.error();
}

TEST_P(DatabaseTest, DatabaseNewerThanCodeIsAStartUpError) {
  auto db = OpenMigrated();
  auto migrations = ExampleMigrations();
  migrations.pop_back();
  auto report = Migrate(*db, migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.kind(), ErrorKind::kMigration);
  EXPECT_NE(report.error().find("newer build"), std::string::npos) << report.error();
}

TEST_P(DatabaseTest, FailingMigrationIsRolledBackAndReported) {
  auto db = OpenMigrated();
  auto migrations = ExampleMigrations();
  migrations.push_back(MakeMigration(3, "0003_broken.sql",
                                     "CREATE TABLE extra (x TEXT);\n"
                                     "INSERT INTO nowhere VALUES (1);"));
  auto report = Migrate(*db, migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.kind(), ErrorKind::kMigration);
  EXPECT_NE(report.error().find("0003_broken.sql, statement 2"), std::string::npos)
      << report.error();
  EXPECT_EQ(Count(*db, "schema_migrations"), 2);
  EXPECT_FALSE(db->Query("SELECT * FROM extra").ok());  // the CREATE was rolled back too
}

TEST_P(DatabaseTest, SqlMetacharactersInParametersAreHarmless) {
  auto db = OpenMigrated();
  const std::string evil = "'; DROP TABLE users; --";
  auto id = db->InsertReturningId("INSERT INTO users (email, name) VALUES (?, ?)",
                                  {"evil@example.com", evil});
  ASSERT_TRUE(id.ok()) << id.error();
  auto row = db->QueryOne("SELECT name, email FROM users WHERE name = ?", {evil});
  ASSERT_TRUE(row.ok()) << row.error();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->Text(0), evil);
  EXPECT_EQ(Count(*db, "users"), 1);
  // A '?' inside a literal is text, not a placeholder; the values around it still bind.
  auto mixed = db->QueryOne("SELECT '?' AS q, email FROM users WHERE email = ? OR name = ?",
                            {"x' OR '1'='1", evil});
  ASSERT_TRUE(mixed.ok()) << mixed.error();
  ASSERT_TRUE(mixed->has_value());
  EXPECT_EQ((*mixed)->Text(0), "?");
  auto none = db->Query("SELECT id FROM users WHERE email = ?", {"x' OR '1'='1"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto wrong = db->Exec("UPDATE users SET name = ? WHERE id = ?", {"only one"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.kind(), ErrorKind::kInvalid);
}

TEST_P(DatabaseTest, UniqueViolationHasItsOwnKind) {
  auto db = OpenMigrated();
  ASSERT_TRUE(db->Exec("INSERT INTO users (email) VALUES (?)", {"a@example.com"}).ok());
  auto dup = db->Exec("INSERT INTO users (email) VALUES (?)", {"a@example.com"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.kind(), ErrorKind::kUniqueViolation) << dup.error();
  EXPECT_EQ(dup.error().find("a@example.com"), std::string::npos) << dup.error();
  auto orphan = db->Exec("INSERT INTO notes (user_id, body) VALUES (?, ?)", {424242, "x"});
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.kind(), ErrorKind::kConstraint) << orphan.error();
  auto null_email = db->Exec("INSERT INTO users (email) VALUES (?)", {nullptr});
  ASSERT_FALSE(null_email.ok());
  EXPECT_EQ(null_email.kind(), ErrorKind::kConstraint) << null_email.error();
}

TEST_P(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = OpenMigrated();
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok()) << tx.error();
    ASSERT_TRUE(tx->Exec("INSERT INTO users (email) VALUES (?)", {"gone@example.com"}).ok());
  }
  EXPECT_EQ(Count(*db, "users"), 0);
  Status failed = db->Transact([](Transaction& tx) -> Status {
    auto ins = tx.Exec("INSERT INTO users (email) VALUES (?)", {"also-gone@example.com"});
    if (!ins.ok()) {
      return ins.status();
    }
    return Status::Error(ErrorKind::kInvalid, "quota exceeded");
  });
  EXPECT_EQ(failed.message(), "quota exceeded");
  EXPECT_EQ(Count(*db, "users"), 0);
  Status committed = db->Transact([](Transaction& tx) -> Status {
    auto id = tx.InsertReturningId("INSERT INTO users (email) VALUES (?)", {"kept@example.com"});
    if (!id.ok()) {
      return id.status();
    }
    return tx.Exec("INSERT INTO notes (user_id, body) VALUES (?, ?)", {*id, "hi"}).status();
  });
  EXPECT_TRUE(committed.ok()) << committed.message();
  EXPECT_EQ(Count(*db, "users"), 1);
  EXPECT_EQ(Count(*db, "notes"), 1);
}

TEST_P(DatabaseTest, InsertReturningIdNeverReusesIds) {
  auto db = OpenMigrated();
  auto a = db->InsertReturningId("INSERT INTO users (email) VALUES (?)", {"a@example.com"});
  auto b = db->InsertReturningId("INSERT INTO users (email) VALUES (?)", {"b@example.com"});
  ASSERT_TRUE(a.ok() && b.ok()) << a.error() << b.error();
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(*b, 2);
  ASSERT_TRUE(db->Exec("DELETE FROM users WHERE id = ?", {*b}).ok());
  auto c = db->InsertReturningId("INSERT INTO users (email) VALUES (?)", {"c@example.com"});
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(*c, 3);  // SQLite's AUTOINCREMENT behaves like PostgreSQL's identity here
  auto by_id = db->QueryOne("SELECT email FROM users WHERE id = ?", {*c});
  ASSERT_TRUE(by_id.ok() && by_id->has_value());
  EXPECT_EQ((*by_id)->Text(0), "c@example.com");
}

TEST_P(DatabaseTest, ReadsTypedValuesTheSameOnBothEngines) {
  auto db = OpenMigrated();
  const int64_t big = int64_t{1} << 42;
  std::optional<std::string> no_name;
  ASSERT_TRUE(db->Exec("INSERT INTO users (email, name, created_at) VALUES (?, ?, ?)",
                       {"ü@example.com", no_name, big})
                  .ok());
  auto row = db->QueryOne("SELECT id, email, name, created_at, COUNT(*) OVER () FROM users");
  ASSERT_TRUE(row.ok()) << row.error();
  ASSERT_TRUE(row->has_value());
  const Row& r = **row;
  EXPECT_EQ(r.size(), 5u);
  EXPECT_EQ(r.Int(0), 1);
  EXPECT_EQ(r.Text(1), "ü@example.com");
  EXPECT_TRUE(r.IsNull(2));
  EXPECT_EQ(r.OptText(2), std::nullopt);
  EXPECT_EQ(r.OptInt(3), big);
  EXPECT_EQ(r.Int(4), 1);
  EXPECT_EQ(r.name(1), "email");
  auto sum = db->QueryOne("SELECT COALESCE(SUM(created_at), 0), MAX(created_at) FROM users");
  ASSERT_TRUE(sum.ok() && sum->has_value()) << sum.error();
  EXPECT_EQ((*sum)->Int(0), big);  // PostgreSQL's SUM(bigint) is NUMERIC: still reads as an integer
  EXPECT_EQ((*sum)->Int(1), big);
  auto missing = db->QueryOne("SELECT id FROM users WHERE email = ?", {"nobody"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(DatabaseTest, PoolExhaustionFailsWithinTheDeadline) {
  auto db = Open(/*pool_size=*/1, milliseconds(200));
  auto held = db->Begin(Database::TxKind::kRead);
  ASSERT_TRUE(held.ok()) << held.error();
  auto start = steady_clock::now();
  auto blocked = db->Query("SELECT 1");
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.kind(), ErrorKind::kUnavailable);
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(1500));
  EXPECT_FALSE(db->Ping().ok());
  PoolStats stats = db->pool_stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.in_use, 1u);
  EXPECT_GE(stats.timeouts, 2u);
  held->Rollback();
  EXPECT_TRUE(db->Ping().ok());
}

TEST_P(DatabaseTest, ConcurrentWritersAllSucceed) {
  auto db = OpenMigrated();
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string email = std::to_string(t) + "-" + std::to_string(i) + "@example.com";
        Status s = db->Transact([&](Transaction& tx) -> Status {
          auto n = tx.QueryOne("SELECT COUNT(*) FROM users");
          if (!n.ok()) {
            return n.status();
          }
          return tx.Exec("INSERT INTO users (email) VALUES (?)", {email}).status();
        });
        if (!s.ok()) {
          ++failures;
          std::lock_guard lock(mu);
          first_error = s.message();
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0) << first_error;
  EXPECT_EQ(Count(*db, "users"), kThreads * kEach);
}

}  // namespace

void PrintTo(Engine engine, std::ostream* os) {
  *os << (engine == Engine::kSqlite ? "sqlite" : "postgresql");
}

namespace {

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& info) {
                           return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
                         });

TEST(SqliteTest, UsesWalAndEnforcesForeignKeys) {
  // A space in the path: the SQLite connect string quotes it.
  auto dir = std::filesystem::temp_directory_path() / ("mr-sql wal " + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Options o;
  o.url = "sqlite:nested/wal.db";
  o.data_dir = dir.string();
  auto db = Database::Open(o);
  ASSERT_TRUE(db.ok()) << db.error();
  auto mode = (*db)->QueryOne("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && mode->has_value()) << mode.error();
  EXPECT_EQ((*mode)->Text(0), "wal");
  auto fk = (*db)->QueryOne("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok() && fk->has_value());
  EXPECT_EQ((*fk)->Int(0), 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "nested/wal.db"));
  db->reset();
  std::filesystem::remove_all(dir);
}

TEST(PostgresTest, UnreachableServerFailsQuicklyWithoutLeakingThePassword) {
  Options o;
  o.url = "postgresql://app:s3cr3t-pw@127.0.0.1:" + std::to_string(testing::FreePort()) + "/x";
  o.checkout_timeout = milliseconds(500);
  auto db = Database::Open(o);
  ASSERT_TRUE(db.ok()) << db.error();
  auto start = steady_clock::now();
  Status s = (*db)->Ping();
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_EQ(s.message().find("s3cr3t-pw"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("app:***@127.0.0.1"), std::string::npos) << s.message();
  auto q = (*db)->Exec("INSERT INTO t VALUES (?)", {1});
  EXPECT_EQ(q.kind(), ErrorKind::kUnavailable);
}

TEST(PostgresTest, ReconnectsAfterTheServerDroppedTheSession) {
  auto& cluster = testing::PostgresCluster::Shared();
  ASSERT_TRUE(cluster.ok()) << "the PostgreSQL 15 test cluster did not start: " << cluster.error();
  auto name = cluster.CreateDatabase();
  ASSERT_TRUE(name.ok()) << name.error();
  Options o;
  o.url = cluster.Url(*name);
  o.pool_size = 1;
  auto db = Database::Open(o);
  ASSERT_TRUE(db.ok());
  auto pid = (*db)->QueryOne("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok() && pid->has_value()) << pid.error();
  Options admin_options;
  admin_options.url = cluster.Url("postgres");
  auto admin = Database::Open(admin_options);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("SELECT pg_terminate_backend(?)", {(*pid)->Int(0)}).ok());
  std::this_thread::sleep_for(milliseconds(100));
  Status lost = (*db)->Ping();  // the dead session is noticed and dropped...
  EXPECT_EQ(lost.kind(), ErrorKind::kUnavailable) << lost.message();
  Status back = (*db)->Ping();  // ...and the next call opens a new one
  EXPECT_TRUE(back.ok()) << back.message();
}

}  // namespace
}  // namespace mr::sql
