// Settings the services of one process derive from each other, unless set explicitly: they know
// which peers run beside them, so an operator who moves a port need not repeat it in a URL.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace mr {

/// True when `setting` was given in the environment, the .env file or a flag.
bool IsExplicit(const ConfigSources& sources, const std::string& setting);

/// With the gateway in the same process, every request reaching auth-service and the backend came
/// through it (their ports bind where the gateway's does), so the client's address is the last
/// X-Forwarded-For entry. Without this, login throttling would see every user as the gateway's
/// address, and one attacker's failed logins would lock everyone out.
void TrustTheGatewayInProcess(const std::vector<std::string>& modules,
                              const ConfigSources& sources, Config* config);

/// Points AUTH_SERVICE_URL, BACKEND_URL, MONITORING_SERVICE_URL and NODE_MANAGER_URLS at the
/// peers running in this process (their port on BIND_ADDRESS, loopback for a wildcard address):
/// `--target=all` with GATEWAY_PORT or AUTH_SERVICE_PORT moved keeps working without URLs.
void PointAtPeersInProcess(const std::vector<std::string>& modules, const ConfigSources& sources,
                           Config* config);

}  // namespace mr
