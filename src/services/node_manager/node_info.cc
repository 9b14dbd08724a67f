#include "services/node_manager/node_info.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "common/ids.h"

namespace mr::services {
namespace json = boost::json;

NodeIdentity NewNodeIdentity(int64_t memory_capacity_mb) {
  NodeIdentity n;
  n.boot_id = ids::RandomHex(8);
  n.started_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  n.memory_capacity_mb = memory_capacity_mb;
  return n;
}

Result<int64_t> NodeMemoryMb(int64_t setting) {
  if (setting > 0) {
    return setting;
  }
  // The host's memory: inside a container this ignores the cgroup limit, hence the setting.
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) {
    return Status::Error("NODE_MEMORY_MB is 0 (the machine's memory) but the physical memory "
                         "size cannot be read; set NODE_MEMORY_MB");
  }
  return static_cast<int64_t>(pages) * page_size / (1024 * 1024);
}

std::string NodeJson(const NodeIdentity& node, const FleetTotals& totals, const PortPool& ports,
                     const std::string& public_host, uint16_t shared_port) {
  // Two reads of a pool that may change in between: clamp so that free never goes negative.
  const size_t quarantined = ports.quarantined();
  const size_t used = ports.used();
  const size_t taken = std::min(ports.capacity(), used + quarantined);
  return json::serialize(json::object{
      {"boot_id", node.boot_id},
      {"started_at_ms", node.started_at_ms},
      {"memory_capacity_mb", node.memory_capacity_mb},
      {"allocated_memory_mb", totals.allocated_memory_mb},
      {"used_memory_bytes", totals.used_memory_bytes},
      {"instances", totals.instances},
      {"ports", json::object{{"free", ports.capacity() - taken},
                             {"used", used},
                             {"quarantined", quarantined}}},
      {"host", public_host},
      {"shared_port", shared_port},
  });
}

}  // namespace mr::services
