#include "http/middleware.h"

#include <chrono>
#include <exception>
#include <shared_mutex>
#include <unordered_map>

#include "common/ids.h"
#include "common/metrics.h"

namespace mr::http {

Middleware RequestContext() {
  return [](Request& req, const Handler& next) {
    std::string incoming = req.Header("X-Request-Id");
    req.request_id = ids::IsAcceptableRequestId(incoming) ? incoming : ids::RandomHex(16);
    ids::TraceParent tp;
    if (!ids::ParseTraceParent(req.Header("traceparent"), &tp)) {
      tp.trace_id = ids::RandomHex(16);
    }
    req.trace_id = tp.trace_id;
    tp.parent_id = ids::RandomHex(8);  // this hop's span, parent of calls it makes
    req.traceparent = ids::FormatTraceParent(tp);
    Response resp = next(req);
    resp.headers["X-Request-Id"] = req.request_id;
    return resp;
  };
}

Middleware AccessLog(log::Logger logger) {
  return [logger = std::move(logger)](Request& req, const Handler& next) {
    auto start = std::chrono::steady_clock::now();
    Response resp = next(req);
    // Probes and the platform's own once-a-second polls (backend and monitoring-service asking
    // node-managers) would drown real traffic at info level. Failures are still logged.
    bool probe = req.route == "/healthz" || req.route == "/readyz" || req.route == "/metrics" ||
                 ((req.route == "/v1/node" || req.route == "/v1/stats") && req.method == "GET");
    log::Level level = probe && resp.status < 400 ? log::Level::kDebug
                       : resp.status >= 500 ? log::Level::kError
                                            : log::Level::kInfo;
    if (logger.Enabled(level)) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            start).count();
      char dur[32];
      snprintf(dur, sizeof(dur), "%.3f", ms);
      std::string status = std::to_string(resp.status);
      logger.Log(level, "request", {req.request_id, req.trace_id},
                 {{"method", req.method}, {"path", req.path}, {"route", req.route},
                  {"status", status}, {"duration_ms", dur}, {"remote", req.remote_address}});
    }
    return resp;
  };
}

namespace {

// Resolves label sets to metric objects once: prometheus-cpp's Family::Add builds a label map and
// takes a lock on every call, which costs more than the whole /healthz handler.
class RouteMetrics {
 public:
  explicit RouteMetrics(std::string service) : service_(std::move(service)) {
    auto& registry = metrics::Registry();
    requests_ = &prometheus::BuildCounter()
                     .Name("http_requests_total")
                     .Help("HTTP requests served, by route and status.")
                     .Register(registry);
    durations_ = &prometheus::BuildHistogram()
                      .Name("http_request_duration_seconds")
                      .Help("Time from a request's parse to its response, by route.")
                      .Register(registry);
  }

  void Observe(const std::string& method, const std::string& route, int status, double secs) {
    std::string key = method + ' ' + route + ' ';
    std::string status_str = std::to_string(status);
    Entry* e = Lookup(key + status_str, method, route, status_str);
    e->requests->Increment();
    e->duration->Observe(secs);
  }

 private:
  struct Entry {
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
  };
  Entry* Lookup(const std::string& key, const std::string& method, const std::string& route,
                const std::string& status) {
    {
      std::shared_lock lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end()) {
        return &it->second;
      }
    }
    std::unique_lock lock(mu_);
    Entry e{&requests_->Add({{"service", service_}, {"method", method}, {"route", route},
                             {"status", status}}),
            &durations_->Add({{"service", service_}, {"method", method}, {"route", route}},
                             metrics::LatencyBuckets())};
    return &cache_.emplace(key, e).first->second;
  }

  std::string service_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace

Middleware RequestMetrics(const std::string& service) {
  auto route_metrics = std::make_shared<RouteMetrics>(service);
  return [route_metrics](Request& req, const Handler& next) {
    auto start = std::chrono::steady_clock::now();
    Response resp = next(req);
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The route pattern, never the raw path, so label cardinality stays bounded.
    static const std::string kUnknown = "unknown";
    route_metrics->Observe(req.method, req.route.empty() ? kUnknown : req.route, resp.status,
                           secs);
    return resp;
  };
}

Middleware Recover(log::Logger logger) {
  return [logger = std::move(logger)](Request& req, const Handler& next) {
    try {
      return next(req);
    } catch (const std::exception& e) {
      logger.Error("handler failed", {req.request_id, req.trace_id},
                   {{"route", req.route}, {"exception", e.what()}});
      return JsonError(500, "internal", "internal error", req.request_id);
    }
  };
}

void UseStandardMiddleware(Router* router, const log::Logger& logger) {
  router->Use(RequestContext());
  router->Use(AccessLog(logger));
  router->Use(RequestMetrics(logger.service()));
  router->Use(Recover(logger));
}

}  // namespace mr::http
