#include "services/monitoring_service/node_stats.h"

#include <boost/json.hpp>
#include <cmath>

namespace mr::services::monitoring {
namespace json = boost::json;

namespace {

std::optional<uint64_t> Unsigned(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_uint64()) {
    return v->as_uint64();
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    return static_cast<uint64_t>(v->as_int64());
  }
  if (v->is_double()) {
    double d = v->as_double();
    // 1.8e19 is just below 2^64: larger values do not fit and are treated as unknown.
    if (std::isfinite(d) && d >= 0 && d < 1.8e19) {
      return static_cast<uint64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<double> NonNegative(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) {
    return std::nullopt;
  }
  double d = v->to_number<double>();
  if (!std::isfinite(d) || d < 0) {
    return std::nullopt;
  }
  return d;
}

}  // namespace

bool ValidInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

Result<NodeStats> ParseNodeStats(std::string_view body) {
  if (body.size() > kMaxStatsBodyBytes) {
    return Status::Error("stats body of " + std::to_string(body.size()) + " bytes is too large");
  }
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec) {
    return Status::Error("stats body is not JSON: " + ec.message());
  }
  const json::object* top = root.if_object();
  const json::value* list = top ? top->if_contains("instances") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return Status::Error(R"(stats body is not {"instances":[...]})");
  }
  NodeStats out;
  out.instances.reserve(list->as_array().size());
  for (const json::value& entry : list->as_array()) {
    const json::object* o = entry.if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string() || !ValidInstanceId(id->as_string())) {
      ++out.skipped;
      continue;
    }
    InstanceCounters c;
    c.id = std::string(id->as_string());
    const json::value* status = o->if_contains("status");
    c.running = !(status && status->is_string() && status->as_string() == "stopped");
    c.used_memory = Unsigned(*o, "used_memory");
    c.maxmemory = Unsigned(*o, "maxmemory");
    c.keys = Unsigned(*o, "keys");
    c.connected_clients = Unsigned(*o, "connected_clients");
    c.latency_p50_us = NonNegative(*o, "latency_p50_us");
    c.latency_p99_us = NonNegative(*o, "latency_p99_us");
    c.total_commands = Unsigned(*o, "total_commands");
    c.keyspace_hits = Unsigned(*o, "keyspace_hits");
    c.keyspace_misses = Unsigned(*o, "keyspace_misses");
    c.evicted_keys = Unsigned(*o, "evicted_keys");
    c.expired_keys = Unsigned(*o, "expired_keys");
    out.instances.push_back(std::move(c));
  }
  return out;
}

}  // namespace mr::services::monitoring
