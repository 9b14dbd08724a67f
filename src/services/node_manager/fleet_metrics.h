// node-manager's Prometheus metrics: instance counts, per-instance and node-total memory/limit/
// ops/clients/evictions/refusals/p99 latency, and the port pool, refreshed at each scrape.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "services/node_manager/fleet.h"
#include "services/node_manager/port_pool.h"

namespace mr::services {

class FleetMetrics {
 public:
  FleetMetrics(Fleet* fleet, PortPool* ports);
  ~FleetMetrics();
  /// Reads the fleet's stats into the gauges; series of deleted instances are removed.
  void Refresh();

 private:
  struct Series;
  Fleet* fleet_;
  PortPool* ports_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Series>> series_;
  struct Families;
  std::unique_ptr<Families> f_;
};

}  // namespace mr::services
