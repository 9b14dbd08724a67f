// A service's database and whether its schema is current: migrated at start, or by the first
// readiness check that reaches a database which was down at start. Shared (shared_ptr) with the
// process-wide readiness check, which may run after the service has stopped.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"
#include "services/runtime/service.h"
#include "sql/database.h"
#include "sql/migrations.h"

namespace mr::services {

class ServiceDatabase {
 public:
  ServiceDatabase(std::unique_ptr<sql::Database> db, std::vector<sql::Migration> migrations,
                  std::string label, log::Logger logger)
      : db_(std::move(db)),
        migrations_(std::move(migrations)),
        label_(std::move(label)),
        logger_(std::move(logger)) {}

  sql::Database* db() const { return db_.get(); }
  const std::atomic<bool>* schema_ready() const { return &schema_ready_; }

  /// Applies pending migrations once; later calls return at once.
  sql::Status MigrateOnce();
  /// At start: an unreachable database is a warning (not ready until it answers); any other
  /// migration failure stops the service.
  Status MigrateAtStart();
  /// Registers "<label>-database": ready when migrated and answering.
  static void AddReadinessCheck(const std::shared_ptr<ServiceDatabase>& self,
                                Readiness* readiness);

 private:
  std::unique_ptr<sql::Database> db_;
  std::vector<sql::Migration> migrations_;
  std::string label_;
  log::Logger logger_;
  std::mutex migrate_mu_;
  std::atomic<bool> schema_ready_{false};
};

}  // namespace mr::services
