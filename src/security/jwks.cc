#include "security/jwks.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "security/base64url.h"

namespace mr::security {
namespace {

namespace json = boost::json;

std::string_view StringMember(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) {
    return {};
  }
  return it->value().get_string();
}

}  // namespace

std::string ToJwks(const VerificationKeys& keys) {
  json::array out;
  for (const VerificationKey& k : keys.keys()) {
    std::string_view x(reinterpret_cast<const char*>(k.public_key.data()), k.public_key.size());
    out.push_back(json::object{{"kty", "OKP"},
                               {"crv", "Ed25519"},
                               {"x", Base64UrlEncode(x)},
                               {"kid", k.kid},
                               {"use", "sig"},
                               {"alg", "EdDSA"}});
  }
  return json::serialize(json::object{{"keys", std::move(out)}});
}

Result<VerificationKeys> ParseJwks(std::string_view document) {
  if (document.size() > kMaxJwksBytes) {
    return Status::Error("JWKS document is larger than 64 KiB");
  }
  json::error_code ec;
  json::value doc = json::parse(document, ec);
  const json::object* root = ec ? nullptr : doc.if_object();
  const json::value* keys = root ? root->if_contains("keys") : nullptr;
  if (!keys || !keys->is_array()) {
    return Status::Error("JWKS document is not a JSON object with a \"keys\" array");
  }
  VerificationKeys out;
  for (const json::value& item : keys->get_array()) {
    const json::object* k = item.if_object();
    if (!k) {
      return Status::Error("JWKS entry is not an object");
    }
    if (k->contains("d")) {
      return Status::Error("JWKS entry contains private key material (\"d\"); refusing it");
    }
    std::string_view use = StringMember(*k, "use");
    std::string_view alg = StringMember(*k, "alg");
    if (StringMember(*k, "kty") != "OKP" || StringMember(*k, "crv") != "Ed25519" ||
        (k->contains("use") && use != "sig") || (k->contains("alg") && alg != "EdDSA")) {
      continue;
    }
    std::string_view kid = StringMember(*k, "kid");
    std::optional<std::string> x = Base64UrlDecode(StringMember(*k, "x"));
    if (kid.empty() || !x || x->size() != Ed25519PublicKey().size()) {
      return Status::Error("JWKS Ed25519 entry lacks a kid or has a malformed \"x\"");
    }
    Ed25519PublicKey pk;
    std::copy(x->begin(), x->end(), pk.begin());
    out.Add(std::string(kid), pk);
  }
  if (out.empty()) {
    return Status::Error("JWKS document has no Ed25519 signature key");
  }
  return out;
}

}  // namespace mr::security
