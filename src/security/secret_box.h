// Authenticated encryption of small secrets at rest (instance passwords, REST tokens) with
// XChaCha20-Poly1305 and one 32-byte key kept in a 0600 file beside the database.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::security {

/// Seals values as "v1." + base64url(24-byte nonce || ciphertext || 16-byte tag). The associated
/// data (e.g. the instance id of the row) is authenticated, not stored: a sealed value copied to
/// another row does not open there. Thread-safe (const methods only); the key is wiped on
/// destruction and never printed.
class SecretBox {
 public:
  using Key = std::array<unsigned char, 32>;

  /// Reads the key from `key_file` (base64url of 32 bytes, then a newline; refused when "other"
  /// users can read it), or creates the file (0600) with a new random key. When two processes
  /// create it at once, both end up with the one that reached the disk first.
  static Result<SecretBox> LoadOrCreate(const std::filesystem::path& key_file);

  explicit SecretBox(const Key& key);
  SecretBox(SecretBox&& other) noexcept;
  SecretBox& operator=(SecretBox&& other) noexcept;
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  ~SecretBox();

  /// A fresh random nonce per call: sealing the same value twice gives different texts.
  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  /// The plaintext, or one generic error for anything that is not a value this key sealed with
  /// this associated data (malformed, truncated, tampered, other key, other row).
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  Key key_{};
};

}  // namespace mr::security
