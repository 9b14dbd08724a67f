// Decodes node-manager's GET /v1/stats answer into per-instance counters and gauges. Pure (no
// networking) so the fuzzer and the tests drive it directly; a field that is missing or of the
// wrong type becomes "unknown" (a null in the series), never a made-up zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::services::monitoring {

/// One instance as node-manager reports it: monotonic counters and point-in-time gauges.
struct InstanceCounters {
  std::string id;
  bool running = true;
  // Gauges.
  std::optional<uint64_t> used_memory;
  std::optional<uint64_t> maxmemory;
  std::optional<uint64_t> keys;
  std::optional<uint64_t> connected_clients;
  std::optional<double> latency_p50_us;
  std::optional<double> latency_p99_us;
  // Counters since the instance (or node-manager) started; they only grow until a restart.
  std::optional<uint64_t> total_commands;
  std::optional<uint64_t> keyspace_hits;
  std::optional<uint64_t> keyspace_misses;
  std::optional<uint64_t> evicted_keys;
  std::optional<uint64_t> expired_keys;
};

struct NodeStats {
  std::vector<InstanceCounters> instances;
  size_t skipped = 0;  // entries without a valid id (not stored, so they cannot grow memory)
};

/// Largest body accepted; a /v1/stats answer for 10,000 instances is about 6 MB.
inline constexpr size_t kMaxStatsBodyBytes = 64 << 20;

/// Instance ids as node-manager accepts them: 1-64 characters of a-z, 0-9 and '-'.
bool ValidInstanceId(std::string_view id);

/// Parses {"instances":[{...}, ...]}; an error when the body is not that shape at all.
Result<NodeStats> ParseNodeStats(std::string_view body);

}  // namespace mr::services::monitoring
