// Converges what node-managers run to the backend's desired state. Every second it asks each
// node-manager who it is (GET /v1/node): one that came back or restarted (a new boot_id) is
// reconciled at once; instances whose last change was not confirmed yet are retried. Every
// RECONCILE_INTERVAL every node-manager is compared instance by instance. It also keeps the
// placement view: which node-managers answer and their memory capacity.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "services/backend/instance_store.h"
#include "services/backend/node_client.h"
#include "services/backend/provisioner.h"

namespace prometheus {
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace mr::services::backend {

class Reconciler {
 public:
  Reconciler(std::vector<std::string> node_urls, InstanceStore* store, NodeClient* nodes,
             Provisioner* provisioner, std::chrono::milliseconds interval, log::Logger logger);
  ~Reconciler();

  void Start();
  void Stop();

  /// Node-managers that answered their last check, with capacity (placement). Checks them now if
  /// none was checked yet (the first create after start).
  std::vector<PlacementTarget> Targets();
  /// One full pass over every node-manager (tests and the timer).
  void ReconcileAll();

 private:
  struct NodeState {
    bool reachable = false;
    bool checked = false;
    std::string boot_id;
    int64_t capacity_mb = 0;
  };
  /// Checks every node-manager; returns those that came back or restarted.
  std::vector<std::string> CheckNodes();
  void ReconcileNode(const std::string& url);
  void RetryPending();
  void Run();

  const std::vector<std::string> urls_;
  InstanceStore* store_;
  NodeClient* nodes_;
  Provisioner* provisioner_;
  const std::chrono::milliseconds interval_;
  log::Logger logger_;

  std::mutex nodes_mu_;
  std::map<std::string, NodeState> node_state_;
  std::mutex check_mu_;  // one CheckNodes at a time

  std::mutex run_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;

  prometheus::Family<prometheus::Gauge>* up_family_;
  prometheus::Family<prometheus::Gauge>* orphans_family_;
  prometheus::Family<prometheus::Counter>* repairs_family_;
  prometheus::Counter* passes_;
};

}  // namespace mr::services::backend
