#include "services/runtime/remote_jwks.h"

#include <utility>

#include "security/jwks.h"

namespace mr::services {
namespace {

bool SameKeys(const security::VerificationKeys& a, const security::VerificationKeys& b) {
  if (a.keys().size() != b.keys().size()) {
    return false;
  }
  for (const auto& k : a.keys()) {
    const security::VerificationKey* other = b.Find(k.kid);
    if (other == nullptr || other->public_key != k.public_key) {
      return false;
    }
  }
  return true;
}

}  // namespace

RemoteJwks::RemoteJwks(http::ClientPool* pool, std::string jwks_url, security::JwtRules rules,
                       std::chrono::milliseconds min_refetch)
    : pool_(pool),
      url_(std::move(jwks_url)),
      rules_(std::move(rules)),
      min_refetch_(min_refetch),
      // An empty key set answers kUnknownKey for every well-formed token, which is exactly the
      // "fetch, then verify again" case; malformed tokens are refused without a fetch.
      verifier_(std::make_shared<const security::JwtVerifier>(security::VerificationKeys{},
                                                              rules_)) {}

RemoteJwks::Snapshot RemoteJwks::Current() const {
  std::lock_guard lock(mu_);
  return {verifier_, completed_};
}

bool RemoteJwks::keys_unavailable() const {
  std::lock_guard lock(mu_);
  return !last_status_.ok();
}

bool RemoteJwks::has_keys() const {
  std::lock_guard lock(mu_);
  return has_keys_;
}

security::TokenCheck RemoteJwks::Verify(std::string_view token) {
  Snapshot before = Current();
  security::TokenCheck check = before.verifier->Verify(token);
  if (check.error != security::TokenError::kUnknownKey) {
    return check;
  }
  // A failed or rate-limited fetch leaves the keys as they were: the token fails as unknown-key.
  (void)Fetch(before.generation, /*rate_limited=*/true);
  Snapshot after = Current();
  return after.verifier == before.verifier ? check : after.verifier->Verify(token);
}

Status RemoteJwks::Refresh() { return Fetch(Current().generation, /*rate_limited=*/false); }

Status RemoteJwks::Fetch(uint64_t seen, bool rate_limited) {
  std::unique_lock lock(mu_);
  fetch_done_.wait(lock, [&] { return !fetching_ || completed_ != seen; });
  if (completed_ != seen) {
    return last_status_;  // keys fetched after the caller looked: try those first
  }
  if (rate_limited && last_done_ && std::chrono::steady_clock::now() - *last_done_ < min_refetch_) {
    return Status::Error("JWKS " + url_ + " was fetched less than " +
                         std::to_string(min_refetch_.count()) + " ms ago");
  }
  fetching_ = true;
  lock.unlock();

  fetches_.fetch_add(1);
  Result<security::VerificationKeys> keys = Download();
  std::shared_ptr<const security::JwtVerifier> fresh;
  if (keys.ok()) {
    fresh = std::make_shared<const security::JwtVerifier>(std::move(keys).value(), rules_);
  }

  lock.lock();
  // The same keys again keep the current verifier, and with it its cache of verified tokens.
  if (fresh && !SameKeys(fresh->keys(), verifier_->keys())) {
    verifier_ = std::move(fresh);
  }
  has_keys_ = has_keys_ || keys.ok();
  last_status_ = keys.status();
  last_done_ = std::chrono::steady_clock::now();
  fetching_ = false;
  ++completed_;
  fetch_done_.notify_all();
  return last_status_;
}

Result<security::VerificationKeys> RemoteJwks::Download() {
  http::ClientRequest request;
  request.url = url_;
  request.headers = {{"Accept", "application/json"}};
  request.timeout = kFetchTimeout;
  Result<http::ClientResponse> response = pool_->Send(request);
  if (!response.ok()) {
    return Status::Error("JWKS " + url_ + ": " + response.error());
  }
  if (response->status != 200) {
    return Status::Error("JWKS " + url_ + ": HTTP " + std::to_string(response->status));
  }
  if (response->body.size() > security::kMaxJwksBytes) {
    return Status::Error("JWKS " + url_ + ": larger than " +
                         std::to_string(security::kMaxJwksBytes) + " bytes");
  }
  Result<security::VerificationKeys> keys = security::ParseJwks(response->body);
  if (!keys.ok()) {
    return Status::Error("JWKS " + url_ + ": " + keys.error());
  }
  return keys;
}

}  // namespace mr::services
