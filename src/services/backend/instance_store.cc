#include "services/backend/instance_store.h"

#include <boost/json.hpp>

namespace mr::services::backend {
namespace json = boost::json;
namespace {

using Step = sql::Result<std::optional<ChangeOutcome>>;

constexpr std::string_view kColumns =
    "SELECT id, owner_id, name, memory_limit_mb, eviction_policy, persistence, password_sealed, "
    "rest_token_sealed, desired_state, status, status_message, node_manager, port, host, "
    "shared_port, spec_version, applied_version, created_at, updated_at FROM instances ";

InstanceRecord FromRow(const sql::Row& r) {
  InstanceRecord x;
  x.id = r.Text(0);
  x.owner_id = r.Int(1);
  x.name = r.Text(2);
  x.memory_limit_mb = r.Int(3);
  x.eviction_policy = r.Text(4);
  x.persistence = r.Text(5);
  x.password_sealed = r.Text(6);
  x.rest_token_sealed = r.Text(7);
  x.desired_state = r.Text(8);
  x.status = r.Text(9);
  x.status_message = r.Text(10);
  x.node_manager = r.Text(11);
  x.port = r.OptInt(12);
  x.host = r.Text(13);
  x.shared_port = r.OptInt(14);
  x.spec_version = r.Int(15);
  x.applied_version = r.Int(16);
  x.created_at_ms = r.Int(17);
  x.updated_at_ms = r.Int(18);
  return x;
}

template <typename Source>
sql::Result<std::optional<InstanceRecord>> OneRecord(Source& source, const std::string& where,
                                                     const sql::Params& params) {
  auto row = source.QueryOne(std::string(kColumns) + where, params);
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return std::optional<InstanceRecord>();
  }
  return std::optional<InstanceRecord>(FromRow(**row));
}

sql::Result<std::vector<InstanceRecord>> Records(sql::Result<std::vector<sql::Row>> rows) {
  if (!rows.ok()) {
    return rows.status();
  }
  std::vector<InstanceRecord> out;
  out.reserve(rows->size());
  for (const sql::Row& r : *rows) {
    out.push_back(FromRow(r));
  }
  return out;
}

json::object SpecJson(const InstanceRecord& r) {
  return {{"name", r.name},
          {"memory_limit_mb", r.memory_limit_mb},
          {"eviction_policy", r.eviction_policy},
          {"persistence", r.persistence}};
}

AuditEvent InstanceEvent(const Actor& actor, const InstanceRecord& r, std::string action,
                         json::object details, int64_t now_ms) {
  return AuditEvent{0, now_ms, actor, r.owner_id, std::move(action), "instance", r.id,
                    json::serialize(details)};
}

ChangeOutcome Refused(Refusal why, std::string message = "") {
  return ChangeOutcome{why, std::move(message), {}};
}

std::string QuotaMessage(const char* what, int64_t limit) {
  return std::string("quota exceeded: at most ") + std::to_string(limit) + what;
}

}  // namespace

sql::Result<QuotaLimits> InstanceStore::LockOwner(sql::Transaction& tx, int64_t owner_id,
                                                  int64_t now_ms) {
  // One statement creates the owner's row on first use, takes its row lock (PostgreSQL: the
  // update of a conflicting insert locks the row until commit), and reads the quota overrides.
  auto row = tx.QueryOne(
      "INSERT INTO owners (user_id, revision, created_at) VALUES (?, 1, ?) "
      "ON CONFLICT (user_id) DO UPDATE SET revision = owners.revision + 1 "
      "RETURNING max_instances, max_memory_mb",
      {owner_id, now_ms});
  if (!row.ok()) {
    return row.status();
  }
  QuotaLimits limits = defaults_;
  if (row->has_value()) {
    limits.max_instances = (*row)->OptInt(0).value_or(defaults_.max_instances);
    limits.max_memory_mb = (*row)->OptInt(1).value_or(defaults_.max_memory_mb);
  }
  return limits;
}

sql::Result<Usage> InstanceStore::UsageIn(sql::Transaction& tx, int64_t owner_id) {
  auto row = tx.QueryOne(
      "SELECT COUNT(*), COALESCE(SUM(memory_limit_mb), 0) FROM instances "
      "WHERE owner_id = ? AND deleted_at IS NULL",
      {owner_id});
  if (!row.ok()) {
    return row.status();
  }
  Usage u;
  u.instances = (*row)->Int(0);
  u.memory_mb = (*row)->Int(1);
  return u;
}

sql::Result<ChangeOutcome> InstanceStore::Create(const NewInstance& n,
                                                 const std::vector<PlacementTarget>& targets,
                                                 const Actor& actor, int64_t now_ms) {
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto limits = LockOwner(*tx, n.owner_id, now_ms);
  if (!limits.ok()) {
    return limits.status();
  }
  auto usage = UsageIn(*tx, n.owner_id);
  if (!usage.ok()) {
    return usage.status();
  }
  const int64_t memory = *n.fields.memory_limit_mb;
  if (usage->instances + 1 > limits->max_instances) {
    return Refused(Refusal::kQuotaExceeded, QuotaMessage(" instances", limits->max_instances));
  }
  if (usage->memory_mb + memory > limits->max_memory_mb) {
    return Refused(Refusal::kQuotaExceeded,
                   QuotaMessage(" MB of memory in all instances", limits->max_memory_mb) +
                       " (" + std::to_string(usage->memory_mb) + " MB in use)");
  }
  // A name already in use is found by the unique index at the insert below.
  auto placed = tx->Query(
      "SELECT node_manager, SUM(memory_limit_mb) FROM instances WHERE deleted_at IS NULL "
      "GROUP BY node_manager");
  if (!placed.ok()) {
    return placed.status();
  }
  const PlacementTarget* best = nullptr;
  int64_t best_free = 0;
  for (const PlacementTarget& t : targets) {
    int64_t free = t.capacity_mb;
    for (const sql::Row& r : *placed) {
      if (r.Text(0) == t.url) {
        free -= r.Int(1);
      }
    }
    if (free >= memory && (best == nullptr || free > best_free)) {
      best = &t;
      best_free = free;
    }
  }
  if (best == nullptr) {
    return Refused(Refusal::kNoCapacity,
                   targets.empty() ? "no node-manager is reachable; retry shortly"
                                   : "no node-manager has " + std::to_string(memory) +
                                         " MB free; retry later or ask for less memory");
  }
  InstanceRecord r;
  r.id = n.id;
  r.owner_id = n.owner_id;
  r.name = *n.fields.name;
  r.memory_limit_mb = memory;
  r.eviction_policy = *n.fields.eviction_policy;
  r.persistence = *n.fields.persistence;
  r.password_sealed = n.password_sealed;
  r.rest_token_sealed = n.rest_token_sealed;
  r.desired_state = "running";
  r.status = "provisioning";
  r.node_manager = best->url;
  r.spec_version = 1;
  r.created_at_ms = r.updated_at_ms = now_ms;
  auto inserted = tx->Exec(
      "INSERT INTO instances (id, owner_id, name, memory_limit_mb, eviction_policy, persistence, "
      "password_sealed, rest_token_sealed, rest_token_hash, desired_state, status, node_manager, "
      "spec_version, applied_version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
      {r.id, r.owner_id, r.name, r.memory_limit_mb, r.eviction_policy, r.persistence,
       r.password_sealed, r.rest_token_sealed, n.rest_token_hash, r.desired_state, r.status,
       r.node_manager, r.spec_version, now_ms, now_ms});
  if (!inserted.ok()) {
    if (inserted.kind() == sql::ErrorKind::kUniqueViolation) {
      return Refused(Refusal::kNameTaken);
    }
    return inserted.status();
  }
  json::object details = SpecJson(r);
  details["node_manager"] = r.node_manager;
  if (auto s = AppendAudit(*tx, InstanceEvent(actor, r, "instance.create", details, now_ms));
      !s.ok()) {
    return s;
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  return ChangeOutcome{std::nullopt, "", std::move(r)};
}

sql::Result<ChangeOutcome> InstanceStore::Change(int64_t owner_id, const std::string& id,
                                                 int64_t now_ms, const ApplyChange& apply,
                                                 bool idempotent_delete) {
  auto tx = db_->Begin();
  if (!tx.ok()) {
    return tx.status();
  }
  auto limits = LockOwner(*tx, owner_id, now_ms);
  if (!limits.ok()) {
    return limits.status();
  }
  auto found = OneRecord(*tx, "WHERE owner_id = ? AND id = ? AND deleted_at IS NULL",
                         {owner_id, id});
  if (!found.ok()) {
    return found.status();
  }
  if (!found->has_value()) {
    return Refused(Refusal::kNotFound);
  }
  InstanceRecord r = std::move(**found);
  if (r.desired_state == "deleted") {
    // Deleting already: a second delete is a no-op; any other change is refused.
    return idempotent_delete ? ChangeOutcome{std::nullopt, "", std::move(r)}
                             : Refused(Refusal::kBusy);
  }
  auto refused = apply(*tx, r, *limits);
  if (!refused.ok()) {
    return refused.status();
  }
  if (refused->has_value()) {
    return std::move(**refused);
  }
  r.spec_version += 1;
  r.updated_at_ms = now_ms;
  auto updated = tx->Exec(
      "UPDATE instances SET name = ?, memory_limit_mb = ?, eviction_policy = ?, persistence = ?, "
      "desired_state = ?, status = ?, status_message = ?, spec_version = ?, updated_at = ? "
      "WHERE id = ?",
      {r.name, r.memory_limit_mb, r.eviction_policy, r.persistence, r.desired_state, r.status,
       r.status_message.empty() ? sql::Param(nullptr) : sql::Param(r.status_message),
       r.spec_version, now_ms, r.id});
  if (!updated.ok()) {
    if (updated.kind() == sql::ErrorKind::kUniqueViolation) {
      return Refused(Refusal::kNameTaken);
    }
    return updated.status();
  }
  if (auto s = tx->Commit(); !s.ok()) {
    return s;
  }
  return ChangeOutcome{std::nullopt, "", std::move(r)};
}

sql::Result<ChangeOutcome> InstanceStore::Update(int64_t owner_id, const std::string& id,
                                                 const InstanceFields& change,
                                                 const Actor& actor, int64_t now_ms) {
  return Change(owner_id, id, now_ms,
                [&](sql::Transaction& tx, InstanceRecord& r, const QuotaLimits& limits) -> Step {
                  json::object before = SpecJson(r);
                  if (change.memory_limit_mb && *change.memory_limit_mb > r.memory_limit_mb) {
                    auto usage = UsageIn(tx, owner_id);
                    if (!usage.ok()) {
                      return usage.status();
                    }
                    int64_t after = usage->memory_mb - r.memory_limit_mb + *change.memory_limit_mb;
                    if (after > limits.max_memory_mb) {
                      return std::optional<ChangeOutcome>(Refused(
                          Refusal::kQuotaExceeded,
                          QuotaMessage(" MB of memory in all instances", limits.max_memory_mb) +
                              " (" + std::to_string(usage->memory_mb) + " MB in use)"));
                    }
                  }
                  if (change.name && *change.name != r.name) {
                    auto taken = tx.QueryOne(
                        "SELECT 1 FROM instances WHERE owner_id = ? AND name = ? AND "
                        "deleted_at IS NULL",
                        {owner_id, *change.name});
                    if (!taken.ok()) {
                      return taken.status();
                    }
                    if (taken->has_value()) {
                      return std::optional<ChangeOutcome>(Refused(Refusal::kNameTaken));
                    }
                  }
                  r.name = change.name.value_or(r.name);
                  r.memory_limit_mb = change.memory_limit_mb.value_or(r.memory_limit_mb);
                  r.eviction_policy = change.eviction_policy.value_or(r.eviction_policy);
                  r.persistence = change.persistence.value_or(r.persistence);
                  json::object details{{"before", before}, {"after", SpecJson(r)}};
                  if (auto s = AppendAudit(
                          tx, InstanceEvent(actor, r, "instance.update", details, now_ms));
                      !s.ok()) {
                    return s;
                  }
                  return std::optional<ChangeOutcome>();
                });
}

sql::Result<ChangeOutcome> InstanceStore::SetDesiredState(int64_t owner_id, const std::string& id,
                                                          const std::string& desired,
                                                          const Actor& actor, int64_t now_ms) {
  return Change(owner_id, id, now_ms,
                [&](sql::Transaction& tx, InstanceRecord& r, const QuotaLimits& limits) -> Step {
                  json::object details{{"from", r.desired_state}, {"to", desired}};
                  r.desired_state = desired;
                  std::string action = desired == "running" ? "instance.start" : "instance.stop";
                  if (auto s = AppendAudit(tx, InstanceEvent(actor, r, action, details, now_ms));
                      !s.ok()) {
                    return s;
                  }
                  return std::optional<ChangeOutcome>();
                });
}

sql::Result<ChangeOutcome> InstanceStore::MarkDeleting(int64_t owner_id, const std::string& id,
                                                       const Actor& actor, int64_t now_ms) {
  return Change(owner_id, id, now_ms,
                [&](sql::Transaction& tx, InstanceRecord& r, const QuotaLimits& limits) -> Step {
                  r.desired_state = "deleted";
                  r.status = "deleting";
                  json::object details = SpecJson(r);
                  details["node_manager"] = r.node_manager;
                  if (auto s = AppendAudit(
                          tx, InstanceEvent(actor, r, "instance.delete", details, now_ms));
                      !s.ok()) {
                    return s;
                  }
                  return std::optional<ChangeOutcome>();
                },
                /*idempotent_delete=*/true);
}

sql::Result<std::optional<InstanceRecord>> InstanceStore::Get(int64_t owner_id,
                                                              const std::string& id) {
  return OneRecord(*db_, "WHERE owner_id = ? AND id = ? AND deleted_at IS NULL", {owner_id, id});
}

sql::Result<std::optional<InstanceRecord>> InstanceStore::GetAny(const std::string& id) {
  return OneRecord(*db_, "WHERE id = ? AND deleted_at IS NULL", {id});
}

sql::Result<std::vector<InstanceRecord>> InstanceStore::List(int64_t owner_id) {
  return Records(db_->Query(std::string(kColumns) +
                                "WHERE owner_id = ? AND deleted_at IS NULL "
                                "ORDER BY created_at DESC, id",
                            {owner_id}));
}

sql::Result<std::vector<InstanceRecord>> InstanceStore::ListOnNode(
    const std::string& node_manager) {
  return Records(db_->Query(
      std::string(kColumns) + "WHERE node_manager = ? AND deleted_at IS NULL ORDER BY id",
      {node_manager}));
}

sql::Result<std::vector<InstanceRecord>> InstanceStore::ListPending(int64_t changed_before_ms) {
  return Records(db_->Query(std::string(kColumns) +
                                "WHERE deleted_at IS NULL AND applied_version < spec_version "
                                "AND updated_at < ? ORDER BY updated_at LIMIT 1000",
                            {changed_before_ms}));
}

sql::Result<Usage> InstanceStore::UsageOf(int64_t owner_id) {
  auto tx = db_->Begin(sql::Database::TxKind::kRead);
  if (!tx.ok()) {
    return tx.status();
  }
  auto usage = UsageIn(*tx, owner_id);
  if (!usage.ok()) {
    return usage;
  }
  auto row = tx->QueryOne("SELECT max_instances, max_memory_mb FROM owners WHERE user_id = ?",
                          {owner_id});
  if (!row.ok()) {
    return row.status();
  }
  usage->limits = defaults_;
  if (row->has_value()) {
    usage->limits.max_instances = (*row)->OptInt(0).value_or(defaults_.max_instances);
    usage->limits.max_memory_mb = (*row)->OptInt(1).value_or(defaults_.max_memory_mb);
  }
  return usage;
}

sql::Status InstanceStore::RecordApplied(const std::string& id, const Applied& a,
                                         int64_t now_ms) {
  return db_
      ->Exec("UPDATE instances SET applied_version = ?, status = ?, status_message = ?, "
             "port = COALESCE(?, port), host = COALESCE(?, host), "
             "shared_port = COALESCE(?, shared_port), updated_at = ? "
             "WHERE id = ? AND deleted_at IS NULL AND spec_version <= ?",
             {a.version, a.status,
              a.status_message.empty() ? sql::Param(nullptr) : sql::Param(a.status_message),
              a.port, a.host.empty() ? sql::Param(nullptr) : sql::Param(a.host), a.shared_port,
              now_ms, id, a.version})
      .status();
}

sql::Status InstanceStore::MarkDeleted(const std::string& id, int64_t now_ms) {
  return db_
      ->Exec("UPDATE instances SET status = 'deleted', deleted_at = ?, updated_at = ? "
             "WHERE id = ? AND desired_state = 'deleted' AND deleted_at IS NULL",
             {now_ms, now_ms, id})
      .status();
}

sql::Status InstanceStore::AppendSystemEvent(const InstanceRecord& record,
                                             const std::string& action,
                                             const std::string& details, int64_t now_ms) {
  return db_->Transact([&](sql::Transaction& tx) {
    AuditEvent e{0, now_ms, Actor::System(), record.owner_id, action, "instance", record.id,
                 details};
    return AppendAudit(tx, e);
  });
}

}  // namespace mr::services::backend
