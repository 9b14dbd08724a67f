#include "services/backend/module.h"

#include "services/runtime/hosted_service.h"

namespace mr::services {

void RegisterBackendSettings(ConfigSchema* s) {
  const std::string o = "backend";
  s->Add({"BACKEND_PORT", "5500", "Port of the backend (instances' desired state, API keys).",
          validate::Port(), false, o});
  s->Add({"BACKEND_DATABASE_URL", "",
          "postgresql://... for postgres-main; empty means SQLite at DATA_DIR/main.db.", nullptr,
          true, o});
}

Result<ServicePtr> MakeBackend(const ServiceContext& ctx) {
  return ServicePtr(std::make_unique<HostedService>("backend", ctx, "BACKEND_PORT"));
}

}  // namespace mr::services
