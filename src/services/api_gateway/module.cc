#include "services/api_gateway/module.h"

#include "services/api_gateway/browser_policy.h"
#include "services/api_gateway/gateway_routes.h"
#include "services/api_gateway/rest_data_api.h"
#include "services/runtime/hosted_service.h"
#include "services/runtime/setting_lists.h"

namespace mr::services {
namespace {

std::string BaseUrl(const ServiceContext& ctx, const char* setting) {
  return WithoutTrailingSlash(ctx.config.Get(setting));
}

using namespace gateway;

class Gateway : public HostedService {
 public:
  explicit Gateway(const ServiceContext& ctx)
      : HostedService("api-gateway", ctx, "GATEWAY_PORT"),
        pool_(http::ClientOptions{.max_idle_per_host = 256}),
        jwks_(&pool_, BaseUrl(ctx, "AUTH_SERVICE_URL") + "/.well-known/jwks.json",
              security::JwtRules{.issuer = "miniredis-auth", .audience = "miniredis-api"}),
        auth_(&jwks_, &pool_, BaseUrl(ctx, "BACKEND_URL"),
              ctx.config.Get("INTERNAL_TOKEN"),
              std::chrono::milliseconds(ctx.config.GetMillis("API_KEY_CACHE_TTL"))),
        routes_(&pool_, BaseUrl(ctx, "BACKEND_URL"),
                ctx.config.Get("INTERNAL_TOKEN")),
        proxy_(&pool_, std::chrono::milliseconds(ctx.config.GetMillis("GATEWAY_UPSTREAM_TIMEOUT")),
               ctx.config.GetBool("GATEWAY_TRUST_FORWARDED_FOR"), host_.logger()),
        user_limit_(static_cast<double>(ctx.config.GetInt("RATE_LIMIT_PER_USER")),
                    static_cast<double>(ctx.config.GetInt("RATE_LIMIT_PER_USER")) * 2),
        address_limit_(static_cast<double>(ctx.config.GetInt("RATE_LIMIT_PER_ADDRESS")),
                       static_cast<double>(ctx.config.GetInt("RATE_LIMIT_PER_ADDRESS")) * 2) {
    host_.router().Use(BrowserPolicy(SplitList(ctx.config.Get("CORS_ORIGIN"))));
    auto api = std::make_shared<GatewayContext>();
    api->proxy = &proxy_;
    api->auth = &auth_;
    api->instance_routes = &routes_;
    api->user_limit = &user_limit_;
    api->address_limit = &address_limit_;
    api->auth_service = {"auth-service", BaseUrl(ctx, "AUTH_SERVICE_URL")};
    api->backend = {"backend", BaseUrl(ctx, "BACKEND_URL")};
    api->monitoring = {"monitoring-service",
                       BaseUrl(ctx, "MONITORING_SERVICE_URL")};
    api->internal_token = ctx.config.Get("INTERNAL_TOKEN");
    api->trust_forwarded_for = ctx.config.GetBool("GATEWAY_TRUST_FORWARDED_FOR");
    api->logger = host_.logger();
    AddGatewayRoutes(&host_.router(), std::move(api));
    auto rest = std::make_shared<RestDataContext>();
    rest->pool = &pool_;
    rest->routes = &routes_;
    rest->internal_token = ctx.config.Get("INTERNAL_TOKEN");
    rest->failed_auth_limit = &address_limit_;
    rest->trust_forwarded_for = ctx.config.GetBool("GATEWAY_TRUST_FORWARDED_FOR");
    rest->timeout = std::chrono::milliseconds(ctx.config.GetMillis("GATEWAY_UPSTREAM_TIMEOUT"));
    rest->logger = host_.logger();
    AddRestDataRoutes(&host_.router(), std::move(rest));
  }

 private:
  http::ClientPool pool_;
  RemoteJwks jwks_;
  CallerAuth auth_;
  InstanceRoutes routes_;
  Proxy proxy_;
  RateLimiter user_limit_;
  RateLimiter address_limit_;
};

}  // namespace

void RegisterGatewaySettings(ConfigSchema* s) {
  const std::string o = "api-gateway";
  s->Add({"GATEWAY_PORT", "8080", "Port of the public API (the only public HTTP entry).",
          validate::Port(), false, o});
  s->Add({"AUTH_SERVICE_URL", "http://127.0.0.1:8000",
          "Base URL of auth-service: the gateway forwards auth routes to it, and the gateway and "
          "backend fetch its JWKS to verify access tokens. Unset in a process that runs "
          "auth-service too: its own AUTH_SERVICE_PORT.",
          validate::Url(), false, o});
  s->Add({"BACKEND_URL", "http://127.0.0.1:5500",
          "Base URL of the backend service. Unset in a process that runs the backend too: its "
          "own BACKEND_PORT.",
          validate::Url(), false, o});
  s->Add({"MONITORING_SERVICE_URL", "http://127.0.0.1:9000",
          "Base URL of the monitoring service. Unset in a process that runs it too: its own "
          "MONITORING_SERVICE_PORT.",
          validate::Url(), false, o});
  s->Add({"CORS_ORIGIN", "http://localhost:5173,http://127.0.0.1:5173",
          "Comma-separated browser origins allowed to call the API (the console's); * allows "
          "any. The REST data API allows any origin (its token is not a cookie).",
          validate::NonEmpty(), false, o});
  s->Add({"RATE_LIMIT_PER_USER", "100",
          "Requests per second one user (access token or API key) may make on average; bursts "
          "of twice that. 0 turns the limit off.",
          validate::IntRange(0, 10000000), false, o});
  s->Add({"RATE_LIMIT_PER_ADDRESS", "20",
          "Requests per second one client address may make without valid credentials (auth "
          "routes, bad tokens); bursts of twice that. 0 turns the limit off.",
          validate::IntRange(0, 10000000), false, o});
  s->Add({"API_KEY_CACHE_TTL", "5s",
          "How long the gateway trusts an API key lookup: a revoked key works at most this long.",
          validate::Duration(), false, o});
  s->Add({"GATEWAY_UPSTREAM_TIMEOUT", "10s",
          "Deadline for an upstream's answer; beyond it the client gets 504.",
          validate::Duration(), false, o});
  s->Add({"GATEWAY_TRUST_FORWARDED_FOR", "false",
          "Keep the client's X-Forwarded-For (set only behind a trusted load balancer or "
          "ingress); otherwise the gateway starts the chain with the connection's address.",
          validate::OneOf({"true", "false"}), false, o});
}

Result<ServicePtr> MakeGateway(const ServiceContext& ctx) {
  if (ctx.config.GetMillis("GATEWAY_UPSTREAM_TIMEOUT") < 100) {
    return Status::Error("invalid setting GATEWAY_UPSTREAM_TIMEOUT: at least 100ms");
  }
  return ServicePtr(std::make_unique<Gateway>(ctx));
}

}  // namespace mr::services
