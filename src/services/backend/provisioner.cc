#include "services/backend/provisioner.h"

#include <boost/json.hpp>
#include <chrono>
#include <functional>

namespace mr::services::backend {
namespace json = boost::json;
namespace {

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Node-manager refusals that a PUT without the old port can get past: the pool changed under a
// restarted node-manager, or another instance took the port while this one was missing.
bool PortProblem(const NodeError& e) {
  return e.code == "port_taken" || e.code == "invalid_port";
}

}  // namespace

bool Provisioner::Matches(const InstanceRecord& r, const RemoteInstance& remote) {
  return remote.memory_limit_mb == r.memory_limit_mb &&
         remote.eviction_policy == r.eviction_policy && remote.persistence == r.persistence &&
         remote.status == r.desired_state;
}

Converged Provisioner::Converge(const InstanceRecord& record,
                                const std::optional<std::optional<RemoteInstance>>& remote) {
  std::lock_guard lock(stripes_[std::hash<std::string>{}(record.id) % stripes_.size()]);
  if (record.desired_state == "deleted") {
    return Remove(record);
  }
  return Push(record, remote);
}

Converged Provisioner::Remove(const InstanceRecord& record) {
  Converged out;
  out.record = record;
  auto deleted = nodes_->Delete(record.node_manager, record.id);
  if (!deleted.ok()) {
    out.error = deleted.error;
    return out;
  }
  if (auto s = store_->MarkDeleted(record.id, NowMs()); !s.ok()) {
    out.error = NodeError{true, 0, "database", s.message()};
    return out;
  }
  out.ok = true;
  out.record.status = "deleted";
  return out;
}

Converged Provisioner::Push(const InstanceRecord& record,
                            const std::optional<std::optional<RemoteInstance>>& remote) {
  Converged out;
  out.record = record;
  std::optional<RemoteInstance> current;
  if (remote) {
    current = *remote;
    if (!current && record.applied_version > 0) {
      // The list may predate this instance's create (the reconciler lists the node-manager,
      // then reads the database): ask for it before calling it lost.
      auto fresh = nodes_->Get(record.node_manager, record.id);
      if (fresh.ok()) {
        current = *fresh.value;
      }
      out.reprovisioned = fresh.ok() && !current.has_value();
    }
  }
  if (!current || !remote ||
      current->memory_limit_mb != record.memory_limit_mb ||
      current->eviction_policy != record.eviction_policy ||
      current->persistence != record.persistence) {
    auto password = secrets_->Open(record.password_sealed, record.id);
    if (!password.ok()) {
      // The key file changed or the row was altered: nothing the node-manager can fix.
      RecordError(out, NodeError{false, 500, "secret_unreadable",
                                 "the instance's password cannot be decrypted with this "
                                 "backend's key"});
      return out;
    }
    RemoteSpec spec{record.memory_limit_mb, record.eviction_policy, record.persistence,
                    std::move(*password), record.port};
    auto put = nodes_->Put(record.node_manager, record.id, spec);
    if (!put.ok() && PortProblem(put.error) && spec.port) {
      logger_.Warn("instance's old port unavailable on its node-manager; taking another", {},
                   {{"instance", record.id}, {"port", std::to_string(*spec.port)}});
      spec.port.reset();
      put = nodes_->Put(record.node_manager, record.id, spec);
    }
    if (!put.ok()) {
      if (!put.error.unreachable) {
        RecordError(out, put.error);
      } else {
        out.error = put.error;
      }
      return out;
    }
    current = std::move(put.value);
  }
  if (current->status != record.desired_state) {
    auto acted = nodes_->Act(record.node_manager, record.id,
                             record.desired_state == "running" ? "start" : "stop");
    if (!acted.ok()) {
      out.error = acted.error;
      return out;
    }
    current = std::move(acted.value);
  }
  Record(out, *current);
  return out;
}

void Provisioner::Record(Converged& out, const RemoteInstance& remote) {
  InstanceStore::Applied applied{out.record.spec_version, remote.status, "", remote.port,
                                 remote.host,
                                 remote.shared_port ? std::optional<int64_t>(remote.shared_port)
                                                    : std::nullopt};
  int64_t now = NowMs();
  if (auto s = store_->RecordApplied(out.record.id, applied, now); !s.ok()) {
    out.error = NodeError{true, 0, "database", s.message()};
    return;
  }
  if (out.reprovisioned) {
    json::object details{{"node_manager", out.record.node_manager},
                         {"port", remote.port ? json::value(*remote.port) : json::value(nullptr)}};
    (void)store_->AppendSystemEvent(out.record, "instance.reprovision", json::serialize(details),
                                    now);
    logger_.Warn("instance re-provisioned on a node-manager that had lost it", {},
                 {{"instance", out.record.id}, {"node_manager", out.record.node_manager}});
  }
  out.ok = true;
  out.record.updated_at_ms = now;
  out.record.status = remote.status;
  out.record.status_message.clear();
  out.record.applied_version = out.record.spec_version;
  if (remote.port) {
    out.record.port = remote.port;
  }
  if (!remote.host.empty()) {
    out.record.host = remote.host;
  }
  if (remote.shared_port) {
    out.record.shared_port = remote.shared_port;
  }
}

void Provisioner::RecordError(Converged& out, const NodeError& error) {
  out.error = error;
  int64_t now = NowMs();
  std::string message = error.message.empty() ? error.code : error.message;
  InstanceStore::Applied applied{out.record.spec_version, "error", message, std::nullopt, "",
                                 std::nullopt};
  if (out.record.status != "error") {
    json::object details{{"code", error.code}, {"message", message}};
    (void)store_->AppendSystemEvent(out.record, "instance.error", json::serialize(details), now);
    logger_.Error("node-manager refused an instance's spec", {},
                  {{"instance", out.record.id}, {"code", error.code}, {"message", message}});
  }
  if (store_->RecordApplied(out.record.id, applied, now).ok()) {
    out.record.status = "error";
    out.record.updated_at_ms = now;
    out.record.status_message = message;
    out.record.applied_version = out.record.spec_version;
  }
}

}  // namespace mr::services::backend
