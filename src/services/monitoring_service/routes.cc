#include "services/monitoring_service/routes.h"

#include <array>
#include <charconv>
#include <cmath>

#include "common/log.h"
#include "services/runtime/service_token.h"

namespace mr::services::monitoring {
namespace {

constexpr std::array<WindowSpec, 3> kWindows = {{
    {"15m", Resolution::kSecond, kSecondPoints},
    {"1h", Resolution::kMinute, 60},
    {"24h", Resolution::kMinute, kMinutePoints},
}};

// Integers print as integers; other values with 7 significant digits (more than the compact
// columns hold), never as NaN: a missing value is null.
void AppendNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  std::to_chars_result r;
  if (v == std::trunc(v) && std::fabs(v) < 9e15) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 7);
  }
  out->append(buf, r.ptr);
}

void AppendString(std::string* out, std::string_view s) {
  out->push_back('"');
  log::AppendJsonEscaped(out, s);
  out->push_back('"');
}

void AppendKey(std::string* out, std::string_view key) {
  AppendString(out, key);
  out->push_back(':');
}

http::Response MetricsRoute(const SeriesStore& store, const Poller& poller, http::Request& req) {
  auto it = req.query.find("window");
  std::string_view name = it == req.query.end() ? "15m" : std::string_view(it->second);
  auto window = FindWindow(name);
  if (!window) {
    return http::JsonError(400, "invalid_window",
                           "window must be one of 15m (1 s points), 1h or 24h (1 min points)",
                           req.request_id);
  }
  const std::string id = req.Param("id");
  const int64_t now = WallMs();
  auto view = store.Read(id, window->resolution, now, window->points);
  if (!view) {
    return http::JsonError(404, "not_found",
                           "no metrics for instance '" + id + "' (unknown, or not seen for 24 h)",
                           req.request_id);
  }
  return http::Response::Json(
      200, InstanceMetricsJson(id, *window, *view, poller.url(view->source),
                               poller.NextSampleInMs(view->source, now)));
}

http::Response NodeManagersRoute(const Poller& poller) {
  const int64_t now = WallMs();
  std::string body = R"({"node_managers":[)";
  bool first = true;
  for (const NodeManagerStatus& s : poller.Status()) {
    body += first ? "{" : ",{";
    first = false;
    AppendKey(&body, "url");
    AppendString(&body, s.url);
    body += ",";
    AppendKey(&body, "last_success_ms");
    AppendNumber(&body, s.last_success_ms ? static_cast<double>(s.last_success_ms) : kNoValue);
    body += ",";
    AppendKey(&body, "age_seconds");
    AppendNumber(&body, s.last_success_ms
                            ? static_cast<double>(std::max<int64_t>(0, now - s.last_success_ms)) /
                                  1000.0
                            : kNoValue);
    body += ",";
    AppendKey(&body, "scrapes");
    AppendNumber(&body, static_cast<double>(s.scrapes));
    body += ",";
    AppendKey(&body, "errors");
    AppendNumber(&body, static_cast<double>(s.errors));
    body += ",";
    AppendKey(&body, "last_error");
    if (s.last_error.empty()) {
      body += "null";
    } else {
      AppendString(&body, s.last_error);
    }
    body += ",";
    AppendKey(&body, "instances");
    AppendNumber(&body, static_cast<double>(s.instances));
    body += ",";
    AppendKey(&body, "untracked_instances");
    AppendNumber(&body, static_cast<double>(s.untracked));
    body += "}";
  }
  body += "]}";
  return http::Response::Json(200, std::move(body));
}

}  // namespace

std::optional<WindowSpec> FindWindow(std::string_view name) {
  for (const WindowSpec& w : kWindows) {
    if (w.name == name) {
      return w;
    }
  }
  return std::nullopt;
}

std::string InstanceMetricsJson(const std::string& id, const WindowSpec& window,
                                const InstanceView& view, const std::string& node_manager,
                                int64_t next_sample_in_ms) {
  const Window& w = view.window;
  std::string body;
  body.reserve(64 + w.timestamps_ms.size() * (14 + kFieldCount * 8));
  body += "{";
  AppendKey(&body, "instance_id");
  AppendString(&body, id);
  body += ",";
  AppendKey(&body, "window");
  AppendString(&body, window.name);
  body += ",";
  AppendKey(&body, "resolution_seconds");
  AppendNumber(&body, static_cast<double>(w.step_ms / 1000));
  body += ",";
  AppendKey(&body, "timestamps");
  body += "[";
  for (size_t i = 0; i < w.timestamps_ms.size(); ++i) {
    if (i > 0) {
      body += ",";
    }
    AppendNumber(&body, static_cast<double>(w.timestamps_ms[i]));
  }
  body += "],";
  AppendKey(&body, "series");
  body += "{";
  for (size_t f = 0; f < kFieldCount; ++f) {
    if (f > 0) {
      body += ",";
    }
    AppendKey(&body, kFieldNames[f]);
    body += "[";
    for (size_t i = 0; i < w.columns[f].size(); ++i) {
      if (i > 0) {
        body += ",";
      }
      AppendNumber(&body, w.columns[f][i]);
    }
    body += "]";
  }
  body += "},";
  AppendKey(&body, "latest");
  body += "{";
  AppendKey(&body, "timestamp_ms");
  AppendNumber(&body, static_cast<double>(view.latest.time_ms));
  body += ",";
  AppendKey(&body, "status");
  AppendString(&body, view.latest.running ? "running" : "stopped");
  for (size_t f = 0; f < kFieldCount; ++f) {
    body += ",";
    AppendKey(&body, kFieldNames[f]);
    AppendNumber(&body, view.latest.point[f]);
  }
  body += "},";
  AppendKey(&body, "node_manager");
  AppendString(&body, node_manager);
  body += ",";
  AppendKey(&body, "next_sample_in_ms");
  AppendNumber(&body, static_cast<double>(next_sample_in_ms));
  body += "}";
  return body;
}

void AddMonitoringRoutes(http::Router* router, std::shared_ptr<SeriesStore> store,
                         std::shared_ptr<Poller> poller, std::string token) {
  router->Use(RequireServiceToken(token));
  router->Get("/v1/instances/{id}/metrics", [store, poller](http::Request& req) {
    return MetricsRoute(*store, *poller, req);
  });
  router->Get("/v1/node-managers",
              [poller](http::Request&) { return NodeManagersRoute(*poller); });
}

}  // namespace mr::services::monitoring
