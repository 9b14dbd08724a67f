#include "services/auth_service/module.h"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "auth_migrations.h"
#include "security/password_hasher.h"
#include "services/auth_service/routes.h"
#include "services/runtime/hosted_service.h"
#include "services/runtime/service_database.h"
#include "sql/database.h"
#include "sql/migrations.h"

namespace mr::services {
namespace {

using auth::AuthApiContext;

class AuthService : public HostedService {
 public:
  AuthService(const ServiceContext& ctx, std::unique_ptr<sql::Database> db,
              std::unique_ptr<auth::SigningKeys> keys)
      : HostedService("auth-service", ctx, "AUTH_SERVICE_PORT"),
        http_workers_(static_cast<size_t>(ctx.config.GetInt("HTTP_WORKERS"))),
        store_(std::make_shared<ServiceDatabase>(std::move(db), sql::authMigrations(), "auth",
                                                 host_.logger())),
        db_(store_->db()),
        keys_(std::move(keys)),
        hasher_({.threads = static_cast<size_t>(ctx.config.GetInt("AUTH_HASH_THREADS")),
                 .queue_capacity = static_cast<size_t>(ctx.config.GetInt("AUTH_HASH_QUEUE")),
                 .cost = security::PasswordCost::Interactive()}),
        rotation_seconds_(ctx.config.GetMillis("JWT_KEY_ROTATION") / 1000),
        accounts_(db_),
        sessions_(db_, ctx.config.GetMillis("REFRESH_TOKEN_TTL")),
        account_throttle_(auth::ThrottleRule{.free_failures = 5}),
        address_throttle_(auth::ThrottleRule{.free_failures = 20}) {
    auto api = std::make_shared<AuthApiContext>();
    api->accounts = &accounts_;
    api->sessions = &sessions_;
    api->hasher = &hasher_;
    api->keys = keys_.get();
    api->account_throttle = &account_throttle_;
    api->address_throttle = &address_throttle_;
    api->schema_ready = store_->schema_ready();
    api->access_ttl_seconds = ctx.config.GetMillis("ACCESS_TOKEN_TTL") / 1000;
    api->trust_forwarded_for = ctx.config.GetBool("AUTH_TRUST_FORWARDED_FOR");
    api->logger = host_.logger();
    auth::AddAuthRoutes(&host_.router(), std::move(api));
    // Ready only when the database answers and its schema is current; a database that was down
    // at start is migrated by the first check that reaches it.
    ServiceDatabase::AddReadinessCheck(store_, &host_.readiness());
  }

  Status Start() override {
    if (Status s = store_->MigrateAtStart(); !s.ok()) {
      return s;
    }
    // Each waiting hash holds an HTTP worker; if they can all be taken, overload queues
    // unboundedly in front of the workers instead of being refused with 503.
    const auto& hashing = hasher_.options();
    if (hashing.threads + hashing.queue_capacity >= http_workers_) {
      host_.logger().Warn("AUTH_HASH_THREADS + AUTH_HASH_QUEUE should stay below HTTP_WORKERS", {},
                          {{"http_workers", std::to_string(http_workers_)}});
    }
    host_.logger().Info("auth-service storage", {},
                        {{"database", db_->display()}, {"signing_key", keys_->current()->kid()}});
    key_thread_ = std::thread([this] { MaintainKeys(); });
    return HostedService::Start();
  }

  void Stop(std::chrono::milliseconds grace) override {
    HostedService::Stop(grace);
    StopKeyThread();
  }

  ~AuthService() override { StopKeyThread(); }

 private:
  void StopKeyThread() {
    {
      std::lock_guard lock(key_mu_);
      stopping_ = true;
    }
    key_wake_.notify_all();
    if (key_thread_.joinable()) {
      key_thread_.join();
    }
  }

  // Rotates (when JWT_KEY_ROTATION is set) and follows the shared key file.
  void MaintainKeys() {
    int64_t tick = rotation_seconds_ > 0 ? std::clamp<int64_t>(rotation_seconds_ / 4, 1, 10) : 10;
    std::unique_lock lock(key_mu_);
    while (!key_wake_.wait_for(lock, std::chrono::seconds(tick), [this] { return stopping_; })) {
      lock.unlock();
      auto changed = keys_->Tick(security::UnixNow());
      if (!changed.ok()) {
        host_.logger().Error("signing key maintenance failed", {}, {{"error", changed.error()}});
      } else if (!changed->empty()) {
        host_.logger().Info("signing keys changed", {},
                            {{"change", *changed}, {"signing_key", keys_->current()->kid()}});
      }
      lock.lock();
    }
  }

  const size_t http_workers_;
  std::shared_ptr<ServiceDatabase> store_;
  sql::Database* db_;
  std::unique_ptr<auth::SigningKeys> keys_;
  security::PasswordHasher hasher_;
  const int64_t rotation_seconds_;
  auth::Accounts accounts_;
  auth::Sessions sessions_;
  auth::LoginThrottle account_throttle_;
  auth::LoginThrottle address_throttle_;
  std::mutex key_mu_;
  std::condition_variable key_wake_;
  bool stopping_ = false;
  std::thread key_thread_;
};

}  // namespace

void RegisterAuthServiceSettings(ConfigSchema* s) {
  const std::string o = "auth-service";
  s->Add({"AUTH_SERVICE_PORT", "8000", "Port of the auth service (accounts, sessions, JWT).",
          validate::Port(), false, o});
  s->Add({"AUTH_DATABASE_URL", "",
          "postgresql://... for postgres-auth; empty means SQLite at DATA_DIR/auth.db.", nullptr,
          true, o});
  s->Add({"ACCESS_TOKEN_TTL", "15m", "Lifetime of access tokens (JWT).", validate::Duration(),
          false, o});
  s->Add({"REFRESH_TOKEN_TTL", "720h",
          "Lifetime of a login session: its refresh tokens stop working this long after login.",
          validate::Duration(), false, o});
  s->Add({"JWT_KEY_ROTATION", "0",
          "Make a new JWT signing key when the current one is this old (e.g. 720h); 0 never "
          "rotates. Set on one auth-service replica: the others follow the shared key file.",
          validate::Duration(), false, o});
  s->Add({"AUTH_HASH_THREADS", "2",
          "argon2id worker threads; each running hash holds 64 MiB of memory.",
          validate::IntRange(1, 64), false, o});
  s->Add({"AUTH_HASH_QUEUE", "4",
          "Password hashes waiting for a hash thread before register/login answer 503 + "
          "Retry-After; keep AUTH_HASH_THREADS + this below HTTP_WORKERS.",
          validate::IntRange(0, 4096), false, o});
  s->Add({"AUTH_TRUST_FORWARDED_FOR", "false",
          "Take the client address for login throttling from the last X-Forwarded-For entry "
          "(set behind the api-gateway only).",
          validate::OneOf({"true", "false"}), false, o});
}

Result<ServicePtr> MakeAuthService(const ServiceContext& ctx) {
  const Config& c = ctx.config;
  if (c.GetMillis("ACCESS_TOKEN_TTL") < 1000 || c.GetMillis("REFRESH_TOKEN_TTL") < 1000) {
    return Status::Error("invalid setting ACCESS_TOKEN_TTL/REFRESH_TOKEN_TTL: at least 1s");
  }
  auto db = sql::Database::Open(
      sql::OptionsFromConfig(c, "AUTH_DATABASE_URL", "auth.db", "auth"));
  if (!db.ok()) {
    return Status::Error("invalid setting AUTH_DATABASE_URL: " + db.error());
  }
  auth::SigningKeys::Options key_options;
  key_options.dir = std::filesystem::path(c.Get("DATA_DIR")) / "keys";
  key_options.rules = security::JwtRules{.issuer = std::string(auth::kIssuer),
                                         .audience = std::string(auth::kAudience)};
  key_options.rotation_seconds = c.GetMillis("JWT_KEY_ROTATION") / 1000;
  // A retired key verifies until every token it signed has expired (plus the verifier's leeway).
  key_options.retire_after_seconds =
      c.GetMillis("ACCESS_TOKEN_TTL") / 1000 + key_options.rules.leeway_seconds + 1;
  auto keys = auth::SigningKeys::Load(std::move(key_options), security::UnixNow());
  if (!keys.ok()) {
    return Status::Error("auth-service signing keys: " + keys.error());
  }
  return ServicePtr(std::make_unique<AuthService>(ctx, std::move(*db), std::move(*keys)));
}

}  // namespace mr::services
