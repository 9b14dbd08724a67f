// Pushes an instance's desired state to its node-manager and records what it confirmed: an
// idempotent PUT of the whole spec (with the port it had, so the endpoint survives a lost
// node-manager), then start/stop to match, or a delete. Route handlers call it right after a
// change; the reconciler calls it for whatever has not converged. One instance is pushed by one
// caller at a time (striped locks), so a slow older push cannot overwrite a newer one.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>

#include "common/log.h"
#include "security/secret_box.h"
#include "services/backend/instance_store.h"
#include "services/backend/node_client.h"

namespace mr::services::backend {

struct Converged {
  bool ok = false;           // the node-manager confirmed the desired state
  NodeError error;           // otherwise why (unreachable: the reconciler retries)
  InstanceRecord record;     // the record with what was confirmed applied
  bool reprovisioned = false;  // it had been provisioned before and its node-manager lacked it
};

class Provisioner {
 public:
  Provisioner(InstanceStore* store, NodeClient* nodes, const security::SecretBox* secrets,
              log::Logger logger)
      : store_(store), nodes_(nodes), secrets_(secrets), logger_(std::move(logger)) {}

  /// `remote`: what the node-manager holds, when the caller just listed it (the reconciler);
  /// nullopt means unknown, and the spec is pushed unconditionally. An inner nullopt means the
  /// node-manager does not have the instance.
  Converged Converge(const InstanceRecord& record,
                     const std::optional<std::optional<RemoteInstance>>& remote = std::nullopt);

  /// Whether `remote` already runs `record`'s desired spec and state.
  static bool Matches(const InstanceRecord& record, const RemoteInstance& remote);

 private:
  Converged Push(const InstanceRecord& record,
                 const std::optional<std::optional<RemoteInstance>>& remote);
  Converged Remove(const InstanceRecord& record);
  void Record(Converged& out, const RemoteInstance& remote);
  void RecordError(Converged& out, const NodeError& error);

  InstanceStore* store_;
  NodeClient* nodes_;
  const security::SecretBox* secrets_;
  log::Logger logger_;
  std::array<std::mutex, 64> stripes_;
};

}  // namespace mr::services::backend
