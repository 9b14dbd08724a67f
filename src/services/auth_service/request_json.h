// Strict parsing of auth-service request bodies: a JSON object with exactly the expected string
// fields, each within its length limit; anything else is a 400 naming the field. Pure logic.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/runtime/request_body.h"

namespace mr::services::auth {

using services::ApiError;

struct FieldSpec {
  std::string name;
  size_t max_bytes = 0;
};

/// Parses `body` as an object holding exactly `fields`, each a non-empty string of at most
/// `max_bytes` bytes. Fills `out` (name -> value) only on success.
std::optional<ApiError> ParseStringFields(std::string_view body,
                                          const std::vector<FieldSpec>& fields,
                                          std::map<std::string, std::string>* out);

inline constexpr size_t kMaxEmailBytes = 254;  // RFC 5321 path limit
inline constexpr size_t kMaxRefreshTokenBytes = 128;

/// A sane subset of RFC 5322 addresses: dot-atom local part (at most 64 bytes), a domain of at
/// least two DNS labels with an alphabetic top-level label. No quoted local parts, IP literals,
/// spaces or control characters.
bool IsValidEmail(std::string_view email);

/// The stored form: ASCII lower case (addresses are treated case-insensitively as a whole).
std::string NormalizeEmail(std::string_view email);

}  // namespace mr::services::auth
