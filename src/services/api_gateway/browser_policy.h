// What browsers need from the public API: CORS for the console's origin (any origin on the REST
// data API, whose bearer token is not a cookie: as Upstash does), preflight answers, and security
// headers on every response (no sniffing, no framing, no caching of API answers).
#pragma once

#include <string>
#include <vector>

#include "http/router.h"

namespace mr::services::gateway {

/// `allowed_origins`: exact origins ("http://localhost:5173"); "*" allows any.
http::Middleware BrowserPolicy(std::vector<std::string> allowed_origins);

}  // namespace mr::services::gateway
