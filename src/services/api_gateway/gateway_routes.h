// The public API's routing table: which upstream serves each route, what the caller must present,
// and the per-user and per-address rate limits in front of them. Auth routes go to auth-service
// unchanged; instance, API-key, quota and audit routes go to the backend with the caller's
// identity vouched for by the internal token; an instance's metrics come from the
// monitoring-service once the caller is known to own it.
#pragma once

#include <memory>
#include <string>

#include "common/log.h"
#include "http/router.h"
#include "services/api_gateway/caller_auth.h"
#include "services/api_gateway/instance_routes.h"
#include "services/api_gateway/proxy.h"
#include "services/api_gateway/rate_limiter.h"

namespace mr::services::gateway {

struct GatewayContext {
  Proxy* proxy = nullptr;
  CallerAuth* auth = nullptr;
  InstanceRoutes* instance_routes = nullptr;
  RateLimiter* user_limit = nullptr;     // authenticated callers, by user id
  RateLimiter* address_limit = nullptr;  // unauthenticated requests and failed logins, by address
  Upstream auth_service;
  Upstream backend;
  Upstream monitoring;
  std::string internal_token;
  bool trust_forwarded_for = false;
  log::Logger logger{"api-gateway"};
};

void AddGatewayRoutes(http::Router* router, std::shared_ptr<const GatewayContext> ctx);

}  // namespace mr::services::gateway
