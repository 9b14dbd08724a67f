// Every tracked instance's series, in shards with their own locks: the poller threads write one
// instance at a time while HTTP workers copy windows out, and nobody holds a lock during I/O.
// Bounded: at most `max_instances` series (each a fixed size), dropped after `retention_ms` unseen.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/monitoring_service/series.h"

namespace mr::services::monitoring {

struct StoreOptions {
  size_t max_instances = 10000;
  int64_t retention_ms = 24LL * 3600 * 1000;
  int64_t max_rate_gap_ms = 60 * 1000;
};

/// What an API read needs, copied out under the shard lock.
struct InstanceView {
  uint16_t source = 0;  // index of the node-manager that reported it last
  Latest latest;
  Window window;
};

class SeriesStore {
 public:
  explicit SeriesStore(StoreOptions options) : options_(options) {}

  struct RecordOutcome {
    size_t stored = 0;
    size_t refused = 0;  // new instances over max_instances (not stored)
  };
  /// Adds one poll's samples from node-manager `source`, taken at `now_ms`.
  /// `previous_poll_ms`: that node-manager's previous successful poll (0: none), so instances
  /// new in this poll started after it (InstanceSeries::BornAfter).
  RecordOutcome Record(uint16_t source, int64_t now_ms,
                       const std::vector<InstanceCounters>& instances,
                       int64_t previous_poll_ms = 0);

  /// Drops instances no node-manager has reported for `retention_ms`; returns how many.
  size_t DropUnseen(int64_t now_ms);

  /// The last `points` points at resolution `r`; nothing for an unknown instance.
  std::optional<InstanceView> Read(const std::string& id, Resolution r, int64_t now_ms,
                                   size_t points) const;

  size_t instances() const { return count_.load(std::memory_order_relaxed); }
  /// Memory the series take: the fixed-size series plus their ids and map entries.
  size_t bytes() const;
  /// One instance's share of bytes() for an id of `id_length` characters.
  static size_t BytesPerInstance(size_t id_length);

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::unique_ptr<InstanceSeries>> series;
    size_t id_bytes = 0;
  };
  Shard& ShardOf(const std::string& id) const;

  const StoreOptions options_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<size_t> count_{0};
};

}  // namespace mr::services::monitoring
