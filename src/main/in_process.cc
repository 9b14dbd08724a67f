#include "main/in_process.h"

#include <algorithm>

namespace mr {
namespace {

bool Runs(const std::vector<std::string>& modules, const std::string& name) {
  return std::find(modules.begin(), modules.end(), name) != modules.end();
}

// Where a peer in this process answers: its bind address, or loopback when it binds them all.
std::string LocalHost(const std::string& bind_address) {
  if (bind_address.empty() || bind_address == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (bind_address == "::") {
    return "[::1]";
  }
  if (bind_address.find(':') != std::string::npos) {
    return "[" + bind_address + "]";
  }
  return bind_address;
}

}  // namespace

bool IsExplicit(const ConfigSources& sources, const std::string& setting) {
  return sources.flags.count(setting) || sources.environment.count(setting) ||
         sources.env_file.count(setting);
}

void TrustTheGatewayInProcess(const std::vector<std::string>& modules,
                              const ConfigSources& sources, Config* config) {
  if (!Runs(modules, "api-gateway")) {
    return;
  }
  for (const char* setting : {"AUTH_TRUST_FORWARDED_FOR", "BACKEND_TRUST_FORWARDED_FOR"}) {
    if (!IsExplicit(sources, setting)) {
      config->Set(setting, "true");
    }
  }
}

void PointAtPeersInProcess(const std::vector<std::string>& modules, const ConfigSources& sources,
                           Config* config) {
  struct Peer {
    const char* module;
    const char* url_setting;
    const char* port_setting;
  };
  static constexpr Peer kPeers[] = {
      {"auth-service", "AUTH_SERVICE_URL", "AUTH_SERVICE_PORT"},
      {"backend", "BACKEND_URL", "BACKEND_PORT"},
      {"monitoring-service", "MONITORING_SERVICE_URL", "MONITORING_SERVICE_PORT"},
      {"node-manager", "NODE_MANAGER_URLS", "NODE_MANAGER_PORT"},
  };
  for (const Peer& p : kPeers) {
    if (Runs(modules, p.module) && !IsExplicit(sources, p.url_setting)) {
      config->Set(p.url_setting, "http://" + LocalHost(config->Get("BIND_ADDRESS")) + ":" +
                                     config->Get(p.port_setting));
    }
  }
}

}  // namespace mr
