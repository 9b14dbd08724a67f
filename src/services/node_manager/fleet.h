// The instances this node-manager runs: creates, updates, stops, starts and deletes them, keeps
// their ports and records, runs commands for the exec API and collects their live stats.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "services/node_manager/command_batch.h"
#include "services/node_manager/instance_spec.h"
#include "services/node_manager/instance_store.h"
#include "services/node_manager/port_pool.h"

namespace mr::engine {
class Instance;
}
namespace mr::redis_server {
class InstanceTable;
class Listener;
class ShardSet;
}  // namespace mr::redis_server

namespace mr::services {

/// An API failure: HTTP status, machine code, human message.
struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
};

/// Persistence state of one instance (storage/instance_storage.h), for stats and metrics.
struct InstancePersistence {
  bool enabled = false;
  uint64_t log_bytes = 0;
  uint64_t unsynced_bytes = 0;     // written, not yet fsynced (everysec lag)
  int64_t last_fsync_age_ms = -1;
  int64_t last_save_s = 0;         // Unix seconds of the last snapshot
  uint64_t snapshots = 0;
  uint64_t errors = 0;             // write, fsync and snapshot failures since start
  bool saving = false;
  std::vector<std::string> restore_problems;  // what the last restore dropped, and why
  uint64_t restored_keys = 0;
  double restore_seconds = 0;
};

struct InstanceStats {
  std::string id;
  bool running = false;
  int64_t used_memory = 0;
  int64_t maxmemory = 0;
  uint64_t keys = 0;
  uint64_t expires = 0;
  uint64_t total_commands = 0;
  double ops_per_sec = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t connected_clients = 0;
  uint64_t evicted_keys = 0;
  uint64_t expired_keys = 0;
  uint64_t rejected_commands = 0;     // over max_ops_per_sec
  uint64_t rejected_connections = 0;  // over max_clients
  // Command execution time over the last 60-120 s (engine::LatencyHistogram); 0 without commands.
  double latency_p50_us = 0;
  double latency_p99_us = 0;
  double latency_p999_us = 0;
  InstancePersistence persistence;
};

/// Node-wide sums (GET /v1/node): what placement needs, without the per-instance stats.
struct FleetTotals {
  size_t instances = 0;
  int64_t allocated_memory_mb = 0;  // memory limits summed, stopped instances included
  int64_t used_memory_bytes = 0;
};

class Fleet {
 public:
  struct Options {
    std::string bind_address = "127.0.0.1";
    SpecLimits limits;
    uint64_t rewrite_min_bytes = uint64_t{64} << 20;  // log size that triggers compaction
  };
  Fleet(Options options, redis_server::ShardSet& shards, redis_server::InstanceTable& directory,
        InstanceStore& store, PortPool& ports);
  ~Fleet();

  /// Brings back every stored instance with its port and password; returns what could not be.
  std::vector<std::string> Restore();

  struct PutOutcome {
    InstanceRecord record;
    bool created = false;
  };
  /// Creates or updates (idempotent). On any failure nothing changes: no port or files leak.
  std::optional<ApiError> Put(const std::string& id, const InstanceSpec& spec, PutOutcome* out);
  std::optional<ApiError> Stop(const std::string& id, InstanceRecord* out);
  std::optional<ApiError> Start(const std::string& id, InstanceRecord* out);
  std::optional<ApiError> Delete(const std::string& id);
  std::optional<InstanceRecord> Get(const std::string& id) const;
  std::vector<InstanceRecord> List() const;
  /// Runs one command (no blocking, pub/sub or connection commands) and returns its RESP reply.
  std::optional<ApiError> Exec(const std::string& id, const std::vector<std::string>& command,
                               std::string* resp_reply);
  /// Runs several commands (RunBatch: a pipeline, or a transaction) in one trip to the shard.
  std::optional<ApiError> ExecBatch(const std::string& id, const std::vector<Command>& commands,
                                    bool transaction, BatchReplies* out);
  std::vector<InstanceStats> Stats();
  /// One trip per shard that holds instances; leaves the ops/s sampling of Stats() alone.
  FleetTotals Totals();
  /// Stops serving everything (listeners first) without touching records; for shutdown.
  void Shutdown();

  size_t size() const;

 private:
  struct Hosted;
  Hosted* Find(const std::string& id) const;
  std::optional<ApiError> Build(const std::string& id, const InstanceSpec& spec, Hosted& h);
  void Discard(Hosted& h);
  std::optional<ApiError> Update(Hosted& h, const InstanceSpec& spec, InstanceRecord* out);
  std::optional<ApiError> Serve(Hosted& h);
  std::optional<ApiError> Park(Hosted& h);
  std::optional<ApiError> OpenListener(Hosted& h);
  void Unserve(Hosted& h);
  std::optional<ApiError> Persist(const InstanceRecord& r);
  // Persistence: storage opened, switched and closed on the instance's shard thread.
  std::optional<ApiError> AttachStorage(Hosted& h, bool restore);
  std::optional<ApiError> ChangePersistence(Hosted& h, Persistence before);
  InstancePersistence PersistenceOf(const Hosted& h) const;
  void CloseAllStorage();

  Options options_;
  redis_server::ShardSet& shards_;
  redis_server::InstanceTable& directory_;
  InstanceStore& store_;
  PortPool& ports_;
  mutable std::shared_mutex mu_;  // unique for lifecycle changes, shared for exec and stats
  std::map<std::string, std::unique_ptr<Hosted>> instances_;
  std::set<std::string> building_;  // ids whose create runs outside the lock (see Build)
  std::condition_variable_any building_done_;
  bool shut_down_ = false;
  std::map<std::string, std::pair<uint64_t, std::chrono::steady_clock::time_point>> last_ops_;
  std::mutex ops_mu_;
};

}  // namespace mr::services
