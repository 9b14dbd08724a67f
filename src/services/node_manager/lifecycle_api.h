// node-manager's internal HTTP API (/v1/instances..., /v1/stats, /v1/node): JSON in and out, guarded by the
// service token, translating requests into Fleet calls and Fleet errors into JSON errors.
#pragma once

#include <string>

#include "http/router.h"
#include "services/node_manager/fleet.h"
#include "services/node_manager/node_info.h"
#include "services/node_manager/port_pool.h"

namespace mr::services {

struct LifecycleApiOptions {
  std::string internal_token;  // required as "Authorization: Bearer <token>" on /v1/*
  std::string public_host = "127.0.0.1";
  uint16_t shared_port = 0;
  SpecLimits limits;
  NodeIdentity node;  // answered by GET /v1/node
};

void AddLifecycleRoutes(http::Router* router, Fleet* fleet, const PortPool* ports,
                        LifecycleApiOptions options);

/// Serializes a record as the API answers it (never the password or its hash).
std::string InstanceJson(const InstanceRecord& r, const LifecycleApiOptions& o);

}  // namespace mr::services
