// Opaque bearer secrets: refresh tokens (mr_rt_...) and API keys (mr_live_...). 256 random bits,
// base64url, shown to the user once; only their SHA-256 is stored and looked up.
#pragma once

#include <string>
#include <string_view>

namespace mr::security {

enum class OpaqueKind { kRefreshToken, kApiKey };

inline constexpr std::string_view kRefreshTokenPrefix = "mr_rt_";
inline constexpr std::string_view kApiKeyPrefix = "mr_live_";
/// Characters of an API key's secret part shown in the console after the prefix.
inline constexpr size_t kApiKeyVisibleChars = 8;

struct IssuedSecret {
  std::string secret;          ///< give to the client once; never store or log it
  std::string hash;            ///< store this: hex SHA-256 of `secret`, the lookup key
  std::string visible_prefix;  ///< safe to store and show, e.g. "mr_live_AbC4-xYz"
};

/// A new secret of `kind`: prefix + 43 base64url characters (32 random bytes).
IssuedSecret NewOpaqueSecret(OpaqueKind kind);

/// Cheap shape check before any lookup: right prefix, length and alphabet.
bool LooksLikeOpaqueSecret(std::string_view secret, OpaqueKind kind);

/// Hex SHA-256 of `secret` (64 characters): the form stored and indexed.
std::string HashOpaqueSecret(std::string_view secret);

/// True when `secret` hashes to `stored_hash`, compared in constant time.
bool OpaqueSecretMatches(std::string_view secret, std::string_view stored_hash);

}  // namespace mr::security
