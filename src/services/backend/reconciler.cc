#include "services/backend/reconciler.h"

#include <set>

#include "common/metrics.h"

namespace mr::services::backend {

Reconciler::Reconciler(std::vector<std::string> node_urls, InstanceStore* store,
                       NodeClient* nodes, Provisioner* provisioner,
                       std::chrono::milliseconds interval, log::Logger logger)
    : urls_(std::move(node_urls)),
      store_(store),
      nodes_(nodes),
      provisioner_(provisioner),
      interval_(interval),
      logger_(std::move(logger)) {
  auto& registry = metrics::Registry();
  up_family_ = &prometheus::BuildGauge()
                    .Name("backend_node_manager_up")
                    .Help("1 when the node-manager answered its last check.")
                    .Register(registry);
  orphans_family_ = &prometheus::BuildGauge()
                         .Name("backend_orphan_instances")
                         .Help("Instances a node-manager runs that the backend does not know "
                               "(left alone; investigate).")
                         .Register(registry);
  repairs_family_ = &prometheus::BuildCounter()
                         .Name("backend_reconcile_repairs_total")
                         .Help("Instances the reconciler pushed to their node-manager, by outcome.")
                         .Register(registry);
  passes_ = &prometheus::BuildCounter()
                 .Name("backend_reconcile_passes_total")
                 .Help("Full reconcile passes over every node-manager.")
                 .Register(registry)
                 .Add({});
}

Reconciler::~Reconciler() { Stop(); }

void Reconciler::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Reconciler::Stop() {
  {
    std::lock_guard lock(run_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<PlacementTarget> Reconciler::Targets() {
  bool checked_any = false;
  {
    std::lock_guard lock(nodes_mu_);
    for (const auto& [url, s] : node_state_) {
      checked_any = checked_any || s.checked;
    }
  }
  if (!checked_any) {
    CheckNodes();
  }
  std::vector<PlacementTarget> out;
  std::lock_guard lock(nodes_mu_);
  for (const std::string& url : urls_) {
    const NodeState& s = node_state_[url];
    if (s.reachable) {
      out.push_back({url, s.capacity_mb});
    }
  }
  return out;
}

std::vector<std::string> Reconciler::CheckNodes() {
  std::lock_guard check(check_mu_);
  std::vector<std::string> changed;
  for (const std::string& url : urls_) {
    auto info = nodes_->Node(url);
    std::lock_guard lock(nodes_mu_);
    NodeState& s = node_state_[url];
    bool was_reachable = s.reachable, was_checked = s.checked;
    s.checked = true;
    s.reachable = info.ok();
    up_family_->Add({{"node_manager", url}}).Set(s.reachable ? 1 : 0);
    if (!info.ok()) {
      if (was_reachable || !was_checked) {
        logger_.Warn("node-manager unreachable", {},
                     {{"node_manager", url}, {"error", info.error.message}});
      }
      continue;
    }
    s.capacity_mb = info.value->memory_capacity_mb;
    if (s.boot_id != info.value->boot_id || !was_reachable) {
      if (was_checked) {
        logger_.Info(s.boot_id != info.value->boot_id && !s.boot_id.empty()
                         ? "node-manager restarted: reconciling it"
                         : "node-manager reachable again: reconciling it",
                     {}, {{"node_manager", url}});
      }
      s.boot_id = info.value->boot_id;
      changed.push_back(url);
    }
  }
  return changed;
}

void Reconciler::ReconcileNode(const std::string& url) {
  // The node's list first: an instance created after it is read is then only "missing", and
  // pushing it again is harmless (PUT is idempotent), while the reverse order would count it
  // as an orphan.
  auto remote = nodes_->List(url);
  if (!remote.ok()) {
    return;
  }
  auto records = store_->ListOnNode(url);
  if (!records.ok()) {
    logger_.Warn("reconcile: database unavailable", {}, {{"error", records.error()}});
    return;
  }
  std::map<std::string, RemoteInstance> held;
  for (RemoteInstance& r : *remote.value) {
    held.emplace(r.id, std::move(r));
  }
  std::set<std::string> known;
  for (const InstanceRecord& record : *records) {
    known.insert(record.id);
    auto it = held.find(record.id);
    std::optional<RemoteInstance> current;
    if (it != held.end()) {
      current = it->second;
    }
    bool converged = record.desired_state == "deleted"
                         ? false
                         : current && Provisioner::Matches(record, *current) &&
                               record.applied_version == record.spec_version &&
                               record.status == current->status;
    if (converged || (record.status == "error" && record.applied_version == record.spec_version &&
                      current.has_value())) {
      continue;
    }
    Converged result = provisioner_->Converge(record, current);
    repairs_family_->Add({{"outcome", result.ok ? "converged" : "failed"}}).Increment();
  }
  int64_t orphans = 0;
  for (const auto& [id, r] : held) {
    orphans += known.count(id) ? 0 : 1;
  }
  orphans_family_->Add({{"node_manager", url}}).Set(static_cast<double>(orphans));
}

void Reconciler::RetryPending() {
  std::set<std::string> reachable;
  {
    std::lock_guard lock(nodes_mu_);
    for (const auto& [url, s] : node_state_) {
      if (s.reachable) {
        reachable.insert(url);
      }
    }
  }
  using namespace std::chrono;
  int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  // Changes younger than this are still being pushed by the request that made them.
  auto pending = store_->ListPending(now - 2000);
  if (!pending.ok()) {
    return;
  }
  for (const InstanceRecord& record : *pending) {
    if (reachable.count(record.node_manager)) {
      Converged result = provisioner_->Converge(record);
      repairs_family_->Add({{"outcome", result.ok ? "converged" : "failed"}}).Increment();
    }
  }
}

void Reconciler::ReconcileAll() {
  for (const std::string& url : urls_) {
    ReconcileNode(url);
  }
  passes_->Increment();
}

void Reconciler::Run() {
  using Clock = std::chrono::steady_clock;
  auto next_full = Clock::now();
  std::unique_lock lock(run_mu_);
  while (!stopping_) {
    lock.unlock();
    for (const std::string& url : CheckNodes()) {
      ReconcileNode(url);
    }
    if (Clock::now() >= next_full) {
      ReconcileAll();
      next_full = Clock::now() + interval_;
    } else {
      RetryPending();
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

}  // namespace mr::services::backend
