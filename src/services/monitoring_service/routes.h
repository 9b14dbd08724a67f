// monitoring-service's internal API: per-instance metric windows (columnar JSON) and node-manager
// freshness, every /v1 route guarded by the service token.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http/router.h"
#include "services/monitoring_service/poller.h"
#include "services/monitoring_service/series_store.h"

namespace mr::services::monitoring {

/// A window the API accepts: its name, the tier it reads and how many points.
struct WindowSpec {
  std::string_view name;
  Resolution resolution;
  size_t points;
};
std::optional<WindowSpec> FindWindow(std::string_view name);

/// The body of GET /v1/instances/{id}/metrics; `next_sample_in_ms` tells a chart when to ask
/// again to get the next sample as soon as it is stored.
std::string InstanceMetricsJson(const std::string& id, const WindowSpec& window,
                                const InstanceView& view, const std::string& node_manager,
                                int64_t next_sample_in_ms);

void AddMonitoringRoutes(http::Router* router, std::shared_ptr<SeriesStore> store,
                         std::shared_ptr<Poller> poller, std::string internal_token);

}  // namespace mr::services::monitoring
