// The node-manager service module: its settings and its factory (main's target table uses both).
#pragma once

#include "common/config.h"
#include "services/runtime/service.h"

namespace mr::services {

void RegisterNodeManagerSettings(ConfigSchema* schema);
Result<ServicePtr> MakeNodeManager(const ServiceContext& ctx);

}  // namespace mr::services
