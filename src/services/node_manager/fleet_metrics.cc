#include "services/node_manager/fleet_metrics.h"

#include <algorithm>
#include <set>

#include "common/metrics.h"

namespace mr::services {

// Cardinality: every per-instance family has one series per instance (label `instance`), so a
// node-manager at its design size of 10,000 instances exports 12 x 10,000 series; fine for one
// Prometheus, and series of deleted instances are removed. Anything with more values per instance
// (per command, per quantile) belongs in the stats API, not here. Node-wide sums have no labels.
struct FleetMetrics::Families {
  prometheus::Family<prometheus::Gauge>& instances;
  prometheus::Family<prometheus::Gauge>& used;
  prometheus::Family<prometheus::Gauge>& limit;
  prometheus::Family<prometheus::Gauge>& keys;
  prometheus::Family<prometheus::Gauge>& commands;
  prometheus::Family<prometheus::Gauge>& clients;
  prometheus::Family<prometheus::Gauge>& evicted;
  prometheus::Family<prometheus::Gauge>& expired;
  prometheus::Family<prometheus::Gauge>& rejected_commands;
  prometheus::Family<prometheus::Gauge>& rejected_connections;
  prometheus::Family<prometheus::Gauge>& p99;
  prometheus::Family<prometheus::Gauge>& unsynced;
  prometheus::Family<prometheus::Gauge>& persistence_errors;
  prometheus::Family<prometheus::Gauge>& ports;
  prometheus::Gauge& node_used;
  prometheus::Gauge& node_limit;
  prometheus::Gauge& node_commands;
  prometheus::Gauge& node_clients;
  prometheus::Gauge& node_evicted;
  prometheus::Gauge& node_rejected_commands;
  prometheus::Gauge& node_rejected_connections;
  prometheus::Gauge& node_unsynced;
  prometheus::Gauge& node_fsync_age;
  prometheus::Gauge& node_persistence_errors;
  prometheus::Gauge& node_saving;
  prometheus::Gauge& node_damaged;
};

struct FleetMetrics::Series {
  prometheus::Gauge* used;
  prometheus::Gauge* limit;
  prometheus::Gauge* keys;
  prometheus::Gauge* commands;
  prometheus::Gauge* clients;
  prometheus::Gauge* evicted;
  prometheus::Gauge* expired;
  prometheus::Gauge* rejected_commands;
  prometheus::Gauge* rejected_connections;
  prometheus::Gauge* p99;
  prometheus::Gauge* unsynced;
  prometheus::Gauge* persistence_errors;
};

namespace {

prometheus::Family<prometheus::Gauge>& Gauge(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(metrics::Registry());
}

prometheus::Gauge& NodeGauge(const char* name, const char* help) {
  return Gauge(name, help).Add({});
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
          Gauge("miniredis_instance_rejected_commands",
                "Commands refused because the instance's max_ops_per_sec was reached."),
          Gauge("miniredis_instance_rejected_connections",
                "Connections refused because the instance's max_clients was reached."),
          Gauge("miniredis_instance_command_p99_latency_microseconds",
                "99th percentile of command execution time over the last 60-120 s."),
          Gauge("miniredis_instance_persistence_unsynced_bytes",
                "Log bytes written but not yet fsynced (the everysec policy's lag)."),
          Gauge("miniredis_instance_persistence_errors",
                "Log write, fsync and snapshot failures since start."),
          Gauge("miniredis_port_pool_ports", "Dedicated ports by state (used, quarantined, free)."),
          NodeGauge("miniredis_node_used_memory_bytes", "Memory all instances use, summed."),
          NodeGauge("miniredis_node_maxmemory_bytes", "Memory limits of all instances, summed."),
          NodeGauge("miniredis_node_commands_processed", "Commands all instances have run."),
          NodeGauge("miniredis_node_connected_clients", "Open client connections, all instances."),
          NodeGauge("miniredis_node_evicted_keys", "Keys evicted, all instances."),
          NodeGauge("miniredis_node_rejected_commands",
                    "Commands refused by max_ops_per_sec quotas, all instances."),
          NodeGauge("miniredis_node_rejected_connections",
                    "Connections refused by max_clients limits, all instances."),
          NodeGauge("miniredis_node_persistence_unsynced_bytes",
                    "Log bytes not yet fsynced, all instances."),
          NodeGauge("miniredis_node_persistence_oldest_unsynced_seconds",
                    "Age of the oldest fsync among logs holding unsynced bytes (0: all synced)."),
          NodeGauge("miniredis_node_persistence_errors",
                    "Log write, fsync and snapshot failures since start, all instances."),
          NodeGauge("miniredis_node_snapshots_in_progress", "Background snapshots being written."),
          NodeGauge("miniredis_node_instances_restored_with_damage",
                    "Instances whose last restore dropped damaged data (see /v1/stats)."),
      }) {}

FleetMetrics::~FleetMetrics() = default;

void FleetMetrics::Refresh() {
  auto stats = fleet_->Stats();
  std::lock_guard lock(mu_);
  double running = 0, stopped = 0, used_total = 0, limit_total = 0, commands_total = 0,
         clients_total = 0, evicted_total = 0, rejected_total = 0, refused_total = 0,
         unsynced_total = 0, oldest_sync_s = 0, errors_total = 0, saving = 0, damaged = 0;
  std::set<std::string> seen;
  for (const auto& s : stats) {
    (s.running ? running : stopped) += 1;
    used_total += static_cast<double>(s.used_memory);
    limit_total += static_cast<double>(s.maxmemory);
    commands_total += static_cast<double>(s.total_commands);
    clients_total += static_cast<double>(s.connected_clients);
    evicted_total += static_cast<double>(s.evicted_keys);
    rejected_total += static_cast<double>(s.rejected_commands);
    refused_total += static_cast<double>(s.rejected_connections);
    const InstancePersistence& p = s.persistence;
    unsynced_total += static_cast<double>(p.unsynced_bytes);
    if (p.unsynced_bytes > 0 && p.last_fsync_age_ms > 0) {
      oldest_sync_s = std::max(oldest_sync_s, static_cast<double>(p.last_fsync_age_ms) / 1000);
    }
    errors_total += static_cast<double>(p.errors);
    saving += p.saving ? 1 : 0;
    damaged += p.restore_problems.empty() ? 0 : 1;
    auto& series = series_[s.id];
    if (!series) {
      prometheus::Labels l{{"instance", s.id}};
      series.reset(new Series{&f_->used.Add(l), &f_->limit.Add(l), &f_->keys.Add(l),
                              &f_->commands.Add(l), &f_->clients.Add(l), &f_->evicted.Add(l),
                              &f_->expired.Add(l), &f_->rejected_commands.Add(l),
                              &f_->rejected_connections.Add(l), &f_->p99.Add(l),
                              &f_->unsynced.Add(l), &f_->persistence_errors.Add(l)});
    }
    series->used->Set(static_cast<double>(s.used_memory));
    series->limit->Set(static_cast<double>(s.maxmemory));
    series->keys->Set(static_cast<double>(s.keys));
    series->commands->Set(static_cast<double>(s.total_commands));
    series->clients->Set(static_cast<double>(s.connected_clients));
    series->evicted->Set(static_cast<double>(s.evicted_keys));
    series->expired->Set(static_cast<double>(s.expired_keys));
    series->rejected_commands->Set(static_cast<double>(s.rejected_commands));
    series->rejected_connections->Set(static_cast<double>(s.rejected_connections));
    series->p99->Set(s.latency_p99_us);
    series->unsynced->Set(static_cast<double>(p.unsynced_bytes));
    series->persistence_errors->Set(static_cast<double>(p.errors));
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
    f_->rejected_commands.Remove(s.rejected_commands);
    f_->rejected_connections.Remove(s.rejected_connections);
    f_->p99.Remove(s.p99);
    f_->unsynced.Remove(s.unsynced);
    f_->persistence_errors.Remove(s.persistence_errors);
    it = series_.erase(it);
  }
  f_->instances.Add({{"state", "running"}}).Set(running);
  f_->instances.Add({{"state", "stopped"}}).Set(stopped);
  f_->node_used.Set(used_total);
  f_->node_limit.Set(limit_total);
  f_->node_commands.Set(commands_total);
  f_->node_clients.Set(clients_total);
  f_->node_evicted.Set(evicted_total);
  f_->node_rejected_commands.Set(rejected_total);
  f_->node_rejected_connections.Set(refused_total);
  f_->node_unsynced.Set(unsynced_total);
  f_->node_fsync_age.Set(oldest_sync_s);
  f_->node_persistence_errors.Set(errors_total);
  f_->node_saving.Set(saving);
  f_->node_damaged.Set(damaged);
  double used = static_cast<double>(ports_->used());
  double quarantined = static_cast<double>(ports_->quarantined());
  f_->ports.Add({{"state", "used"}}).Set(used);
  f_->ports.Add({{"state", "quarantined"}}).Set(quarantined);
  f_->ports.Add({{"state", "free"}}).Set(static_cast<double>(ports_->capacity()) - used - quarantined);
}

}  // namespace mr::services
