#include "services/api_gateway/module.h"

#include "services/runtime/hosted_service.h"

namespace mr::services {

void RegisterGatewaySettings(ConfigSchema* s) {
  const std::string o = "api-gateway";
  s->Add({"GATEWAY_PORT", "8080", "Port of the public API (the only public HTTP entry).",
          validate::Port(), false, o});
  s->Add({"AUTH_SERVICE_URL", "http://127.0.0.1:8000", "Base URL the gateway forwards auth to.",
          validate::Url(), false, o});
  s->Add({"BACKEND_URL", "http://127.0.0.1:5500", "Base URL of the backend service.",
          validate::Url(), false, o});
  s->Add({"MONITORING_SERVICE_URL", "http://127.0.0.1:9000",
          "Base URL of the monitoring service.", validate::Url(), false, o});
  s->Add({"CORS_ORIGIN", "http://localhost:5173",
          "Browser origin allowed to call the API (the console's origin).", validate::NonEmpty(),
          false, o});
}

Result<ServicePtr> MakeGateway(const ServiceContext& ctx) {
  return ServicePtr(std::make_unique<HostedService>("api-gateway", ctx, "GATEWAY_PORT"));
}

}  // namespace mr::services
