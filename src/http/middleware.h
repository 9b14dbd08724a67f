// The standard middleware every service installs, outermost first: request context (request id,
// W3C trace context), access log, metrics per route, and turning escaped exceptions into a JSON 500.
#pragma once

#include <string>

#include "common/log.h"
#include "http/router.h"

namespace mr::http {

/// Keeps a well-formed X-Request-Id or makes one; continues or starts a W3C trace; echoes
/// X-Request-Id on the response.
Middleware RequestContext();

/// One JSON log line per request: method, path, route, status, duration, remote address.
/// Health and metrics probes are logged at debug level so they do not drown real traffic.
Middleware AccessLog(log::Logger logger);

/// http_requests_total{service,method,route,status} and
/// http_request_duration_seconds{service,method,route}.
Middleware RequestMetrics(const std::string& service);

/// A handler that throws gets a JSON 500 (and a log line) instead of a dropped connection.
Middleware Recover(log::Logger logger);

/// Installs the four above in the right order.
void UseStandardMiddleware(Router* router, const log::Logger& logger);

}  // namespace mr::http
