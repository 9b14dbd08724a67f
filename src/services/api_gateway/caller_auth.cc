#include "services/api_gateway/caller_auth.h"

#include <strings.h>

#include <boost/json.hpp>

#include "security/opaque_token.h"
#include "services/runtime/api_support.h"

namespace mr::services::gateway {
namespace json = boost::json;
namespace {

bool ReadId(const json::object& o, std::string_view key, int64_t* out) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() && ParseInt64(v->as_string(), out) && *out > 0;
}

}  // namespace

CallerAuth::Outcome CallerAuth::Authenticate(const http::Request& req, Caller* out) {
  std::string header = req.Header("Authorization");
  if (header.empty()) {
    return Outcome::kMissing;
  }
  if (header.size() < 8 || strncasecmp(header.c_str(), "Bearer ", 7) != 0) {
    return Outcome::kInvalid;
  }
  std::string token = header.substr(7);
  if (token.starts_with(security::kApiKeyPrefix)) {
    return ResolveKey(token, out);
  }
  security::TokenCheck check = jwks_->Verify(token);
  if (check.error == security::TokenError::kUnknownKey && jwks_->keys_unavailable()) {
    return Outcome::kUnavailable;  // auth-service's keys cannot be fetched: not the caller's fault
  }
  Caller c;
  if (!check.ok() || !ParseInt64(check.claims.sub, &c.user_id) || c.user_id <= 0) {
    return Outcome::kInvalid;
  }
  *out = c;
  return Outcome::kOk;
}

CallerAuth::Outcome CallerAuth::ResolveKey(const std::string& key, Caller* out) {
  if (!security::LooksLikeOpaqueSecret(key, security::OpaqueKind::kApiKey)) {
    return Outcome::kInvalid;
  }
  std::string hash = security::HashOpaqueSecret(key);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(hash);
    if (it != keys_.end() && it->second.expires > now) {
      if (!it->second.valid) {
        return Outcome::kInvalid;
      }
      *out = it->second.caller;
      return Outcome::kOk;
    }
  }
  http::ClientRequest req;
  req.method = "POST";
  req.url = backend_url_ + "/internal/v1/api-keys/resolve";
  req.headers["Authorization"] = "Bearer " + token_;
  req.headers["Content-Type"] = "application/json";
  req.body = json::serialize(json::object{{"key", key}});
  req.timeout = std::chrono::seconds(3);
  auto resp = pool_->Send(req);
  if (!resp.ok() || (resp->status != 200 && resp->status != 404)) {
    return Outcome::kUnavailable;
  }
  CachedKey entry;
  entry.expires = now + key_ttl_;
  if (resp->status == 200) {
    boost::system::error_code ec;
    json::value v = json::parse(resp->body, ec);
    int64_t key_id = 0;
    if (ec || !v.is_object() || !ReadId(v.as_object(), "user_id", &entry.caller.user_id) ||
        !ReadId(v.as_object(), "api_key_id", &key_id)) {
      return Outcome::kUnavailable;
    }
    entry.caller.api_key_id = key_id;
    entry.valid = true;
  }
  {
    std::lock_guard lock(mu_);
    if (keys_.size() >= kMaxCachedKeys) {
      keys_.clear();
    }
    keys_[hash] = entry;
  }
  if (!entry.valid) {
    return Outcome::kInvalid;
  }
  *out = entry.caller;
  return Outcome::kOk;
}

}  // namespace mr::services::gateway
