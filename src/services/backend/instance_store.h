// Instances' desired state in the backend's database: create under quota with placement, reads
// scoped to an owner (another owner's instance does not exist), desired-state changes that bump
// spec_version, and what the provisioner reports back (applied_version, status, endpoint). Every
// change appends its audit event in the same transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "services/backend/audit_log.h"
#include "services/backend/instance_request.h"
#include "sql/database.h"

namespace mr::services::backend {

struct InstanceRecord {
  std::string id;
  int64_t owner_id = 0;
  std::string name;
  int64_t memory_limit_mb = 0;
  std::string eviction_policy;
  std::string persistence;
  std::string password_sealed;
  std::string rest_token_sealed;
  std::string desired_state;  // running | stopped | deleted
  std::string status;         // provisioning | running | stopped | deleting | error | deleted
  std::string status_message;
  std::string node_manager;
  std::optional<int64_t> port;
  std::string host;
  std::optional<int64_t> shared_port;
  int64_t spec_version = 0;
  int64_t applied_version = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct QuotaLimits {
  int64_t max_instances = 10;
  int64_t max_memory_mb = 1024;
};

struct Usage {
  int64_t instances = 0;
  int64_t memory_mb = 0;
  QuotaLimits limits;
};

/// A node-manager that can take instances now, with its capacity.
struct PlacementTarget {
  std::string url;
  int64_t capacity_mb = 0;
};

/// Why a change was refused (nullopt in the outcome: it was made).
enum class Refusal { kQuotaExceeded, kNameTaken, kNoCapacity, kNotFound, kBusy };

struct ChangeOutcome {
  std::optional<Refusal> refusal;
  std::string message;   // for kQuotaExceeded / kNoCapacity
  InstanceRecord record; // the row after the change
};

/// Secrets of a new instance, sealed by the caller (they are bound to the id it chose).
struct NewInstance {
  std::string id;
  int64_t owner_id = 0;
  InstanceFields fields;  // all set
  std::string password_sealed;
  std::string rest_token_sealed;
  std::string rest_token_hash;
};

class InstanceStore {
 public:
  InstanceStore(sql::Database* db, QuotaLimits defaults) : db_(db), defaults_(defaults) {}

  /// Checks the owner's quota, picks the target with the most free memory (capacity minus what
  /// the backend placed there) and inserts the row as provisioning, all in one transaction
  /// that holds the owner's lock.
  sql::Result<ChangeOutcome> Create(const NewInstance& instance,
                                    const std::vector<PlacementTarget>& targets,
                                    const Actor& actor, int64_t now_ms);
  /// Applies the set fields of `change`; a larger memory limit is checked against the quota.
  sql::Result<ChangeOutcome> Update(int64_t owner_id, const std::string& id,
                                    const InstanceFields& change, const Actor& actor,
                                    int64_t now_ms);
  /// desired: "running" or "stopped" (audit action instance.start / instance.stop).
  sql::Result<ChangeOutcome> SetDesiredState(int64_t owner_id, const std::string& id,
                                             const std::string& desired, const Actor& actor,
                                             int64_t now_ms);
  /// Marks the instance deleting (desired "deleted"); the provisioner finishes it.
  sql::Result<ChangeOutcome> MarkDeleting(int64_t owner_id, const std::string& id,
                                          const Actor& actor, int64_t now_ms);

  /// A live (not deleted) instance of `owner_id`.
  sql::Result<std::optional<InstanceRecord>> Get(int64_t owner_id, const std::string& id);
  /// Any live instance, whoever owns it (provisioner, internal routes).
  sql::Result<std::optional<InstanceRecord>> GetAny(const std::string& id);
  sql::Result<std::vector<InstanceRecord>> List(int64_t owner_id);
  /// Live instances placed on `node_manager`, deleting ones included.
  sql::Result<std::vector<InstanceRecord>> ListOnNode(const std::string& node_manager);
  /// Live instances whose newest change, made before `changed_before_ms`, was not confirmed.
  sql::Result<std::vector<InstanceRecord>> ListPending(int64_t changed_before_ms);
  sql::Result<Usage> UsageOf(int64_t owner_id);

  /// What the node-manager confirmed for `version`; ignored when a newer version was recorded.
  struct Applied {
    int64_t version = 0;
    std::string status;
    std::string status_message;
    std::optional<int64_t> port;
    std::string host;
    std::optional<int64_t> shared_port;
  };
  sql::Status RecordApplied(const std::string& id, const Applied& applied, int64_t now_ms);
  /// A delete its node-manager confirmed: the row leaves every list and frees its name.
  sql::Status MarkDeleted(const std::string& id, int64_t now_ms);
  /// An audit event by the system about `record` (the reconciler's reprovision / error).
  sql::Status AppendSystemEvent(const InstanceRecord& record, const std::string& action,
                                const std::string& details, int64_t now_ms);

 private:
  sql::Result<QuotaLimits> LockOwner(sql::Transaction& tx, int64_t owner_id, int64_t now_ms);
  sql::Result<Usage> UsageIn(sql::Transaction& tx, int64_t owner_id);
  // Runs `apply` on the owner's live instance `id` in a transaction holding the owner's lock; it
  // edits the record (and appends its audit event) or returns a refusal. The edited record is
  // written with spec_version + 1. An instance being deleted refuses changes (kBusy), except a
  // repeated delete when `idempotent_delete`, which answers it unchanged.
  using ApplyChange = std::function<sql::Result<std::optional<ChangeOutcome>>(
      sql::Transaction&, InstanceRecord&, const QuotaLimits&)>;
  sql::Result<ChangeOutcome> Change(int64_t owner_id, const std::string& id, int64_t now_ms,
                                    const ApplyChange& apply, bool idempotent_delete = false);

  sql::Database* db_;
  QuotaLimits defaults_;
};

}  // namespace mr::services::backend
