// The HTTP side every service shares: a router with the standard middleware and the /healthz,
// /readyz and /metrics endpoints, served on the service's port with the common HTTP settings.
#pragma once

#include <memory>
#include <string>

#include "common/log.h"
#include "http/router.h"
#include "http/server.h"
#include "services/runtime/service.h"

namespace mr::services {

class ServiceHost {
 public:
  /// `port_setting` names the setting that holds this service's port (e.g. GATEWAY_PORT).
  ServiceHost(std::string service, const ServiceContext& ctx, const std::string& port_setting);

  http::Router& router() { return *router_; }
  const log::Logger& logger() const { return logger_; }
  Readiness& readiness() { return *readiness_; }

  Status Start();
  void Stop(std::chrono::milliseconds grace);
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  std::string service_;
  log::Logger logger_;
  std::shared_ptr<http::Router> router_;
  std::shared_ptr<Readiness> readiness_;
  http::ServerOptions options_;
  std::unique_ptr<http::Server> server_;
};

/// Registers the settings every service uses (bind address, HTTP limits, log level, data dir...).
void RegisterRuntimeSettings(ConfigSchema* schema);

}  // namespace mr::services
