#include "services/api_gateway/gateway_routes.h"

#include <boost/json.hpp>

#include "common/metrics.h"
#include "services/runtime/api_support.h"

namespace mr::services::gateway {
namespace json = boost::json;
namespace {

using Ctx = GatewayContext;

prometheus::Family<prometheus::Counter>& LimitedFamily() {
  static auto& family = prometheus::BuildCounter()
                            .Name("gateway_rate_limited_total")
                            .Help("Requests refused with 429, by limit.")
                            .Register(metrics::Registry());
  return family;
}

http::Response TooManyRequests(const http::Request& req, int64_t wait_ms, const char* scope) {
  LimitedFamily().Add({{"limit", scope}}).Increment();
  http::Response r = http::JsonError(429, "rate_limited",
                                     std::string("too many requests from this ") + scope +
                                         "; retry after the time in Retry-After",
                                     req.request_id);
  r.headers["Retry-After"] = std::to_string((wait_ms + 999) / 1000);
  return r;
}

http::Response Unauthorized(const http::Request& req, bool missing) {
  http::Response r = http::JsonError(
      401, missing ? "missing_token" : "invalid_token",
      missing ? "send Authorization: Bearer <access token or API key>"
              : "the access token or API key is invalid or expired",
      req.request_id);
  r.headers["WWW-Authenticate"] =
      missing ? "Bearer" : R"(Bearer error="invalid_token")";
  return r;
}

std::optional<http::Response> LimitAddress(const Ctx& ctx, const http::Request& req) {
  std::string address = ClientAddress(req, ctx.trust_forwarded_for);
  if (int64_t wait = ctx.address_limit->Admit("ip:" + address)) {
    return TooManyRequests(req, wait, "address");
  }
  return std::nullopt;
}

// Authenticates and rate-limits; on success `caller` is set and nullopt returned.
std::optional<http::Response> Admit(const Ctx& ctx, const http::Request& req, Caller* caller) {
  switch (ctx.auth->Authenticate(req, caller)) {
    case CallerAuth::Outcome::kOk: break;
    case CallerAuth::Outcome::kUnavailable: {
      // The service that vouches for the credentials (auth-service's keys, the backend's API
      // keys) cannot be reached: the same answer as any unreachable upstream.
      http::Response r = http::JsonError(503, "upstream_unavailable",
                                         "cannot check credentials right now; retry shortly",
                                         req.request_id);
      r.headers["Retry-After"] = "1";
      return r;
    }
    case CallerAuth::Outcome::kMissing:
    case CallerAuth::Outcome::kInvalid: {
      // Guessing tokens costs the guesser's address its budget.
      if (auto limited = LimitAddress(ctx, req)) {
        return limited;
      }
      return Unauthorized(req, req.Header("Authorization").empty());
    }
  }
  if (int64_t wait = ctx.user_limit->Admit("u:" + std::to_string(caller->user_id))) {
    return TooManyRequests(req, wait, "user");
  }
  return std::nullopt;
}

http::Headers Vouch(const Ctx& ctx, const Caller& c) {
  http::Headers h{{"X-Internal-Token", ctx.internal_token},
                  {"X-User-Id", std::to_string(c.user_id)}};
  if (c.api_key_id) {
    h["X-Api-Key-Id"] = std::to_string(*c.api_key_id);
  }
  return h;
}

http::Response ToAuthService(const Ctx& ctx, http::Request& req) {
  if (auto limited = LimitAddress(ctx, req)) {
    return *limited;
  }
  return ctx.proxy->Forward(req, ctx.auth_service,
                            {.target = req.target, .pass_authorization = true});
}

http::Response ToBackend(const Ctx& ctx, http::Request& req) {
  Caller caller;
  if (auto refused = Admit(ctx, req, &caller)) {
    return *refused;
  }
  http::Response r = ctx.proxy->Forward(req, ctx.backend,
                                        {.target = req.target, .extra = Vouch(ctx, caller)});
  if (req.method != "GET" && req.params.count("id") && req.route.starts_with("/api/v1/inst")) {
    ctx.instance_routes->Forget(req.Param("id"));  // its state or owner-visible data changed
  }
  return r;
}

// Monitoring has no history yet for an instance created a moment ago: an empty window, not 404.
http::Response EmptyMetrics(const http::Request& req, const std::string& id) {
  std::string window = req.query.count("window") ? req.query.at("window") : "15m";
  return http::Response::Json(
      200, json::serialize(json::object{{"instance_id", id},
                                        {"window", window},
                                        {"resolution_seconds", window == "15m" ? 1 : 60},
                                        {"timestamps", json::array()},
                                        {"series", json::object()},
                                        {"latest", nullptr}}));
}

http::Response InstanceMetrics(const Ctx& ctx, http::Request& req) {
  Caller caller;
  if (auto refused = Admit(ctx, req, &caller)) {
    return *refused;
  }
  std::string id = req.Param("id");
  InstanceRoute route;
  switch (ctx.instance_routes->Find(id, &route)) {
    case InstanceRoutes::Lookup::kUnavailable:
      return Unavailable(req, "backend is unavailable; retry shortly");
    case InstanceRoutes::Lookup::kNotFound:
      return http::JsonError(404, "not_found", "no such instance", req.request_id);
    case InstanceRoutes::Lookup::kFound: break;
  }
  if (route.owner_id != caller.user_id) {
    return http::JsonError(404, "not_found", "no such instance", req.request_id);
  }
  std::string query = req.target.find('?') == std::string::npos
                          ? ""
                          : req.target.substr(req.target.find('?'));
  http::Response r = ctx.proxy->Forward(
      req, ctx.monitoring,
      {.target = "/v1/instances/" + id + "/metrics" + query,
       .extra = {{"Authorization", "Bearer " + ctx.internal_token}}});
  if (r.status == 404) {
    return EmptyMetrics(req, id);
  }
  return r;
}

}  // namespace

void AddGatewayRoutes(http::Router* router, std::shared_ptr<const GatewayContext> ctx) {
  auto bind = [ctx](http::Response (*fn)(const Ctx&, http::Request&)) {
    return [ctx, fn](http::Request& req) { return fn(*ctx, req); };
  };
  for (const char* path : {"/api/v1/auth/register", "/api/v1/auth/login",
                           "/api/v1/auth/refresh", "/api/v1/auth/logout"}) {
    router->Post(path, bind(ToAuthService));
  }
  router->Get("/api/v1/auth/me", bind(ToAuthService));
  router->Get("/api/v1/instances", bind(ToBackend));
  router->Post("/api/v1/instances", bind(ToBackend));
  router->Get("/api/v1/instances/{id}", bind(ToBackend));
  router->Patch("/api/v1/instances/{id}", bind(ToBackend));
  router->Delete("/api/v1/instances/{id}", bind(ToBackend));
  for (const char* action : {"start", "stop", "command"}) {
    router->Post(std::string("/api/v1/instances/{id}/") + action, bind(ToBackend));
  }
  router->Get("/api/v1/instances/{id}/metrics", bind(InstanceMetrics));
  router->Get("/api/v1/quota", bind(ToBackend));
  router->Get("/api/v1/audit-log", bind(ToBackend));
  router->Get("/api/v1/api-keys", bind(ToBackend));
  router->Post("/api/v1/api-keys", bind(ToBackend));
  router->Delete("/api/v1/api-keys/{id}", bind(ToBackend));
}

}  // namespace mr::services::gateway
