// SHA-1 (FIPS 180-4) as Redis uses it to name scripts: 40 lowercase hex digits of the body.
#pragma once

#include <string>
#include <string_view>

namespace mr::engine {

/// Lowercase hex SHA-1 of `data` (what SCRIPT LOAD returns and redis.sha1hex computes).
std::string Sha1Hex(std::string_view data);

}  // namespace mr::engine
