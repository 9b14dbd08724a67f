#include "services/backend/caller.h"

#include <strings.h>

#include "security/instance_password.h"
#include "security/opaque_token.h"
#include "services/runtime/api_support.h"

namespace mr::services::backend {
namespace {

std::string_view BearerToken(const http::Request& req, std::string* storage) {
  *storage = req.Header("Authorization");
  if (storage->size() < 8 || strncasecmp(storage->c_str(), "Bearer ", 7) != 0) {
    return {};
  }
  return std::string_view(*storage).substr(7);
}

}  // namespace

bool Authenticator::HasInternalToken(std::string_view presented) const {
  return !internal_token_.empty() && !presented.empty() &&
         ConstantTimeEquals(presented, internal_token_);
}

bool Authenticator::IsInternal(const http::Request& req) const {
  std::string storage;
  return HasInternalToken(BearerToken(req, &storage));
}

Authenticator::Outcome Authenticator::Authenticate(const http::Request& req, Caller* out) const {
  // api-gateway has already checked the caller; without the internal token these headers are
  // the client's word and are ignored.
  if (HasInternalToken(req.Header("X-Internal-Token"))) {
    Caller c;
    int64_t key_id = 0;
    if (!ParseInt64(req.Header("X-User-Id"), &c.user_id) || c.user_id <= 0) {
      return Outcome::kInvalid;
    }
    std::string key = req.Header("X-Api-Key-Id");
    if (!key.empty()) {
      if (!ParseInt64(key, &key_id)) {
        return Outcome::kInvalid;
      }
      c.api_key_id = key_id;
    }
    *out = c;
    return Outcome::kOk;
  }
  std::string storage;
  std::string_view token = BearerToken(req, &storage);
  if (token.empty()) {
    return Outcome::kInvalid;
  }
  if (token.starts_with(security::kApiKeyPrefix)) {
    auto owner = keys_->Resolve(std::string(token), NowMs());
    if (!owner.ok()) {
      return Outcome::kUnavailable;  // a database problem is not the caller's fault
    }
    if (!owner->has_value()) {
      return Outcome::kInvalid;
    }
    *out = Caller{(*owner)->user_id, (*owner)->api_key_id};
    return Outcome::kOk;
  }
  security::TokenCheck check = verify_jwt_(token);
  if (check.error == security::TokenError::kUnknownKey && keys_unavailable_ &&
      keys_unavailable_()) {
    return Outcome::kUnavailable;  // auth-service's keys cannot be fetched: retry, not 401
  }
  Caller c;
  if (!check.ok() || !ParseInt64(check.claims.sub, &c.user_id) || c.user_id <= 0) {
    return Outcome::kInvalid;
  }
  *out = c;
  return Outcome::kOk;
}

}  // namespace mr::services::backend
