#include "services/runtime/service_database.h"

namespace mr::services {

sql::Status ServiceDatabase::MigrateOnce() {
  std::lock_guard lock(migrate_mu_);
  if (schema_ready_.load()) {
    return sql::Status::Ok();
  }
  auto report = sql::Migrate(*db_, migrations_);
  if (!report.ok()) {
    return report.status();
  }
  if (!report->applied.empty()) {
    logger_.Info(label_ + " schema migrated", {}, {{"version", std::to_string(report->version)}});
  }
  schema_ready_.store(true);
  return sql::Status::Ok();
}

Status ServiceDatabase::MigrateAtStart() {
  sql::Status s = MigrateOnce();
  if (!s.ok() && !s.unavailable()) {
    return Status::Error(label_ + " database " + db_->display() + ": " + s.message());
  }
  if (!s.ok()) {
    logger_.Warn(label_ + " database unavailable at start; not ready until it answers", {},
                 {{"error", s.message()}});
  }
  return Status::Ok();
}

void ServiceDatabase::AddReadinessCheck(const std::shared_ptr<ServiceDatabase>& self,
                                        Readiness* readiness) {
  readiness->Add(self->label_ + "-database", [self]() -> Status {
    if (!self->schema_ready_.load()) {
      if (auto s = self->MigrateOnce(); !s.ok()) {
        return s;
      }
    }
    return self->db_->Ping().ToStatus();
  });
}

}  // namespace mr::services
