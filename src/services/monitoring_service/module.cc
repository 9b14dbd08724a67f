#include "services/monitoring_service/module.h"

#include "services/runtime/hosted_service.h"

namespace mr::services {

void RegisterMonitoringServiceSettings(ConfigSchema* s) {
  const std::string o = "monitoring-service";
  s->Add({"MONITORING_SERVICE_PORT", "9000", "Port of the monitoring service.", validate::Port(),
          false, o});
  s->Add({"METRICS_POLL_INTERVAL", "1s", "How often node-managers' stats are polled.",
          validate::Duration(), false, o});
}

Result<ServicePtr> MakeMonitoringService(const ServiceContext& ctx) {
  return ServicePtr(
      std::make_unique<HostedService>("monitoring-service", ctx, "MONITORING_SERVICE_PORT"));
}

}  // namespace mr::services
