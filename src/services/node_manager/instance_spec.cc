#include "services/node_manager/instance_spec.h"

#include <algorithm>
#include <boost/json.hpp>

namespace mr::services {
namespace json = boost::json;

namespace {

const char* const kPolicies[] = {"noeviction",     "allkeys-lru",     "allkeys-lfu",
                                 "allkeys-random", "volatile-lru",    "volatile-lfu",
                                 "volatile-random", "volatile-ttl"};

SpecError Bad(std::string field, std::string what) {
  return {400, "invalid_" + field, field + " " + what};
}

std::optional<SpecError> ReadInt(const json::value& v, const char* field, int64_t min, int64_t max,
                                 int64_t* out) {
  if (!v.is_int64() && !v.is_uint64()) {
    return Bad(field, "must be an integer");
  }
  if (v.is_uint64() && v.as_uint64() > static_cast<uint64_t>(max)) {
    return Bad(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  int64_t n = v.is_int64() ? v.as_int64() : static_cast<int64_t>(v.as_uint64());
  if (n < min || n > max) {
    return Bad(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  *out = n;
  return std::nullopt;
}

std::optional<SpecError> ApplyField(const std::string& key, const json::value& v,
                                    const SpecLimits& limits, InstanceSpec* spec) {
  if (key == "memory_limit_mb") {
    return ReadInt(v, "memory_limit_mb", 1, limits.max_memory_mb, &spec->memory_limit_mb);
  }
  if (key == "eviction_policy") {
    if (!v.is_string() || std::find(std::begin(kPolicies), std::end(kPolicies),
                                    std::string_view(v.as_string())) == std::end(kPolicies)) {
      return Bad(key, "must be one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, "
                      "volatile-lru, volatile-lfu, volatile-random, volatile-ttl");
    }
    spec->eviction_policy = v.as_string();
    return std::nullopt;
  }
  if (key == "password") {
    if (!v.is_string() || v.as_string().empty() ||
        static_cast<int64_t>(v.as_string().size()) > limits.max_password_len) {
      return Bad(key, "must be a string of 1 to " + std::to_string(limits.max_password_len) +
                          " characters");
    }
    std::string_view pw = v.as_string();
    if (std::any_of(pw.begin(), pw.end(), [](char c) { return c == ' ' || c < 0x21 || c == 0x7f; })) {
      return Bad(key, "must not contain spaces or control characters");
    }
    spec->password = pw;
    return std::nullopt;
  }
  if (key == "persistence") {
    if (!v.is_string() || !ParsePersistence(v.as_string(), &spec->persistence)) {
      return Bad(key, "must be one of aof-everysec, aof-always, snapshot, none");
    }
    return std::nullopt;
  }
  if (key == "dedicated_port") {
    if (!v.is_bool()) {
      return Bad(key, "must be true or false");
    }
    spec->dedicated_port = v.as_bool();
    return std::nullopt;
  }
  if (key == "port") {
    int64_t p = 0;
    if (auto e = ReadInt(v, "port", 1, 65535, &p)) {
      return e;
    }
    spec->port = static_cast<uint16_t>(p);
    return std::nullopt;
  }
  if (key == "max_clients") {
    return ReadInt(v, "max_clients", 1, 100000, &spec->max_clients);
  }
  if (key == "max_ops_per_sec") {
    return ReadInt(v, "max_ops_per_sec", 0, 100000000, &spec->max_ops_per_sec);
  }
  return SpecError{400, "unknown_field", "unknown field '" + key + "'"};
}

}  // namespace

std::string_view PersistenceName(Persistence p) {
  switch (p) {
    case Persistence::kAofEverysec: return "aof-everysec";
    case Persistence::kAofAlways: return "aof-always";
    case Persistence::kSnapshot: return "snapshot";
    case Persistence::kNone: return "none";
  }
  return "none";
}

bool ParsePersistence(std::string_view name, Persistence* out) {
  for (auto p : {Persistence::kAofEverysec, Persistence::kAofAlways, Persistence::kSnapshot,
                 Persistence::kNone}) {
    if (PersistenceName(p) == name) {
      *out = p;
      return true;
    }
  }
  return false;
}

bool IsValidInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] == '-') {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<SpecError> ParseInstanceSpec(std::string_view body, const SpecLimits& limits,
                                           InstanceSpec* out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) {
    return SpecError{400, "invalid_json", "request body is not valid JSON: " + ec.message()};
  }
  if (!doc.is_object()) {
    return SpecError{400, "invalid_json", "request body must be a JSON object"};
  }
  InstanceSpec spec;
  for (const auto& kv : doc.as_object()) {
    if (auto err = ApplyField(std::string(kv.key()), kv.value(), limits, &spec)) {
      return err;
    }
  }
  for (const char* required : {"memory_limit_mb", "password"}) {
    if (!doc.as_object().contains(required)) {
      return SpecError{400, "missing_field", std::string("field '") + required + "' is required"};
    }
  }
  if (spec.port && !spec.dedicated_port) {
    return SpecError{400, "invalid_port", "port cannot be set when dedicated_port is false"};
  }
  *out = std::move(spec);
  return std::nullopt;
}

}  // namespace mr::services
