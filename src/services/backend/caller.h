// Who is calling the backend: an access token (JWT, verified locally), an API key (looked up by
// hash), or api-gateway vouching for a user with the internal token. Pure of HTTP routing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "security/jwt.h"
#include "services/backend/api_keys.h"

namespace mr::services::backend {

struct Caller {
  int64_t user_id = 0;
  std::optional<int64_t> api_key_id;  // set when the caller used an API key
};

class Authenticator {
 public:
  using VerifyJwt = std::function<security::TokenCheck(std::string_view token)>;
  /// `keys_unavailable`: true while the verification keys cannot be fetched (then an unknown
  /// key id is a 503, not a 401).
  Authenticator(VerifyJwt verify_jwt, std::function<bool()> keys_unavailable, ApiKeys* keys,
                std::string internal_token)
      : verify_jwt_(std::move(verify_jwt)),
        keys_unavailable_(std::move(keys_unavailable)),
        keys_(keys),
        internal_token_(std::move(internal_token)) {}

  enum class Outcome { kOk, kInvalid, kUnavailable };
  Outcome Authenticate(const http::Request& req, Caller* out) const;

  /// `Authorization: Bearer <INTERNAL_TOKEN>` (internal routes).
  bool IsInternal(const http::Request& req) const;

 private:
  bool HasInternalToken(std::string_view presented) const;

  VerifyJwt verify_jwt_;
  std::function<bool()> keys_unavailable_;
  ApiKeys* keys_;
  std::string internal_token_;
};

}  // namespace mr::services::backend
