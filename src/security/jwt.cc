#include "security/jwt.h"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "security/base64url.h"
#include "security/sodium_init.h"

namespace mr::security {
namespace {

namespace json = boost::json;

std::optional<json::object> DecodeJsonObject(std::string_view part) {
  std::optional<std::string> raw = Base64UrlDecode(part);
  if (!raw) {
    return std::nullopt;
  }
  json::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.get_object());
}

bool ReadString(const json::object& o, std::string_view name, std::string* out) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_string() || v->get_string().empty()) {
    return false;
  }
  *out = std::string(v->get_string());
  return true;
}

// Integers only: a float `exp` is a forgery or a bug, and either way not ours.
bool ReadTime(const json::object& o, std::string_view name, int64_t* out) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_int64()) {
    return false;
  }
  *out = v->get_int64();
  return true;
}

TokenError CheckHeader(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "EdDSA") {
    return TokenError::kBadAlgorithm;
  }
  const json::value* typ = header.if_contains("typ");
  if (typ && (!typ->is_string() || typ->get_string() != "JWT")) {
    return TokenError::kMalformed;
  }
  // "crit" lists extensions the verifier must understand; we understand none (RFC 7515 §4.1.11).
  if (header.contains("crit")) {
    return TokenError::kMalformed;
  }
  return TokenError::kOk;
}

TokenError ReadClaims(const json::object& payload, AccessClaims* c, const JwtRules& rules) {
  if (!ReadString(payload, "sub", &c->sub) || !ReadString(payload, "sid", &c->sid) ||
      !ReadString(payload, "iss", &c->iss) || !ReadString(payload, "jti", &c->jti) ||
      !ReadTime(payload, "iat", &c->iat) || !ReadTime(payload, "exp", &c->exp) ||
      c->exp <= c->iat) {
    return TokenError::kBadClaims;
  }
  const json::value* aud = payload.if_contains("aud");
  bool audience_ok = false;
  if (aud && aud->is_string()) {
    c->aud = std::string(aud->get_string());
    audience_ok = c->aud == rules.audience;
  } else if (aud && aud->is_array()) {
    for (const json::value& a : aud->get_array()) {
      if (!a.is_string()) {
        return TokenError::kBadClaims;
      }
      if (a.get_string() == rules.audience) {
        audience_ok = true;
        c->aud = rules.audience;
      }
    }
  } else {
    return TokenError::kBadClaims;
  }
  if (c->iss != rules.issuer) {
    return TokenError::kWrongIssuer;
  }
  return audience_ok ? TokenError::kOk : TokenError::kWrongAudience;
}

}  // namespace

struct JwtVerifier::Cache {
  std::mutex mu;
  std::unordered_map<std::string, AccessClaims> verified;
};

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view Describe(TokenError error) {
  switch (error) {
    case TokenError::kOk: return "ok";
    case TokenError::kTooLarge: return "token too large";
    case TokenError::kMalformed: return "malformed token";
    case TokenError::kBadAlgorithm: return "unsupported algorithm";
    case TokenError::kUnknownKey: return "unknown signing key";
    case TokenError::kBadSignature: return "bad signature";
    case TokenError::kBadClaims: return "missing or invalid claims";
    case TokenError::kExpired: return "token expired";
    case TokenError::kNotYetValid: return "token not yet valid";
    case TokenError::kWrongIssuer: return "wrong issuer";
    case TokenError::kWrongAudience: return "wrong audience";
  }
  return "unknown error";
}

std::string SignAccessToken(const SigningKey& key, AccessClaims c) {
  EnsureSodium();
  if (c.jti.empty()) {
    unsigned char id[16];
    randombytes_buf(id, sizeof(id));
    c.jti = Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(id), sizeof(id)));
  }
  std::string header =
      json::serialize(json::object{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", key.kid()}});
  std::string payload = json::serialize(json::object{{"sub", c.sub},
                                                     {"sid", c.sid},
                                                     {"iat", c.iat},
                                                     {"exp", c.exp},
                                                     {"iss", c.iss},
                                                     {"aud", c.aud},
                                                     {"jti", c.jti}});
  std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  std::string signature = key.Sign(token);
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

JwtVerifier::JwtVerifier(VerificationKeys keys, JwtRules rules)
    : keys_(std::move(keys)), rules_(std::move(rules)), cache_(std::make_unique<Cache>()) {
  EnsureSodium();
}

JwtVerifier::~JwtVerifier() = default;

TokenCheck JwtVerifier::Verify(std::string_view token) const { return VerifyAt(token, UnixNow()); }

TokenError JwtVerifier::CheckTimes(const AccessClaims& c, int64_t now) const {
  // Written so that no claim value can overflow: claims are attacker-chosen integers.
  if (now - rules_.leeway_seconds >= c.exp) {
    return TokenError::kExpired;
  }
  if (c.iat > now + rules_.leeway_seconds) {
    return TokenError::kNotYetValid;
  }
  return TokenError::kOk;
}

TokenCheck JwtVerifier::VerifyAt(std::string_view token, int64_t now) const {
  if (token.size() > rules_.max_token_bytes) {
    return {TokenError::kTooLarge, {}};
  }
  if (rules_.cache_entries > 0) {
    std::lock_guard lock(cache_->mu);
    auto it = cache_->verified.find(std::string(token));
    if (it != cache_->verified.end()) {
      TokenCheck hit{CheckTimes(it->second, now), {}};
      if (hit.ok()) {
        hit.claims = it->second;
      }
      return hit;
    }
  }
  TokenCheck check = VerifyUncached(token, now);
  if (check.ok() && rules_.cache_entries > 0) {
    std::lock_guard lock(cache_->mu);
    if (cache_->verified.size() >= rules_.cache_entries) {
      std::erase_if(cache_->verified, [&](const auto& kv) { return kv.second.exp <= now; });
      if (cache_->verified.size() >= rules_.cache_entries) {
        cache_->verified.clear();  // a flood of distinct valid tokens: start over, stay bounded
      }
    }
    cache_->verified.emplace(token, check.claims);
  }
  return check;
}

TokenCheck JwtVerifier::VerifyUncached(std::string_view token, int64_t now) const {
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return {TokenError::kMalformed, {}};
  }
  std::string_view signed_part = token.substr(0, dot2);
  std::optional<json::object> header = DecodeJsonObject(token.substr(0, dot1));
  if (!header) {
    return {TokenError::kMalformed, {}};
  }
  if (TokenError e = CheckHeader(*header); e != TokenError::kOk) {
    return {e, {}};
  }
  const json::value* kid = header->if_contains("kid");
  if (!kid || !kid->is_string()) {
    return {TokenError::kMalformed, {}};
  }
  const VerificationKey* key = keys_.Find(kid->get_string());
  if (!key) {
    return {TokenError::kUnknownKey, {}};
  }
  std::optional<std::string> signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature) {
    return {TokenError::kMalformed, {}};
  }
  if (signature->size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(signed_part.data()),
                                  signed_part.size(), key->public_key.data()) != 0) {
    return {TokenError::kBadSignature, {}};
  }
  // Only now is the payload trusted enough to parse.
  std::optional<json::object> payload = DecodeJsonObject(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) {
    return {TokenError::kMalformed, {}};
  }
  TokenCheck check;
  check.error = ReadClaims(*payload, &check.claims, rules_);
  if (check.ok()) {
    int64_t nbf = 0;
    check.error = CheckTimes(check.claims, now);
    if (check.ok() && ReadTime(*payload, "nbf", &nbf) && nbf > now + rules_.leeway_seconds) {
      check.error = TokenError::kNotYetValid;
    }
  }
  if (!check.ok()) {
    check.claims = {};
  }
  return check;
}

}  // namespace mr::security
