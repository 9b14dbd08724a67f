// auth-service's signing keys: the KeyRing in DATA_DIR/keys and a token verifier built from it,
// rotated on a timer (by the replica set to rotate) and reloaded when the shared file changes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "security/jwt.h"
#include "security/key_ring.h"

namespace mr::services::auth {

class SigningKeys {
 public:
  struct Options {
    std::filesystem::path dir;
    security::JwtRules rules;
    int64_t rotation_seconds = 0;      ///< 0: never rotate here (other replicas may)
    int64_t retire_after_seconds = 0;  ///< keep a retired key this long (access TTL + leeway)
  };

  static Result<std::unique_ptr<SigningKeys>> Load(Options options, int64_t now);

  std::shared_ptr<const security::SigningKey> current() const;
  std::shared_ptr<const security::JwtVerifier> verifier() const;
  security::VerificationKeys PublicKeys() const;
  std::vector<std::string> kids() const;

  /// One maintenance step: picks up a file another replica changed, rotates when the current key
  /// is older than the rotation interval, drops keys retired long enough ago. Returns what
  /// changed ("" when nothing did).
  Result<std::string> Tick(int64_t now);

 private:
  explicit SigningKeys(Options options) : options_(std::move(options)) {}
  void Install(std::shared_ptr<security::KeyRing> ring);
  std::shared_ptr<security::KeyRing> ring() const;

  const Options options_;
  mutable std::mutex mu_;
  std::shared_ptr<security::KeyRing> ring_;
  std::shared_ptr<const security::JwtVerifier> verifier_;
};

}  // namespace mr::services::auth
