// libFuzzer target for the node-manager stats decoder: any bytes, no crash, and every instance it
// returns has a valid id and non-negative, finite latencies (what the series store relies on).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/monitoring_service/node_stats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = mr::services::monitoring::ParseNodeStats(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r.ok()) {
    return 0;
  }
  for (const auto& c : r->instances) {
    if (!mr::services::monitoring::ValidInstanceId(c.id)) {
      std::abort();
    }
    for (const auto& v : {c.latency_p50_us, c.latency_p99_us}) {
      if (v && (!std::isfinite(*v) || *v < 0)) {
        std::abort();
      }
    }
  }
  return 0;
}
