#include "services/node_manager/fleet_metrics.h"

#include <set>

#include "common/metrics.h"

namespace mr::services {

struct FleetMetrics::Families {
  prometheus::Family<prometheus::Gauge>& instances;
  prometheus::Family<prometheus::Gauge>& used;
  prometheus::Family<prometheus::Gauge>& limit;
  prometheus::Family<prometheus::Gauge>& keys;
  prometheus::Family<prometheus::Gauge>& commands;
  prometheus::Family<prometheus::Gauge>& clients;
  prometheus::Family<prometheus::Gauge>& evicted;
  prometheus::Family<prometheus::Gauge>& expired;
  prometheus::Family<prometheus::Gauge>& ports;
};

struct FleetMetrics::Series {
  prometheus::Gauge* used;
  prometheus::Gauge* limit;
  prometheus::Gauge* keys;
  prometheus::Gauge* commands;
  prometheus::Gauge* clients;
  prometheus::Gauge* evicted;
  prometheus::Gauge* expired;
};

namespace {

prometheus::Family<prometheus::Gauge>& Gauge(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(metrics::Registry());
}

}  // namespace

FleetMetrics::FleetMetrics(Fleet* fleet, PortPool* ports)
    : fleet_(fleet), ports_(ports),
      f_(new Families{
          Gauge("miniredis_instances", "Instances on this node-manager by state."),
          Gauge("miniredis_instance_used_memory_bytes", "Memory an instance uses (used_memory)."),
          Gauge("miniredis_instance_maxmemory_bytes", "An instance's memory limit."),
          Gauge("miniredis_instance_keys", "Keys in all databases of an instance."),
          Gauge("miniredis_instance_commands_processed", "Commands an instance has run."),
          Gauge("miniredis_instance_connected_clients", "Open client connections of an instance."),
          Gauge("miniredis_instance_evicted_keys", "Keys evicted by the memory policy."),
          Gauge("miniredis_instance_expired_keys", "Keys removed by expiry."),
          Gauge("miniredis_port_pool_ports", "Dedicated ports by state (used, quarantined, free)."),
      }) {}

FleetMetrics::~FleetMetrics() = default;

void FleetMetrics::Refresh() {
  auto stats = fleet_->Stats();
  std::lock_guard lock(mu_);
  double running = 0, stopped = 0, used_total = 0, limit_total = 0;
  std::set<std::string> seen;
  for (const auto& s : stats) {
    (s.running ? running : stopped) += 1;
    used_total += static_cast<double>(s.used_memory);
    limit_total += static_cast<double>(s.maxmemory);
    auto& series = series_[s.id];
    if (!series) {
      prometheus::Labels l{{"instance", s.id}};
      series.reset(new Series{&f_->used.Add(l), &f_->limit.Add(l), &f_->keys.Add(l),
                              &f_->commands.Add(l), &f_->clients.Add(l), &f_->evicted.Add(l),
                              &f_->expired.Add(l)});
    }
    series->used->Set(static_cast<double>(s.used_memory));
    series->limit->Set(static_cast<double>(s.maxmemory));
    series->keys->Set(static_cast<double>(s.keys));
    series->commands->Set(static_cast<double>(s.total_commands));
    series->clients->Set(static_cast<double>(s.connected_clients));
    series->evicted->Set(static_cast<double>(s.evicted_keys));
    series->expired->Set(static_cast<double>(s.expired_keys));
    seen.insert(s.id);
  }
  for (auto it = series_.begin(); it != series_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    Series& s = *it->second;
    f_->used.Remove(s.used);
    f_->limit.Remove(s.limit);
    f_->keys.Remove(s.keys);
    f_->commands.Remove(s.commands);
    f_->clients.Remove(s.clients);
    f_->evicted.Remove(s.evicted);
    f_->expired.Remove(s.expired);
    it = series_.erase(it);
  }
  f_->instances.Add({{"state", "running"}}).Set(running);
  f_->instances.Add({{"state", "stopped"}}).Set(stopped);
  f_->used.Add({{"instance", "_total"}}).Set(used_total);
  f_->limit.Add({{"instance", "_total"}}).Set(limit_total);
  double used = static_cast<double>(ports_->used());
  double quarantined = static_cast<double>(ports_->quarantined());
  f_->ports.Add({{"state", "used"}}).Set(used);
  f_->ports.Add({{"state", "quarantined"}}).Set(quarantined);
  f_->ports.Add({{"state", "free"}}).Set(static_cast<double>(ports_->capacity()) - used - quarantined);
}

}  // namespace mr::services
