#include "security/secret_box.h"

#include <sodium.h>

#include <algorithm>
#include <system_error>

#include "security/base64url.h"
#include "security/secret_file.h"
#include "security/sodium_init.h"

namespace mr::security {
namespace {

constexpr std::string_view kPrefix = "v1.";
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == sizeof(SecretBox::Key));

// Strings that held key material are wiped before their memory goes back to the allocator.
struct Wiped {
  std::string text;
  ~Wiped() { sodium_memzero(text.data(), text.size()); }
};

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The file is the key's base64url text and a newline (the newline is optional so that a key
// written with printf works too). The message names the file and the expected shape, never what
// the file holds: it may be a key of another format.
Result<SecretBox> ParseKeyFile(const std::filesystem::path& path, std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  std::optional<std::string> raw = Base64UrlDecode(text);
  if (!raw || raw->size() != sizeof(SecretBox::Key)) {
    if (raw) {
      sodium_memzero(raw->data(), raw->size());
    }
    return Status::Error(path.string() + " is not a secret box key file: expected the base64url "
                         "form of 32 bytes (43 characters) and a newline");
  }
  SecretBox::Key key;
  std::copy(raw->begin(), raw->end(), key.begin());
  sodium_memzero(raw->data(), raw->size());
  SecretBox box(key);
  sodium_memzero(key.data(), key.size());
  return box;
}

Result<SecretBox> ReadKeyFile(const std::filesystem::path& path) {
  Result<std::string> text = ReadSecretFile(path);
  if (!text.ok()) {
    return text.status();
  }
  Wiped wiped{std::move(text).value()};
  return ParseKeyFile(path, wiped.text);
}

}  // namespace

Result<SecretBox> SecretBox::LoadOrCreate(const std::filesystem::path& key_file) {
  EnsureSodium();
  std::error_code ec;
  if (std::filesystem::symlink_status(key_file, ec).type() !=
      std::filesystem::file_type::not_found) {
    return ReadKeyFile(key_file);  // also refuses symlinks, directories and loose permissions
  }
  Key key;
  randombytes_buf(key.data(), key.size());
  Wiped text{Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(key.data()),
                                              key.size())) +
             "\n"};
  bool kept = false;
  Status written = WriteSecretFile(key_file, text.text, IfExists::kKeep, &kept);
  if (!written.ok()) {
    sodium_memzero(key.data(), key.size());
    // Another process created the file between our check and our write: use its key, so that
    // both seal with the same one.
    return kept ? ReadKeyFile(key_file) : Result<SecretBox>(written);
  }
  SecretBox box(key);
  sodium_memzero(key.data(), key.size());
  return box;
}

SecretBox::SecretBox(const Key& key) : key_(key) { EnsureSodium(); }

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(other.key_) {
  sodium_memzero(other.key_.data(), other.key_.size());
}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    sodium_memzero(other.key_.data(), other.key_.size());
  }
  return *this;
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::Seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string box(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  // 192-bit random nonces: no counter to persist, and collisions are out of reach.
  randombytes_buf(out, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(associated_data),
                                             associated_data.size(), nullptr, out, key_.data());
  return std::string(kPrefix) + Base64UrlEncode(box);
}

Result<std::string> SecretBox::Open(std::string_view sealed,
                                    std::string_view associated_data) const {
  // One message for every failure: which check failed would tell a prober nothing useful and an
  // operator nothing they can act on.
  const Status failed = Status::Error("sealed value does not open: malformed, tampered, sealed "
                                      "with another key or for another record");
  if (sealed.substr(0, kPrefix.size()) != kPrefix) {
    return failed;
  }
  std::optional<std::string> box = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!box || box->size() < kNonceBytes + kTagBytes) {
    return failed;
  }
  std::string plain(box->size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long plain_size = 0;
  const unsigned char* nonce = Bytes(*box);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_size, nullptr,
          nonce + kNonceBytes, box->size() - kNonceBytes, Bytes(associated_data),
          associated_data.size(), nonce, key_.data()) != 0) {
    return failed;
  }
  plain.resize(plain_size);
  return plain;
}

}  // namespace mr::security
