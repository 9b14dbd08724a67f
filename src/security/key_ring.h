// JWT signing keys: Ed25519 key pairs named by their RFC 7638 thumbprint, one current (signs) and
// older ones kept for verification until dropped. auth-service loads or creates them from a file.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "security/secret_file.h"
#include "security/verification_keys.h"

namespace mr::security {

/// One Ed25519 key pair. The secret half never leaves this object except through KeyRing's file;
/// it is wiped on destruction and has no printer.
class SigningKey {
 public:
  using Seed = std::array<unsigned char, 32>;
  static std::shared_ptr<const SigningKey> Generate(int64_t created_at);
  static std::shared_ptr<const SigningKey> FromSeed(const Seed& seed, int64_t created_at);

  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  const std::string& kid() const { return kid_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }
  int64_t created_at() const { return created_at_; }
  /// The 64-byte detached Ed25519 signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  friend class KeyRing;
  SigningKey() = default;
  Seed seed() const;

  std::array<unsigned char, 64> secret_{};  // libsodium layout: seed || public key
  Ed25519PublicKey public_key_{};
  std::string kid_;
  int64_t created_at_ = 0;
};

/// Thread-safe: sign with current() from any thread while another rotates.
class KeyRing {
 public:
  static constexpr std::string_view kFileName = "jwt_signing_keys.json";

  /// Reads `dir`/jwt_signing_keys.json; when absent, creates `dir` (0700) and the file (0600) with
  /// one new key. Refuses a file that other users can read. Later changes are saved to the file.
  static Result<std::unique_ptr<KeyRing>> LoadOrCreate(const std::filesystem::path& dir,
                                                       int64_t now);
  /// A ring with one new key, kept in memory only.
  static std::unique_ptr<KeyRing> Generate(int64_t now);

  /// The key that signs new tokens.
  std::shared_ptr<const SigningKey> current() const;
  /// Makes a new key current; the previous one keeps verifying. Returns the new kid.
  Result<std::string> Rotate(int64_t now);
  /// Forgets a retired key: tokens it signed stop verifying. The current key cannot be dropped.
  Status Drop(std::string_view kid);
  /// Drops the keys retired before `unix_seconds` (pass now - access token TTL - leeway).
  Result<size_t> DropRetiredBefore(int64_t unix_seconds);
  /// Public halves of every key, current first: feed to ToJwks or a JwtVerifier.
  VerificationKeys PublicKeys() const;
  std::vector<std::string> kids() const;

 private:
  struct Entry {
    std::shared_ptr<const SigningKey> key;
    int64_t retired_at = 0;  // 0: the current key
  };
  KeyRing() = default;
  Status SaveLocked(IfExists if_exists = IfExists::kReplace, bool* kept = nullptr) const;
  static Result<std::vector<Entry>> ParseFile(const std::string& text);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // entries_.front() is current
  std::filesystem::path file_;  // empty: in memory only
};

}  // namespace mr::security
