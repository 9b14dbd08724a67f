#include "services/api_gateway/proxy.h"

#include <array>

#include "common/metrics.h"

namespace mr::services::gateway {
namespace {

// What a client may send on to an upstream. Everything else (Cookie, Host, Connection,
// X-Internal-Token, X-User-Id, ...) stays at the gateway.
constexpr std::array<std::string_view, 4> kRequestHeaders = {"Content-Type", "Accept",
                                                             "User-Agent", "Accept-Language"};
// What an upstream may send back.
constexpr std::array<std::string_view, 6> kResponseHeaders = {
    "Content-Type", "Retry-After", "WWW-Authenticate", "Allow", "Cache-Control", "Location"};

}  // namespace

Proxy::Proxy(http::ClientPool* pool, std::chrono::milliseconds timeout, bool trust_forwarded_for,
             log::Logger logger)
    : pool_(pool),
      timeout_(timeout),
      trust_forwarded_for_(trust_forwarded_for),
      logger_(std::move(logger)),
      errors_(&prometheus::BuildCounter()
                   .Name("gateway_upstream_errors_total")
                   .Help("Requests the gateway could not forward, by upstream and reason.")
                   .Register(metrics::Registry())) {}

http::Response Proxy::Forward(const http::Request& req, const Upstream& upstream,
                              const ForwardOptions& options) {
  http::ClientRequest out;
  out.method = req.method;
  out.url = upstream.base_url + options.target;
  out.body = req.body;
  out.timeout = timeout_;
  for (std::string_view name : kRequestHeaders) {
    std::string value = req.Header(std::string(name));
    if (!value.empty()) {
      out.headers[std::string(name)] = value;
    }
  }
  if (options.pass_authorization && !req.Header("Authorization").empty()) {
    out.headers["Authorization"] = req.Header("Authorization");
  }
  out.headers["X-Request-Id"] = req.request_id;
  out.headers["traceparent"] = req.traceparent;
  std::string forwarded = req.Header("X-Forwarded-For");
  out.headers["X-Forwarded-For"] = trust_forwarded_for_ && !forwarded.empty()
                                       ? forwarded + ", " + req.remote_address
                                       : req.remote_address;
  for (const auto& [name, value] : options.extra) {
    out.headers[name] = value;
  }
  auto resp = pool_->Send(out);
  if (!resp.ok()) {
    bool timed_out = resp.error().find("timed out") != std::string::npos;
    errors_->Add({{"upstream", upstream.name}, {"reason", timed_out ? "timeout" : "unavailable"}})
        .Increment();
    logger_.Warn("upstream failed", {req.request_id, req.trace_id},
                 {{"upstream", upstream.name}, {"error", resp.error()}});
    http::Response r =
        timed_out ? http::JsonError(504, "upstream_timeout",
                                    upstream.name + " did not answer in time", req.request_id)
                  : http::JsonError(503, "upstream_unavailable",
                                    upstream.name + " is unavailable; retry shortly",
                                    req.request_id);
    r.headers["Retry-After"] = "1";
    return r;
  }
  http::Response r;
  r.status = resp->status;
  r.body = std::move(resp->body);
  for (std::string_view name : kResponseHeaders) {
    auto it = resp->headers.find(std::string(name));
    if (it != resp->headers.end()) {
      r.headers[std::string(name)] = it->second;
    }
  }
  return r;
}

}  // namespace mr::services::gateway
