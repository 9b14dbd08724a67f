#include "services/backend/instance_request.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace mr::services::backend {
namespace {

using Kind = BodyField::Kind;

constexpr std::array<std::string_view, 8> kPolicies = {
    "noeviction",   "allkeys-lru",    "allkeys-lfu",     "allkeys-random",
    "volatile-lru", "volatile-lfu",   "volatile-random", "volatile-ttl"};
constexpr std::array<std::string_view, 4> kPersistence = {"aof-everysec", "aof-always",
                                                          "snapshot", "none"};
constexpr size_t kMaxNameBytes = 64;
constexpr std::string_view kIdPrefix = "db-";
constexpr size_t kIdRandomChars = 12;

std::vector<BodyField> InstanceBodyFields(bool create, int64_t max_memory_mb) {
  return {{.name = "name", .required = create, .max_bytes = kMaxNameBytes},
          {.name = "memory_limit_mb", .kind = Kind::kInt, .required = create, .min = 1,
           .max = max_memory_mb},
          {.name = "eviction_policy", .required = false, .max_bytes = 32},
          {.name = "persistence", .required = false, .max_bytes = 32}};
}

std::optional<ApiError> ParseInstance(std::string_view body, bool create, int64_t max_memory_mb,
                                      InstanceFields* out) {
  BodyValues v;
  if (auto e = ParseBody(body, InstanceBodyFields(create, max_memory_mb), &v)) {
    return e;
  }
  if (v.empty()) {
    return ApiError{400, "empty_update", "give at least one of name, memory_limit_mb, "
                                         "eviction_policy, persistence"};
  }
  InstanceFields f;
  if (v.count("name")) {
    if (!IsValidName(v["name"].text)) {
      return ApiError{400, "invalid_name",
                      "name must be 1-64 letters, digits, spaces, '-', '_' or '.', not starting "
                      "or ending with a space"};
    }
    f.name = v["name"].text;
  }
  if (v.count("memory_limit_mb")) {
    f.memory_limit_mb = v["memory_limit_mb"].integer;
  }
  if (v.count("eviction_policy")) {
    if (!IsEvictionPolicy(v["eviction_policy"].text)) {
      return ApiError{400, "invalid_eviction_policy",
                      "eviction_policy must be one of noeviction, allkeys-lru, allkeys-lfu, "
                      "allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl"};
    }
    f.eviction_policy = v["eviction_policy"].text;
  } else if (create) {
    f.eviction_policy = "noeviction";
  }
  if (v.count("persistence")) {
    if (!IsPersistenceMode(v["persistence"].text)) {
      return ApiError{400, "invalid_persistence",
                      "persistence must be one of aof-everysec, aof-always, snapshot, none"};
    }
    f.persistence = v["persistence"].text;
  } else if (create) {
    f.persistence = "aof-everysec";
  }
  *out = std::move(f);
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> ParseCreateInstance(std::string_view body, int64_t max_memory_mb,
                                            InstanceFields* out) {
  return ParseInstance(body, true, max_memory_mb, out);
}

std::optional<ApiError> ParseUpdateInstance(std::string_view body, int64_t max_memory_mb,
                                            InstanceFields* out) {
  return ParseInstance(body, false, max_memory_mb, out);
}

std::optional<ApiError> ParseApiKeyName(std::string_view body, std::string* name) {
  BodyValues v;
  if (auto e = ParseBody(body, {{.name = "name", .max_bytes = kMaxNameBytes}}, &v)) {
    return e;
  }
  if (!IsValidName(v["name"].text)) {
    return ApiError{400, "invalid_name",
                    "name must be 1-64 letters, digits, spaces, '-', '_' or '.', not starting or "
                    "ending with a space"};
  }
  *name = v["name"].text;
  return std::nullopt;
}

std::optional<ApiError> ParseCommand(std::string_view body, std::vector<std::string>* args) {
  BodyValues v;
  // Arguments may be up to the body limit: the HTTP layer bounds the whole request.
  if (auto e = ParseBody(body,
                         {{.name = "command", .kind = Kind::kStringArray,
                           .max_bytes = 512u << 20, .min = 1, .max = 100000}},
                         &v)) {
    return e;
  }
  if (v["command"].list.front().empty()) {
    return ApiError{400, "invalid_command", "command name must not be empty"};
  }
  *args = std::move(v["command"].list);
  return std::nullopt;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.front() == ' ' || name.back() == ' ') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '_' ||
           c == '.';
  });
}

bool IsValidInstanceId(std::string_view id) {
  if (id.size() != kIdPrefix.size() + kIdRandomChars || !id.starts_with(kIdPrefix)) {
    return false;
  }
  return std::all_of(id.begin() + kIdPrefix.size(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

std::string NewInstanceId() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(kIdPrefix);
  for (size_t i = 0; i < kIdRandomChars; ++i) {
    id += kAlphabet[randombytes_uniform(kAlphabet.size())];
  }
  return id;
}

bool IsEvictionPolicy(std::string_view policy) {
  return std::find(kPolicies.begin(), kPolicies.end(), policy) != kPolicies.end();
}

bool IsPersistenceMode(std::string_view mode) {
  return std::find(kPersistence.begin(), kPersistence.end(), mode) != kPersistence.end();
}

}  // namespace mr::services::backend
