// What users may ask of an instance, parsed strictly from request bodies: names, memory limits,
// eviction policies and persistence modes, with the defaults the API documents. Pure logic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/runtime/request_body.h"

namespace mr::services::backend {

/// The user-settable part of an instance. For updates, absent fields are nullopt.
struct InstanceFields {
  std::optional<std::string> name;
  std::optional<int64_t> memory_limit_mb;
  std::optional<std::string> eviction_policy;
  std::optional<std::string> persistence;
};

/// POST /instances: name and memory_limit_mb required; the rest defaulted (noeviction,
/// aof-everysec).
std::optional<ApiError> ParseCreateInstance(std::string_view body, int64_t max_memory_mb,
                                            InstanceFields* out);
/// PATCH /instances/{id}: any non-empty subset of the fields.
std::optional<ApiError> ParseUpdateInstance(std::string_view body, int64_t max_memory_mb,
                                            InstanceFields* out);

/// POST /api-keys: {"name"}.
std::optional<ApiError> ParseApiKeyName(std::string_view body, std::string* name);
/// POST /instances/{id}/command: {"command": ["SET", "k", "v"]}.
std::optional<ApiError> ParseCommand(std::string_view body, std::vector<std::string>* args);

/// 1-64 characters of letters, digits, space, '-', '_' and '.', no space at either end.
bool IsValidName(std::string_view name);
/// "db-" + 12 characters of a-z0-9: what NewInstanceId makes (anything else is a 404 at once).
bool IsValidInstanceId(std::string_view id);
std::string NewInstanceId();

bool IsEvictionPolicy(std::string_view policy);
bool IsPersistenceMode(std::string_view mode);

}  // namespace mr::services::backend
