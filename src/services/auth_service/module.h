// The auth-service service module: its settings and its factory (main's target table uses both).
#pragma once

#include "common/config.h"
#include "services/runtime/service.h"

namespace mr::services {

void RegisterAuthServiceSettings(ConfigSchema* schema);
Result<ServicePtr> MakeAuthService(const ServiceContext& ctx);

}  // namespace mr::services
