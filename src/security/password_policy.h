// The minimum strength rule for account passwords, checked at registration and password change.
// It answers with a message the console can show as is; it never echoes the password.
#pragma once

#include <string_view>

#include "common/status.h"

namespace mr::security {

inline constexpr size_t kMinPasswordCodePoints = 10;
inline constexpr size_t kMaxPasswordBytes = 256;
/// Below this length a password must mix character classes (lower, upper, digit, other).
inline constexpr size_t kMixedClassesBelowCodePoints = 16;

/// OK, or an error whose message tells the user what to change. `email` may be empty.
Status CheckPasswordStrength(std::string_view password, std::string_view email);

}  // namespace mr::security
