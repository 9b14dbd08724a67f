#include "services/auth_service/routes.h"

#include <boost/json.hpp>
#include <strings.h>

#include "http/message.h"
#include "security/jwks.h"
#include "security/password_policy.h"
#include "services/auth_service/request_json.h"
#include "services/runtime/api_support.h"

namespace mr::services::auth {
namespace json = boost::json;
namespace {

using Ctx = AuthApiContext;
using security::Admission;

http::Response Error(const http::Request& req, int status, std::string_view code,
                     std::string_view message) {
  return http::JsonError(status, code, message, req.request_id);
}

http::Response TooManyAttempts(const http::Request& req, int64_t wait_ms) {
  http::Response r = Error(req, 429, "too_many_attempts", "too many failed attempts; retry later");
  r.headers["Retry-After"] = std::to_string((wait_ms + 999) / 1000);
  return r;
}

http::Response InvalidCredentials(const http::Request& req) {
  return Error(req, 401, "invalid_credentials", "invalid email or password");
}

http::Response InvalidToken(const http::Request& req) {
  http::Response r =
      Error(req, 401, "invalid_token", "the access token is missing, invalid or expired");
  r.headers["WWW-Authenticate"] = R"(Bearer error="invalid_token")";
  return r;
}

http::Response InvalidRefreshToken(const http::Request& req) {
  return Error(req, 401, "invalid_refresh_token",
               "the refresh token is invalid, expired or revoked");
}

http::Response DatabaseError(const Ctx& ctx, const http::Request& req, const sql::Status& s) {
  if (s.unavailable()) {
    return Unavailable(req, "the account database is unavailable");
  }
  // sql messages never hold bound values (emails, hashes): safe to log.
  ctx.logger.Error("database error", {req.request_id, req.trace_id}, {{"error", s.message()}});
  return Error(req, 500, "internal", "internal error");
}

json::object AccountJson(const Account& a) {
  return json::object{
      {"id", std::to_string(a.id)}, {"email", a.email}, {"created_at", Rfc3339(a.created_at)}};
}

std::string TokenPairJson(const Ctx& ctx, const IssuedRefresh& issued, const Account* account) {
  int64_t now = security::UnixNow();
  std::string access = security::SignAccessToken(
      *ctx.keys->current(),
      {std::to_string(issued.user_id), std::to_string(issued.session_id), std::string(kIssuer),
       std::string(kAudience), "", now, now + ctx.access_ttl_seconds});
  json::object o{{"access_token", access},
                 {"refresh_token", issued.refresh_token},
                 {"token_type", "Bearer"},
                 {"expires_in", ctx.access_ttl_seconds}};
  if (account != nullptr) {
    o["user"] = AccountJson(*account);
  }
  return json::serialize(o);
}

// Waits for a pool job; a refused job becomes the response to send.
template <typename T>
std::optional<http::Response> Await(security::PasswordHasher::Pending<Result<T>> pending,
                                    const http::Request& req, Result<T>* out) {
  if (pending.admission == Admission::kQueueFull) {
    return Unavailable(req, "the server is busy hashing passwords; retry shortly");
  }
  if (pending.admission != Admission::kAccepted) {
    return Unavailable(req, "the server is shutting down");
  }
  *out = pending.result.get();
  if (!out->ok()) {
    return Error(req, 500, "internal", "internal error");
  }
  return std::nullopt;
}

struct Caller {
  int64_t user_id = 0;
  int64_t session_id = 0;
};

std::optional<Caller> Authenticate(const Ctx& ctx, const http::Request& req) {
  std::string auth = req.Header("Authorization");
  if (auth.size() < 7 || strncasecmp(auth.c_str(), "Bearer ", 7) != 0) {
    return std::nullopt;
  }
  security::TokenCheck check = ctx.keys->verifier()->Verify(std::string_view(auth).substr(7));
  Caller c;
  if (!check.ok() || !ParseInt64(check.claims.sub, &c.user_id) ||
      !ParseInt64(check.claims.sid, &c.session_id)) {
    ctx.logger.Debug("access token refused", {req.request_id, req.trace_id},
                     {{"reason", security::Describe(check.error)}});
    return std::nullopt;
  }
  return c;
}

const std::vector<FieldSpec>& CredentialFields() {
  static const std::vector<FieldSpec> fields = {{"email", kMaxEmailBytes},
                                                {"password", security::kMaxPasswordBytes}};
  return fields;
}

http::Response Register(const Ctx& ctx, http::Request& req) {
  std::map<std::string, std::string> f;
  if (auto e = ParseStringFields(req.body, CredentialFields(), &f)) {
    return FromApiError(req, *e);
  }
  if (!IsValidEmail(f["email"])) {
    return Error(req, 400, "invalid_email", "email is not a valid address");
  }
  std::string email = NormalizeEmail(f["email"]);
  if (Status s = security::CheckPasswordStrength(f["password"], email); !s.ok()) {
    return Error(req, 400, "weak_password", s.message());
  }
  std::string address = "ip:" + ClientAddress(req, ctx.trust_forwarded_for);
  if (int64_t wait = ctx.address_throttle->RetryAfter(address, NowMs())) {
    return TooManyAttempts(req, wait);
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the account database is unavailable");
  }
  Result<std::string> hash;
  if (auto refused = Await(ctx.hasher->Hash(std::move(f["password"])), req, &hash)) {
    return *refused;
  }
  int64_t now = NowMs();
  auto account = ctx.accounts->Create(email, *hash, now);
  if (!account.ok()) {
    if (account.kind() == sql::ErrorKind::kUniqueViolation) {
      // Probing for registered addresses counts like a failed login from this address.
      ctx.address_throttle->RecordFailure(address, now);
      return Error(req, 409, "email_unavailable", "this email address cannot be registered");
    }
    return DatabaseError(ctx, req, account.status());
  }
  auto session = ctx.sessions->Open(account->id, now);
  if (!session.ok()) {
    return DatabaseError(ctx, req, session.status());
  }
  ctx.logger.Info("account registered", {req.request_id, req.trace_id},
                  {{"user_id", std::to_string(account->id)}});
  return http::Response::Json(201, TokenPairJson(ctx, *session, &*account));
}

http::Response Login(const Ctx& ctx, http::Request& req) {
  std::map<std::string, std::string> f;
  if (auto e = ParseStringFields(req.body, CredentialFields(), &f)) {
    return FromApiError(req, *e);
  }
  std::string email = NormalizeEmail(f["email"]);
  std::string account_key = "a:" + email, address = "ip:" + ClientAddress(req, ctx.trust_forwarded_for);
  int64_t now = NowMs();
  int64_t wait = std::max(ctx.account_throttle->RetryAfter(account_key, now),
                          ctx.address_throttle->RetryAfter(address, now));
  if (wait > 0) {
    return TooManyAttempts(req, wait);
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the account database is unavailable");
  }
  std::optional<Account> account;
  if (IsValidEmail(email)) {
    auto found = ctx.accounts->FindByEmail(email);
    if (!found.ok()) {
      return DatabaseError(ctx, req, found.status());
    }
    account = std::move(*found);
  }
  // An unknown account still costs one full hash (against a dummy): same answer, similar time.
  Result<security::PasswordCheck> check;
  std::string stored = account ? account->password_hash : "";
  if (auto refused = Await(ctx.hasher->Verify(f["password"], stored), req, &check)) {
    return *refused;
  }
  now = NowMs();
  if (!account || !check->match) {
    ctx.account_throttle->RecordFailure(account_key, now);
    ctx.address_throttle->RecordFailure(address, now);
    ctx.logger.Info("login failed", {req.request_id, req.trace_id},
                    {{"remote_address", ClientAddress(req, ctx.trust_forwarded_for)}});
    return InvalidCredentials(req);
  }
  ctx.account_throttle->Reset(account_key);
  if (check->needs_rehash) {
    Result<std::string> rehashed;
    if (!Await(ctx.hasher->Hash(f["password"]), req, &rehashed)) {
      if (auto s = ctx.accounts->ReplaceHash(account->id, *rehashed, now); !s.ok()) {
        ctx.logger.Warn("password rehash not stored", {req.request_id, req.trace_id},
                        {{"error", s.message()}});
      }
    }
  }
  auto session = ctx.sessions->Open(account->id, now);
  if (!session.ok()) {
    return DatabaseError(ctx, req, session.status());
  }
  return http::Response::Json(200, TokenPairJson(ctx, *session, nullptr));
}

http::Response Refresh(const Ctx& ctx, http::Request& req) {
  std::map<std::string, std::string> f;
  if (auto e = ParseStringFields(req.body, {{"refresh_token", kMaxRefreshTokenBytes}}, &f)) {
    return FromApiError(req, *e);
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the account database is unavailable");
  }
  auto result = ctx.sessions->Rotate(f["refresh_token"], NowMs());
  if (!result.ok()) {
    return DatabaseError(ctx, req, result.status());
  }
  switch (result->outcome) {
    case RefreshOutcome::kRotated:
      return http::Response::Json(200, TokenPairJson(ctx, result->issued, nullptr));
    case RefreshOutcome::kReused:
      ctx.logger.Warn("spent refresh token presented again: session revoked",
                      {req.request_id, req.trace_id},
                      {{"session_id", std::to_string(result->issued.session_id)},
                       {"user_id", std::to_string(result->issued.user_id)},
                       {"remote_address", ClientAddress(req, ctx.trust_forwarded_for)}});
      return InvalidRefreshToken(req);
    default:
      return InvalidRefreshToken(req);
  }
}

http::Response Logout(const Ctx& ctx, http::Request& req) {
  auto caller = Authenticate(ctx, req);
  if (!caller) {
    return InvalidToken(req);
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the account database is unavailable");
  }
  if (auto s = ctx.sessions->Revoke(caller->session_id, caller->user_id, NowMs()); !s.ok()) {
    return DatabaseError(ctx, req, s);
  }
  http::Response r;
  r.status = 204;
  return r;
}

http::Response Me(const Ctx& ctx, http::Request& req) {
  auto caller = Authenticate(ctx, req);
  if (!caller) {
    return InvalidToken(req);
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the account database is unavailable");
  }
  auto live = ctx.sessions->IsLive(caller->session_id, caller->user_id, NowMs());
  if (!live.ok()) {
    return DatabaseError(ctx, req, live.status());
  }
  if (!*live) {
    return InvalidToken(req);  // logged out: the token's session is gone
  }
  auto account = ctx.accounts->FindById(caller->user_id);
  if (!account.ok()) {
    return DatabaseError(ctx, req, account.status());
  }
  if (!account->has_value()) {
    return InvalidToken(req);
  }
  return http::Response::Json(200, json::serialize(AccountJson(**account)));
}

}  // namespace

void AddAuthRoutes(http::Router* router, std::shared_ptr<const AuthApiContext> ctx) {
  auto bind = [ctx](http::Response (*fn)(const Ctx&, http::Request&)) {
    return [ctx, fn](http::Request& req) { return fn(*ctx, req); };
  };
  router->Post("/api/v1/auth/register", bind(Register));
  router->Post("/api/v1/auth/login", bind(Login));
  router->Post("/api/v1/auth/refresh", bind(Refresh));
  router->Post("/api/v1/auth/logout", bind(Logout));
  router->Get("/api/v1/auth/me", bind(Me));
  router->Get(
      "/.well-known/jwks.json",
      [ctx](http::Request&) {
        http::Response r = http::Response::Json(200, security::ToJwks(ctx->keys->PublicKeys()));
        r.headers["Cache-Control"] = "public, max-age=300";
        return r;
      },
      http::RouteOptions{.inline_handler = true});
}

}  // namespace mr::services::auth
