#include "services/api_gateway/browser_policy.h"

#include <algorithm>

namespace mr::services::gateway {
namespace {

constexpr std::string_view kAllowMethods = "GET, POST, PATCH, DELETE, OPTIONS";
constexpr std::string_view kAllowHeaders =
    "Authorization, Content-Type, X-Request-Id, traceparent, Upstash-Encoding";
constexpr std::string_view kExposeHeaders = "X-Request-Id, Retry-After";

void AddSecurityHeaders(http::Response& r) {
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["Referrer-Policy"] = "no-referrer";
  // API answers are data, never documents: nothing in them may run or be framed.
  r.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
  r.headers["Cross-Origin-Resource-Policy"] = "same-site";
  if (r.headers.find("Cache-Control") == r.headers.end()) {
    r.headers["Cache-Control"] = "no-store";
  }
}

}  // namespace

http::Middleware BrowserPolicy(std::vector<std::string> allowed_origins) {
  return [origins = std::move(allowed_origins)](http::Request& req, const http::Handler& next) {
    std::string origin = req.Header("Origin");
    bool any = req.path.starts_with("/rest/") ||
               std::find(origins.begin(), origins.end(), "*") != origins.end();
    bool allowed = !origin.empty() &&
                   (any || std::find(origins.begin(), origins.end(), origin) != origins.end());
    http::Response r;
    if (req.method == "OPTIONS" && !req.Header("Access-Control-Request-Method").empty()) {
      if (!allowed) {
        r = http::JsonError(403, "origin_not_allowed",
                            "this origin may not call the API from a browser", req.request_id);
      } else {
        r.status = 204;
        r.headers["Access-Control-Allow-Methods"] = std::string(kAllowMethods);
        r.headers["Access-Control-Allow-Headers"] = std::string(kAllowHeaders);
        r.headers["Access-Control-Max-Age"] = "600";
      }
    } else {
      r = next(req);
    }
    if (allowed) {
      r.headers["Access-Control-Allow-Origin"] = origin;
      r.headers["Access-Control-Expose-Headers"] = std::string(kExposeHeaders);
    }
    r.headers["Vary"] = "Origin";
    AddSecurityHeaders(r);
    return r;
  };
}

}  // namespace mr::services::gateway
