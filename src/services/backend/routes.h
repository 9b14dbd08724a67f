// The backend's HTTP API on the public paths (/api/v1/instances, /api-keys, /quota, /audit-log)
// plus the gateway's internal routes. Handlers block (SQL, node-manager calls): HTTP workers.
#pragma once

#include <cstdint>
#include <memory>

#include "common/log.h"
#include "http/router.h"
#include "security/secret_box.h"
#include "services/backend/api_keys.h"
#include "services/backend/caller.h"
#include "services/backend/instance_store.h"
#include "services/backend/node_client.h"
#include "services/backend/provisioner.h"
#include "services/backend/reconciler.h"

namespace mr::services::backend {

/// Everything the handlers use; owned by the service module, which outlives the routes.
struct BackendApiContext {
  sql::Database* db = nullptr;
  InstanceStore* instances = nullptr;
  ApiKeys* api_keys = nullptr;
  const Authenticator* auth = nullptr;
  Provisioner* provisioner = nullptr;
  Reconciler* reconciler = nullptr;
  NodeClient* nodes = nullptr;
  const security::SecretBox* secrets = nullptr;
  const std::atomic<bool>* schema_ready = nullptr;
  int64_t max_memory_mb = 65536;
  bool trust_forwarded_for = false;
  log::Logger logger{"backend"};
};

void AddBackendRoutes(http::Router* router, std::shared_ptr<const BackendApiContext> ctx);

}  // namespace mr::services::backend
