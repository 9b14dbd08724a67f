// Small pieces every service's JSON API shares: the standard refusals, RFC 3339 times, the
// caller's address behind a trusted proxy, and strict integer ids.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"
#include "services/runtime/request_body.h"

namespace mr::services {

int64_t NowMs();

/// 503 with Retry-After: 1 (a dependency is down or saturated; retrying soon is right).
http::Response Unavailable(const http::Request& req, std::string_view message);
/// The JSON error for a refused request body.
http::Response FromApiError(const http::Request& req, const ApiError& e);

/// "2026-11-26T14:02:11.482Z" (UTC, milliseconds).
std::string Rfc3339(int64_t unix_ms);

/// The client's address: with `trust_forwarded_for` (only behind our own gateway) the last
/// X-Forwarded-For entry, which the gateway appended; earlier entries are the client's word.
std::string ClientAddress(const http::Request& req, bool trust_forwarded_for);

/// A whole decimal int64 (no sign, spaces or junk) into *out.
bool ParseInt64(std::string_view text, int64_t* out);

}  // namespace mr::services
