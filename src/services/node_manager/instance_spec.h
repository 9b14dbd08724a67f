// What node-manager is asked to run: an instance's spec as the lifecycle API receives it (parsed
// and validated from JSON), and the record it keeps on disk (spec + port + state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/instance_password.h"

namespace mr::services {

enum class Persistence { kAofEverysec, kAofAlways, kSnapshot, kNone };
std::string_view PersistenceName(Persistence p);
bool ParsePersistence(std::string_view name, Persistence* out);

struct SpecLimits {
  int64_t max_memory_mb = 65536;
  int64_t max_password_len = 512;
};

struct InstanceSpec {
  int64_t memory_limit_mb = 0;
  std::string eviction_policy = "noeviction";
  std::string password;  // plaintext only in the request; stored as a salted hash
  Persistence persistence = Persistence::kAofEverysec;
  bool dedicated_port = true;
  std::optional<uint16_t> port;  // a specific pool port, when the caller asks for one
  int64_t max_clients = 10000;
  int64_t max_ops_per_sec = 0;  // 0: unlimited
};

/// A validation failure: the HTTP status and a machine-readable code for the JSON error body.
struct SpecError {
  int status = 400;
  std::string code;
  std::string message;
};

/// Instance ids are 1-64 characters of [a-z0-9-], starting with a letter or digit (they appear in
/// file paths, URLs and `AUTH <id> <password>`).
bool IsValidInstanceId(std::string_view id);

/// Parses a PUT body. Unknown fields, wrong types and out-of-range values are errors that name the
/// field; nothing is applied when any field is wrong.
std::optional<SpecError> ParseInstanceSpec(std::string_view body, const SpecLimits& limits,
                                           InstanceSpec* out);

}  // namespace mr::services
