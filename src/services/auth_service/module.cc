#include "services/auth_service/module.h"

#include "services/runtime/hosted_service.h"

namespace mr::services {

void RegisterAuthServiceSettings(ConfigSchema* s) {
  const std::string o = "auth-service";
  s->Add({"AUTH_SERVICE_PORT", "8000", "Port of the auth service (accounts, sessions, JWT).",
          validate::Port(), false, o});
  s->Add({"AUTH_DATABASE_URL", "",
          "postgresql://... for postgres-auth; empty means SQLite at DATA_DIR/auth.db.", nullptr,
          true, o});
  s->Add({"ACCESS_TOKEN_TTL", "15m", "Lifetime of access tokens (JWT).", validate::Duration(),
          false, o});
}

Result<ServicePtr> MakeAuthService(const ServiceContext& ctx) {
  return ServicePtr(std::make_unique<HostedService>("auth-service", ctx, "AUTH_SERVICE_PORT"));
}

}  // namespace mr::services
