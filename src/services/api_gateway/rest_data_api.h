// The REST data API, compatible with Upstash's: POST /rest/{id} (one command as a JSON array),
// /rest/{id}/pipeline, /rest/{id}/multi-exec and the path form /rest/{id}/{command}/{arg}/...,
// authorized by the instance's REST token and run through node-manager's exec API.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/log.h"
#include "http/client.h"
#include "http/router.h"
#include "services/api_gateway/instance_routes.h"
#include "services/api_gateway/rate_limiter.h"

namespace mr::services::gateway {

struct RestDataContext {
  http::ClientPool* pool = nullptr;
  InstanceRoutes* routes = nullptr;
  std::string internal_token;  // node-manager's service token
  /// Refused tokens per client address: guessing costs the guesser (429 beyond the rate).
  RateLimiter* failed_auth_limit = nullptr;
  bool trust_forwarded_for = false;
  std::chrono::milliseconds timeout{10000};  // node-manager's answer (GATEWAY_UPSTREAM_TIMEOUT)
  log::Logger logger{"api-gateway"};
};

void AddRestDataRoutes(http::Router* router, std::shared_ptr<const RestDataContext> ctx);

}  // namespace mr::services::gateway
