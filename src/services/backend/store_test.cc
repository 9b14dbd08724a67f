// The backend's stores on both engines: SQLite in a temp folder and a real PostgreSQL 15 cluster
// (sql/testdata/postgres_cluster; PostgreSQL cases fail, never skip, when it cannot start).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "main_migrations.h"
#include "services/backend/api_keys.h"
#include "services/backend/instance_store.h"
#include "sql/migrations.h"
#include "sql/testdata/postgres_cluster.h"

namespace mr::services::backend {
namespace {

using sql::Engine;

class StoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    sql::Options o;
    o.name = "backend-test";
    o.pool_size = 24;
    o.checkout_timeout = std::chrono::seconds(10);
    if (GetParam() == Engine::kPostgres) {
      auto& cluster = sql::testing::PostgresCluster::Shared();
      ASSERT_TRUE(cluster.ok()) << "the PostgreSQL 15 test cluster did not start: "
                                << cluster.error();
      auto name = cluster.CreateDatabase();
      ASSERT_TRUE(name.ok()) << name.error();
      o.url = cluster.Url(*name);
    } else {
      std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(test.begin(), test.end(), '/', '_');
      dir_ = (std::filesystem::temp_directory_path() /
              ("mr-backend-store-" + std::to_string(getpid()) + "-" + test))
                 .string();
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      o.url = "sqlite:main.db";
      o.data_dir = dir_;
    }
    auto db = sql::Database::Open(o);
    ASSERT_TRUE(db.ok()) << db.error();
    db_ = std::move(*db);
    auto migrated = sql::Migrate(*db_, sql::mainMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.error();
    store_ = std::make_unique<InstanceStore>(db_.get(), QuotaLimits{3, 1000});
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  NewInstance Make(int64_t owner, const std::string& name, int64_t memory) {
    NewInstance n;
    n.id = NewInstanceId();
    n.owner_id = owner;
    n.fields = {name, memory, "noeviction", "aof-everysec"};
    n.password_sealed = "sealed-pw";
    n.rest_token_sealed = "sealed-rest";
    n.rest_token_hash = n.id + "-hash";
    return n;
  }

  ChangeOutcome Create(int64_t owner, const std::string& name, int64_t memory,
                       const std::vector<PlacementTarget>& targets = {{"http://n1", 100000}}) {
    auto r = store_->Create(Make(owner, name, memory), targets, Actor{owner, {}, "1.2.3.4", "r"},
                            ++clock_);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? *r : ChangeOutcome{};
  }

  int64_t Count(const std::string& sql) {
    auto row = db_->QueryOne(sql);
    EXPECT_TRUE(row.ok()) << row.error();
    return row.ok() ? (*row)->Int(0) : -1;
  }

  std::string dir_;
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<InstanceStore> store_;
  int64_t clock_ = 1000;
};

TEST_P(StoreTest, CreatesUnderQuotaWithUniqueNames) {
  auto a = Create(1, "a", 100);
  ASSERT_FALSE(a.refusal);
  EXPECT_EQ(a.record.status, "provisioning");
  EXPECT_EQ(a.record.desired_state, "running");
  EXPECT_EQ(Create(1, "a", 100).refusal, Refusal::kNameTaken);
  EXPECT_FALSE(Create(2, "a", 100).refusal);  // names are per owner
  EXPECT_FALSE(Create(1, "b", 100).refusal);
  auto mem = Create(1, "c", 801);
  EXPECT_EQ(mem.refusal, Refusal::kQuotaExceeded);
  EXPECT_NE(mem.message.find("1000 MB"), std::string::npos);
  EXPECT_FALSE(Create(1, "c", 800).refusal);
  auto count = Create(1, "d", 1);
  EXPECT_EQ(count.refusal, Refusal::kQuotaExceeded);
  EXPECT_NE(count.message.find("3 instances"), std::string::npos);
  auto usage = store_->UsageOf(1);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->instances, 3);
  EXPECT_EQ(usage->memory_mb, 1000);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'instance.create'"), 4);
}

TEST_P(StoreTest, ConcurrentCreatesNeverExceedTheQuota) {
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto r = store_->Create(Make(7, "n" + std::to_string(i), 10), {{"http://n1", 100000}},
                              Actor{7, {}, "", ""}, 1000 + i);
      ASSERT_TRUE(r.ok()) << r.error();
      (r->refusal ? refused : created)++;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(created.load(), 3);
  EXPECT_EQ(refused.load(), 17);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instances WHERE owner_id = 7"), 3);
}

TEST_P(StoreTest, PlacesOnTheTargetWithTheMostFreeMemory) {
  std::vector<PlacementTarget> targets = {{"http://n1", 1000}, {"http://n2", 1500}};
  EXPECT_EQ(Create(1, "a", 600, targets).record.node_manager, "http://n2");  // 1500 > 1000
  EXPECT_EQ(Create(2, "b", 500, targets).record.node_manager, "http://n1");  // 1000 > 900
  EXPECT_EQ(Create(3, "c", 450, targets).record.node_manager, "http://n2");  // 900 > 500
  EXPECT_EQ(Create(4, "d", 600, targets).refusal, Refusal::kNoCapacity);     // 500, 450 free
  EXPECT_EQ(Create(5, "e", 1, {}).refusal, Refusal::kNoCapacity);            // none reachable
}

TEST_P(StoreTest, ChangesBumpTheVersionAndStaleConfirmationsAreIgnored) {
  auto a = Create(1, "a", 100);
  ASSERT_FALSE(a.refusal);
  auto stopped = store_->SetDesiredState(1, a.record.id, "stopped", Actor{1, {}, "", ""}, 2000);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->record.spec_version, 2);
  // The node-manager confirming version 1 late must not mark version 2 applied.
  ASSERT_TRUE(store_->RecordApplied(a.record.id, {1, "running", "", 16000, "h", 6379}, 2001).ok());
  auto now = store_->GetAny(a.record.id);
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->applied_version, 0);
  ASSERT_TRUE(store_->RecordApplied(a.record.id, {2, "stopped", "", 16000, "h", 6379}, 2002).ok());
  now = store_->GetAny(a.record.id);
  EXPECT_EQ((*now)->applied_version, 2);
  EXPECT_EQ((*now)->status, "stopped");
  EXPECT_EQ((*now)->port, 16000);
  auto pending = store_->ListPending(INT64_MAX);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

TEST_P(StoreTest, UpdatesCheckQuotaAndOwnership) {
  auto a = Create(1, "a", 100);
  Create(1, "b", 100);
  Actor actor{1, {}, "", ""};
  EXPECT_EQ(store_->Update(2, a.record.id, {std::nullopt, 200, {}, {}}, actor, 3000)->refusal,
            Refusal::kNotFound);
  EXPECT_EQ(store_->Update(1, a.record.id, {std::nullopt, 901, {}, {}}, actor, 3000)->refusal,
            Refusal::kQuotaExceeded);
  EXPECT_EQ(store_->Update(1, a.record.id, {"b", {}, {}, {}}, actor, 3000)->refusal,
            Refusal::kNameTaken);
  auto grown = store_->Update(1, a.record.id, {"a2", 900, "allkeys-lru", {}}, actor, 3000);
  ASSERT_TRUE(grown.ok());
  ASSERT_FALSE(grown->refusal);
  EXPECT_EQ(grown->record.memory_limit_mb, 900);
  EXPECT_EQ(grown->record.name, "a2");
  EXPECT_EQ(grown->record.eviction_policy, "allkeys-lru");
  EXPECT_EQ(grown->record.persistence, "aof-everysec");
}

TEST_P(StoreTest, DeletesFreeTheNameAndTheQuota) {
  auto a = Create(1, "a", 500);
  auto deleting = store_->MarkDeleting(1, a.record.id, Actor{1, {}, "", ""}, 4000);
  ASSERT_TRUE(deleting.ok());
  EXPECT_EQ(deleting->record.status, "deleting");
  // Until its node-manager confirms, it still counts and still holds its name.
  EXPECT_EQ(Create(1, "a", 100).refusal, Refusal::kNameTaken);
  ASSERT_TRUE(store_->MarkDeleted(a.record.id, 4001).ok());
  EXPECT_FALSE(Create(1, "a", 900).refusal);
  auto gone = store_->Get(1, a.record.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_P(StoreTest, AuditLogIsAppendOnly) {
  Create(1, "a", 100);
  EXPECT_FALSE(db_->Exec("UPDATE audit_events SET action = 'x'").ok());
  EXPECT_FALSE(db_->Exec("DELETE FROM audit_events").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events"), 1);
  auto events = ListAudit(*db_, 1, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "instance.create");
  EXPECT_EQ((*events)[0].actor.remote_address, "1.2.3.4");
  EXPECT_TRUE(ListAudit(*db_, 2, 0, 10)->empty());  // another owner's events are not listed
}

TEST_P(StoreTest, ApiKeysResolveUntilRevoked) {
  ApiKeys keys(db_.get());
  Actor actor{1, {}, "", ""};
  auto created = keys.Create(1, "ci", actor, 5000);
  ASSERT_TRUE(created.ok() && created->has_value());
  const std::string secret = (*created)->secret;
  EXPECT_TRUE(secret.starts_with((*created)->key.prefix));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE 'mr_live_%'"), 0);
  auto owner = keys.Resolve(secret, 6000);
  ASSERT_TRUE(owner.ok() && owner->has_value());
  EXPECT_EQ((*owner)->user_id, 1);
  EXPECT_EQ(keys.List(1)->front().last_used_at_ms, 6000);
  keys.Resolve(secret, 6001);  // within a minute: not written again
  EXPECT_EQ(keys.List(1)->front().last_used_at_ms, 6000);
  EXPECT_FALSE(*keys.Revoke(2, (*created)->key.id, actor, 7000));  // not theirs
  EXPECT_TRUE(*keys.Revoke(1, (*created)->key.id, actor, 7000));
  EXPECT_FALSE(keys.Resolve(secret, 7001)->has_value());
  EXPECT_FALSE(keys.Resolve("mr_live_short", 7001)->has_value());
  for (int i = 0; i < ApiKeys::kMaxLiveKeys; ++i) {
    ASSERT_TRUE(keys.Create(1, "k", actor, 8000)->has_value());
  }
  EXPECT_FALSE(keys.Create(1, "k", actor, 8000)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& info) {
                           return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace mr::services::backend
