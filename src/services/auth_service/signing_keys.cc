#include "services/auth_service/signing_keys.h"

namespace mr::services::auth {

Result<std::unique_ptr<SigningKeys>> SigningKeys::Load(Options options, int64_t now) {
  auto ring = security::KeyRing::LoadOrCreate(options.dir, now);
  if (!ring.ok()) {
    return ring.status();
  }
  std::unique_ptr<SigningKeys> keys(new SigningKeys(std::move(options)));
  keys->Install(std::shared_ptr<security::KeyRing>(std::move(*ring)));
  return keys;
}

void SigningKeys::Install(std::shared_ptr<security::KeyRing> ring) {
  auto verifier = std::make_shared<const security::JwtVerifier>(ring->PublicKeys(), options_.rules);
  std::lock_guard lock(mu_);
  ring_ = std::move(ring);
  verifier_ = std::move(verifier);
}

std::shared_ptr<security::KeyRing> SigningKeys::ring() const {
  std::lock_guard lock(mu_);
  return ring_;
}

std::shared_ptr<const security::SigningKey> SigningKeys::current() const {
  return ring()->current();
}

std::shared_ptr<const security::JwtVerifier> SigningKeys::verifier() const {
  std::lock_guard lock(mu_);
  return verifier_;
}

security::VerificationKeys SigningKeys::PublicKeys() const { return ring()->PublicKeys(); }

std::vector<std::string> SigningKeys::kids() const { return ring()->kids(); }

Result<std::string> SigningKeys::Tick(int64_t now) {
  std::string changed;
  // Another replica may have rotated the shared file: sign and verify with what it holds now.
  auto fresh = security::KeyRing::LoadOrCreate(options_.dir, now);
  if (!fresh.ok()) {
    return fresh.status();
  }
  if ((*fresh)->kids() != kids()) {
    Install(std::shared_ptr<security::KeyRing>(std::move(*fresh)));
    changed = "reloaded";
  }
  if (options_.rotation_seconds <= 0) {
    return changed;
  }
  std::shared_ptr<security::KeyRing> ring = this->ring();
  bool modified = false;
  if (now - ring->current()->created_at() >= options_.rotation_seconds) {
    auto kid = ring->Rotate(now);
    if (!kid.ok()) {
      return kid.status();
    }
    modified = true;
    changed = "rotated";
  }
  auto dropped = ring->DropRetiredBefore(now - options_.retire_after_seconds);
  if (!dropped.ok()) {
    return dropped.status();
  }
  if (*dropped > 0) {
    modified = true;
    changed += changed.empty() ? "dropped" : ", dropped";
  }
  if (modified) {
    Install(ring);  // a new verifier for the new key set (its cache goes with the old one)
  }
  return changed;
}

}  // namespace mr::services::auth
