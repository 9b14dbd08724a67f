// Internal routes (node-manager's and monitoring-service's /v1/...) answer only callers that
// present the platform's service token: `Authorization: Bearer <INTERNAL_TOKEN>`.
#pragma once

#include <string>

#include "http/router.h"

namespace mr::services {

/// Middleware: requests whose path starts with `prefix` need the token (compared in constant
/// time); others pass. An empty token refuses them all. Refusal: 401 JSON `unauthorized`.
http::Middleware RequireServiceToken(std::string token, std::string prefix = "/v1/");

}  // namespace mr::services
