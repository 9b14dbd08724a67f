// auth-service's HTTP API (register, login, refresh, logout, me, JWKS) on the public paths, so the
// gateway forwards them unchanged. Handlers block (SQL, argon2id): they run on HTTP workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/log.h"
#include "http/router.h"
#include "security/password_hasher.h"
#include "services/auth_service/accounts.h"
#include "services/auth_service/sessions.h"
#include "services/auth_service/signing_keys.h"
#include "services/auth_service/throttle.h"

namespace mr::services::auth {

inline constexpr std::string_view kIssuer = "miniredis-auth";
inline constexpr std::string_view kAudience = "miniredis-api";

/// Everything the handlers use; owned by the service module, which outlives the routes.
struct AuthApiContext {
  Accounts* accounts = nullptr;
  Sessions* sessions = nullptr;
  security::PasswordHasher* hasher = nullptr;
  const SigningKeys* keys = nullptr;
  LoginThrottle* account_throttle = nullptr;  // keyed by normalised email
  LoginThrottle* address_throttle = nullptr;  // keyed by client address
  const std::atomic<bool>* schema_ready = nullptr;  // false: answer 503 (database not migrated)
  int64_t access_ttl_seconds = 900;
  bool trust_forwarded_for = false;  // client address from X-Forwarded-For (behind the gateway)
  log::Logger logger{"auth-service"};
};

void AddAuthRoutes(http::Router* router, std::shared_ptr<const AuthApiContext> ctx);

}  // namespace mr::services::auth
