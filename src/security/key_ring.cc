#include "security/key_ring.h"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "security/base64url.h"
#include "security/secret_file.h"
#include "security/sodium_init.h"

namespace mr::security {
namespace {

namespace json = boost::json;

void WipeString(std::string* s) {
  if (!s->empty()) {
    sodium_memzero(s->data(), s->size());
  }
}

const json::value* Member(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  return it == o.end() ? nullptr : &it->value();
}

}  // namespace

std::shared_ptr<const SigningKey> SigningKey::Generate(int64_t created_at) {
  EnsureSodium();
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  auto key = FromSeed(seed, created_at);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::shared_ptr<const SigningKey> SigningKey::FromSeed(const Seed& seed, int64_t created_at) {
  EnsureSodium();
  std::shared_ptr<SigningKey> key(new SigningKey());
  crypto_sign_seed_keypair(key->public_key_.data(), key->secret_.data(), seed.data());
  key->kid_ = KeyThumbprint(key->public_key_);
  key->created_at_ = created_at;
  return key;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

SigningKey::Seed SigningKey::seed() const {
  Seed s;
  std::copy_n(secret_.begin(), s.size(), s.begin());
  return s;
}

std::string SigningKey::Sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return sig;
}

std::unique_ptr<KeyRing> KeyRing::Generate(int64_t now) {
  std::unique_ptr<KeyRing> ring(new KeyRing());
  ring->entries_.push_back({SigningKey::Generate(now), 0});
  return ring;
}

Result<std::unique_ptr<KeyRing>> KeyRing::LoadOrCreate(const std::filesystem::path& dir,
                                                       int64_t now) {
  std::filesystem::path file = dir / kFileName;
  std::error_code ec;
  bool exists = std::filesystem::exists(std::filesystem::symlink_status(file, ec));
  if (!exists) {
    std::unique_ptr<KeyRing> ring = Generate(now);
    ring->file_ = file;
    bool kept = false;
    Status s;
    {
      std::lock_guard lock(ring->mu_);
      s = ring->SaveLocked(IfExists::kKeep, &kept);
    }
    if (s.ok()) {
      return ring;
    }
    if (!kept) {
      return s;
    }
    // Another process created the file first: use its keys, so that both sign with the same one.
  }
  Result<std::string> text = ReadSecretFile(file);
  if (!text.ok()) {
    return text.status();
  }
  Result<std::vector<Entry>> entries = ParseFile(*text);
  WipeString(&*text);
  if (!entries.ok()) {
    return Status::Error(file.string() + ": " + entries.error());
  }
  std::unique_ptr<KeyRing> ring(new KeyRing());
  ring->entries_ = std::move(*entries);
  ring->file_ = file;
  return ring;
}

Result<std::vector<KeyRing::Entry>> KeyRing::ParseFile(const std::string& text) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  const json::object* root = ec ? nullptr : doc.if_object();
  const json::value* version = root ? Member(*root, "version") : nullptr;
  const json::value* keys = root ? Member(*root, "keys") : nullptr;
  if (!root || !version || !version->is_int64() || version->as_int64() != 1 || !keys ||
      !keys->is_array()) {
    return Status::Error("not a version 1 signing key file");
  }
  std::vector<Entry> entries;
  for (const json::value& item : keys->as_array()) {
    const json::object* o = item.if_object();
    const json::value* kid = o ? Member(*o, "kid") : nullptr;
    const json::value* seed = o ? Member(*o, "seed") : nullptr;
    const json::value* created = o ? Member(*o, "created_at") : nullptr;
    const json::value* retired = o ? Member(*o, "retired_at") : nullptr;
    std::string label = "key " + std::to_string(entries.size() + 1);
    if (!kid || !kid->is_string() || !seed || !seed->is_string() || !created ||
        !created->is_int64() || !retired || !retired->is_int64()) {
      return Status::Error(label + " lacks kid, seed, created_at or retired_at");
    }
    std::optional<std::string> raw = Base64UrlDecode(seed->as_string());
    if (!raw || raw->size() != sizeof(SigningKey::Seed)) {
      return Status::Error(label + " has a malformed seed");
    }
    SigningKey::Seed s;
    std::copy_n(raw->begin(), s.size(), s.begin());
    WipeString(&*raw);
    auto key = SigningKey::FromSeed(s, created->as_int64());
    sodium_memzero(s.data(), s.size());
    if (key->kid() != std::string_view(kid->as_string())) {
      return Status::Error(label + ": kid does not match its key (file edited or corrupted)");
    }
    entries.push_back({std::move(key), retired->as_int64()});
  }
  if (entries.empty() || entries.front().retired_at != 0) {
    return Status::Error("the first key must be the current one (retired_at 0)");
  }
  return entries;
}

Status KeyRing::SaveLocked(IfExists if_exists, bool* kept) const {
  if (file_.empty()) {
    return Status::Ok();
  }
  json::array keys;
  for (const Entry& e : entries_) {
    SigningKey::Seed seed = e.key->seed();
    std::string encoded =
        Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
    sodium_memzero(seed.data(), seed.size());
    keys.push_back(json::object{{"kid", e.key->kid()},
                                {"seed", encoded},
                                {"created_at", e.key->created_at()},
                                {"retired_at", e.retired_at}});
    WipeString(&encoded);
  }
  json::object root{{"version", 1}, {"keys", std::move(keys)}};
  std::string text = json::serialize(root);
  for (json::value& k : root["keys"].as_array()) {
    json::string& seed = k.as_object()["seed"].as_string();
    sodium_memzero(seed.data(), seed.size());
  }
  Status s = WriteSecretFile(file_, text, if_exists, kept);
  WipeString(&text);
  return s;
}

std::shared_ptr<const SigningKey> KeyRing::current() const {
  std::lock_guard lock(mu_);
  return entries_.front().key;
}

Result<std::string> KeyRing::Rotate(int64_t now) {
  std::lock_guard lock(mu_);
  auto before = entries_;
  entries_.front().retired_at = now;
  entries_.insert(entries_.begin(), Entry{SigningKey::Generate(now), 0});
  if (Status s = SaveLocked(); !s.ok()) {
    entries_ = std::move(before);  // memory and file must agree: tokens outlive the process
    return s;
  }
  return entries_.front().key->kid();
}

Status KeyRing::Drop(std::string_view kid) {
  std::lock_guard lock(mu_);
  if (entries_.front().key->kid() == kid) {
    return Status::Error("cannot drop the current signing key; rotate first");
  }
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key->kid() == kid) {
      auto before = entries_;
      entries_.erase(it);
      if (Status s = SaveLocked(); !s.ok()) {
        entries_ = std::move(before);
        return s;
      }
      return Status::Ok();
    }
  }
  return Status::Error("no signing key with kid " + std::string(kid));
}

Result<size_t> KeyRing::DropRetiredBefore(int64_t unix_seconds) {
  std::lock_guard lock(mu_);
  auto before = entries_;
  std::erase_if(entries_,
                [&](const Entry& e) { return e.retired_at != 0 && e.retired_at < unix_seconds; });
  size_t dropped = before.size() - entries_.size();
  if (dropped > 0) {
    if (Status s = SaveLocked(); !s.ok()) {
      entries_ = std::move(before);
      return s;
    }
  }
  return dropped;
}

VerificationKeys KeyRing::PublicKeys() const {
  std::lock_guard lock(mu_);
  VerificationKeys out;
  for (const Entry& e : entries_) {
    out.Add(e.key->kid(), e.key->public_key());
  }
  return out;
}

std::vector<std::string> KeyRing::kids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    out.push_back(e.key->kid());
  }
  return out;
}

}  // namespace mr::security
