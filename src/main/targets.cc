#include "main/targets.h"

// MR_FRONTEND_ONLY builds the table of `miniredis-frontend`, the thin executable of the frontend
// image: only the frontend module, so it links neither the engine nor SQL, crypto or argon2.
#ifndef MR_FRONTEND_ONLY
#include "services/api_gateway/module.h"
#include "services/auth_service/module.h"
#include "services/backend/module.h"
#include "services/monitoring_service/module.h"
#include "services/node_manager/module.h"
#endif
#include "services/frontend/module.h"
#include "services/runtime/service_host.h"

namespace mr {

const std::vector<Target>& Targets() {
  using namespace services;
  // `after` edges only order modules that run together; no service needs another in-process,
  // because services talk over HTTP/RESP and tolerate a peer that is not up yet.
#ifdef MR_FRONTEND_ONLY
  static const std::vector<Target> kTargets = {
      {{"frontend", "serves the web console", {}, {}}, MakeFrontend},
  };
#else
  static const std::vector<Target> kTargets = {
      {{"node-manager", "tenant instances: lifecycle API, RESP endpoints, persistence", {}, {}},
       MakeNodeManager},
      {{"auth-service", "accounts, password hashing, sessions and JWTs", {}, {}},
       MakeAuthService},
      {{"backend", "instances' desired state, ownership, API keys, quotas, audit",
        {}, {"node-manager", "auth-service"}},
       MakeBackend},
      {{"monitoring-service", "polls node-managers, keeps per-instance metric history",
        {}, {"node-manager"}},
       MakeMonitoringService},
      {{"api-gateway", "the public API: auth check, routing, rate limits, CORS",
        {}, {"auth-service", "backend", "monitoring-service"}},
       MakeGateway},
      {{"frontend", "serves the web console", {}, {"api-gateway"}}, MakeFrontend},
      {{"all", "every service in one process (embedded default)",
        {"node-manager", "auth-service", "backend", "monitoring-service", "api-gateway",
         "frontend"},
        {}},
       nullptr},
  };
#endif
  return kTargets;
}

std::vector<ModuleSpec> TargetSpecs() {
  std::vector<ModuleSpec> specs;
  for (const auto& t : Targets()) {
    specs.push_back(t.spec);
  }
  return specs;
}

void RegisterAllSettings(ConfigSchema* schema) {
  services::RegisterRuntimeSettings(schema);
#ifndef MR_FRONTEND_ONLY
  services::RegisterNodeManagerSettings(schema);
  services::RegisterAuthServiceSettings(schema);
  services::RegisterBackendSettings(schema);
  services::RegisterMonitoringServiceSettings(schema);
  services::RegisterGatewaySettings(schema);
#endif
  services::RegisterFrontendSettings(schema);
}

}  // namespace mr
