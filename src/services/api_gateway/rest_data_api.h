// The REST data API, compatible with Upstash's: POST /rest/{id} (one command as a JSON array),
// /rest/{id}/pipeline, /rest/{id}/multi-exec and the path form /rest/{id}/{command}/{arg}/...,
// authorized by the instance's REST token and run through node-manager's exec API.
#pragma once

#include <memory>
#include <string>

#include "common/log.h"
#include "http/client.h"
#include "http/router.h"
#include "services/api_gateway/instance_routes.h"

namespace mr::services::gateway {

struct RestDataContext {
  http::ClientPool* pool;
  InstanceRoutes* routes;
  std::string internal_token;  // node-manager's service token
  log::Logger logger;
};

void AddRestDataRoutes(http::Router* router, std::shared_ptr<const RestDataContext> ctx);

}  // namespace mr::services::gateway
