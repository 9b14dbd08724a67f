// What GET /v1/node answers: this process's identity (boot id, start time) and capacity, and the
// node-wide totals backend's placement and restart detection need.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "services/node_manager/fleet.h"
#include "services/node_manager/port_pool.h"

namespace mr::services {

struct NodeIdentity {
  std::string boot_id;  // 16 hex, new at each process start: backend notices restarts by it
  int64_t started_at_ms = 0;
  int64_t memory_capacity_mb = 0;
};

/// A new boot id and the current time; `memory_capacity_mb` as resolved by NodeMemoryMb.
NodeIdentity NewNodeIdentity(int64_t memory_capacity_mb);

/// NODE_MEMORY_MB: a positive value as is; 0 means the machine's physical memory in MiB. An
/// error when that cannot be read.
Result<int64_t> NodeMemoryMb(int64_t setting);

/// The /v1/node JSON document.
std::string NodeJson(const NodeIdentity& node, const FleetTotals& totals, const PortPool& ports,
                     const std::string& public_host, uint16_t shared_port);

}  // namespace mr::services
