#include "services/runtime/service_host.h"

#include "common/metrics.h"
#include "http/middleware.h"

namespace mr::services {

void Readiness::Add(std::string name, Check check) {
  std::lock_guard lock(mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

Readiness::Report Readiness::Evaluate() const {
  std::vector<std::pair<std::string, Check>> checks;
  {
    std::lock_guard lock(mu_);
    checks = checks_;
  }
  Report report;
  for (const auto& [name, check] : checks) {
    Status s = check();
    report.ready = report.ready && s.ok();
    report.checks.emplace_back(name, s.ok() ? "ok" : s.message());
  }
  return report;
}

ServiceHost::ServiceHost(std::string service, const ServiceContext& ctx,
                         const std::string& port_setting)
    : service_(std::move(service)),
      logger_(service_),
      router_(std::make_shared<http::Router>()),
      readiness_(ctx.readiness) {
  const Config& c = ctx.config;
  options_.service = service_;
  options_.bind_address = c.Get("BIND_ADDRESS");
  options_.port = static_cast<uint16_t>(c.GetInt(port_setting));
  options_.io_threads = static_cast<int>(c.GetInt("HTTP_IO_THREADS"));
  options_.workers = static_cast<int>(c.GetInt("HTTP_WORKERS"));
  options_.max_body_bytes = static_cast<size_t>(c.GetInt("HTTP_MAX_BODY_BYTES"));
  options_.read_timeout = std::chrono::milliseconds(c.GetMillis("HTTP_READ_TIMEOUT"));
  options_.write_timeout = std::chrono::milliseconds(c.GetMillis("HTTP_WRITE_TIMEOUT"));
  options_.max_connections = static_cast<size_t>(c.GetInt("HTTP_MAX_CONNECTIONS"));

  http::UseStandardMiddleware(router_.get(), logger_);
  const http::RouteOptions kInline{.inline_handler = true};
  router_->Get("/healthz", [](http::Request&) {
    return http::Response::Json(200, R"({"status":"ok"})");
  }, kInline);
  router_->Get("/metrics", [](http::Request&) {
    return http::Response::Text(200, metrics::Serialize(), "text/plain; version=0.0.4");
  }, kInline);
  // Checks may touch databases or other services, so /readyz runs on the worker pool.
  router_->Get("/readyz", [this](http::Request&) {
    auto report = readiness_->Evaluate();
    std::string body = std::string(R"({"status":")") + (report.ready ? "ready" : "not_ready") +
                       R"(","service":")" + service_ + R"(","checks":{)";
    bool first = true;
    for (const auto& [name, result] : report.checks) {
      body += first ? "\"" : ",\"";
      first = false;
      log::AppendJsonEscaped(&body, name);
      body += "\":\"";
      log::AppendJsonEscaped(&body, result);
      body += '"';
    }
    body += "}}";
    return http::Response::Json(report.ready ? 200 : 503, std::move(body));
  });
}

Status ServiceHost::Start() {
  server_ = std::make_unique<http::Server>(options_, router_);
  return server_->Start();
}

void ServiceHost::Stop(std::chrono::milliseconds grace) {
  if (server_) {
    server_->Stop(grace);
    logger_.Info("stopped");
  }
}

void RegisterRuntimeSettings(ConfigSchema* s) {
  const std::string o = "common";
  s->Add({"LOG_LEVEL", "info", "Minimum log level: trace, debug, info, warn, error.",
          validate::OneOf({"trace", "debug", "info", "warn", "error"}), false, o});
  s->Add({"DATA_DIR", "./data", "Folder for all persistent data (SQLite files, instance data).",
          validate::NonEmpty(), false, o});
  s->Add({"BIND_ADDRESS", "127.0.0.1",
          "Address every HTTP and RESP listener binds to (0.0.0.0 in containers).",
          validate::NonEmpty(), false, o});
  s->Add({"SHUTDOWN_GRACE", "10s",
          "How long SIGTERM waits for in-flight requests before closing connections.",
          validate::Duration(), false, o});
  s->Add({"HTTP_MAX_BODY_BYTES", "1048576", "Largest accepted HTTP request body (413 above).",
          validate::IntRange(1024, 512LL << 20), false, o});
  s->Add({"HTTP_READ_TIMEOUT", "15s",
          "A whole HTTP request must arrive within this; idle keep-alive connections close after it.",
          validate::Duration(), false, o});
  s->Add({"HTTP_WRITE_TIMEOUT", "30s", "Deadline for writing one HTTP response.",
          validate::Duration(), false, o});
  s->Add({"HTTP_IO_THREADS", "1", "I/O threads per HTTP listener.", validate::IntRange(1, 64),
          false, o});
  s->Add({"HTTP_WORKERS", "8", "Worker threads per service for handlers that may block.",
          validate::IntRange(1, 1024), false, o});
  s->Add({"HTTP_MAX_CONNECTIONS", "10000", "Open HTTP connections per listener before refusing.",
          validate::IntRange(1, 1000000), false, o});
  s->Add({"INTERNAL_TOKEN", "",
          "Service-to-service bearer token; generated at start when empty in the all-in-one.",
          nullptr, true, o});
  s->Add({"NODE_MANAGER_URLS", "http://127.0.0.1:7000",
          "Comma-separated node-manager base URLs (backend places instances, monitoring polls). "
          "Unset in a process that runs node-manager too: its own NODE_MANAGER_PORT.",
          validate::NonEmpty(), false, o});
}

}  // namespace mr::services
