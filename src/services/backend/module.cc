#include "services/backend/module.h"

#include <filesystem>

#include "main_migrations.h"
#include "security/secret_box.h"
#include "services/backend/routes.h"
#include "services/runtime/hosted_service.h"
#include "services/runtime/remote_jwks.h"
#include "services/runtime/service_database.h"
#include "services/runtime/setting_lists.h"

namespace mr::services {
namespace {

using namespace backend;

class Backend : public HostedService {
 public:
  Backend(const ServiceContext& ctx, std::unique_ptr<sql::Database> db,
          security::SecretBox secrets, std::vector<std::string> node_urls)
      : HostedService("backend", ctx, "BACKEND_PORT"),
        store_(std::make_shared<ServiceDatabase>(std::move(db), sql::mainMigrations(), "main",
                                                 host_.logger())),
        secrets_(std::move(secrets)),
        client_pool_(http::ClientOptions{.max_idle_per_host = 32}),
        jwks_(&client_pool_,
              WithoutTrailingSlash(ctx.config.Get("AUTH_SERVICE_URL")) + "/.well-known/jwks.json",
              security::JwtRules{.issuer = "miniredis-auth", .audience = "miniredis-api"}),
        instances_(store_->db(),
                   QuotaLimits{ctx.config.GetInt("QUOTA_MAX_INSTANCES"),
                               ctx.config.GetInt("QUOTA_MAX_MEMORY_MB")}),
        api_keys_(store_->db()),
        nodes_(&client_pool_, ctx.config.Get("INTERNAL_TOKEN"), std::chrono::seconds(5)),
        auth_([this](std::string_view token) { return jwks_.Verify(token); },
              [this] { return jwks_.keys_unavailable(); }, &api_keys_,
              ctx.config.Get("INTERNAL_TOKEN")),
        provisioner_(&instances_, &nodes_, &secrets_, host_.logger()),
        reconciler_(std::move(node_urls), &instances_, &nodes_, &provisioner_,
                    std::chrono::milliseconds(ctx.config.GetMillis("RECONCILE_INTERVAL")),
                    host_.logger()) {
    auto api = std::make_shared<BackendApiContext>();
    api->db = store_->db();
    api->instances = &instances_;
    api->api_keys = &api_keys_;
    api->auth = &auth_;
    api->provisioner = &provisioner_;
    api->reconciler = &reconciler_;
    api->nodes = &nodes_;
    api->secrets = &secrets_;
    api->schema_ready = store_->schema_ready();
    api->max_memory_mb = ctx.config.GetInt("MAX_INSTANCE_MEMORY_MB");
    api->trust_forwarded_for = ctx.config.GetBool("BACKEND_TRUST_FORWARDED_FOR");
    api->logger = host_.logger();
    AddBackendRoutes(&host_.router(), std::move(api));
    ServiceDatabase::AddReadinessCheck(store_, &host_.readiness());
  }

  Status Start() override {
    if (Status s = store_->MigrateAtStart(); !s.ok()) {
      return s;
    }
    host_.logger().Info("backend storage", {}, {{"database", store_->db()->display()}});
    reconciler_.Start();
    return HostedService::Start();
  }

  void Stop(std::chrono::milliseconds grace) override {
    HostedService::Stop(grace);
    reconciler_.Stop();
  }

  ~Backend() override { reconciler_.Stop(); }

 private:
  std::shared_ptr<ServiceDatabase> store_;
  security::SecretBox secrets_;
  http::ClientPool client_pool_;
  RemoteJwks jwks_;
  InstanceStore instances_;
  ApiKeys api_keys_;
  NodeClient nodes_;
  Authenticator auth_;
  Provisioner provisioner_;
  Reconciler reconciler_;
};

}  // namespace

void RegisterBackendSettings(ConfigSchema* s) {
  const std::string o = "backend";
  s->Add({"BACKEND_PORT", "5500", "Port of the backend (instances' desired state, API keys).",
          validate::Port(), false, o});
  s->Add({"BACKEND_DATABASE_URL", "",
          "postgresql://... for postgres-main; empty means SQLite at DATA_DIR/main.db.", nullptr,
          true, o});
  s->Add({"QUOTA_MAX_INSTANCES", "10", "Instances one user may have.",
          validate::IntRange(0, 1000000), false, o});
  s->Add({"QUOTA_MAX_MEMORY_MB", "1024",
          "Total memory_limit_mb of one user's instances.", validate::IntRange(0, 1LL << 40),
          false, o});
  s->Add({"RECONCILE_INTERVAL", "10s",
          "How often every node-manager is compared with the desired state (node-managers are "
          "checked every second; one that restarted is reconciled at once).",
          validate::Duration(), false, o});
  s->Add({"BACKEND_SECRET_KEY_FILE", "",
          "Key that encrypts instance passwords and REST tokens at rest; empty means "
          "DATA_DIR/keys/backend_secrets.key (created at first start). Replicas share it.",
          nullptr, false, o});
  s->Add({"BACKEND_TRUST_FORWARDED_FOR", "false",
          "Take the audit log's client address from the last X-Forwarded-For entry (set "
          "behind the api-gateway only).",
          validate::OneOf({"true", "false"}), false, o});
}

Result<ServicePtr> MakeBackend(const ServiceContext& ctx) {
  const Config& c = ctx.config;
  if (c.GetMillis("RECONCILE_INTERVAL") < 1000) {
    return Status::Error("invalid setting RECONCILE_INTERVAL: at least 1s");
  }
  auto urls = ParseNodeManagerUrls(c.Get("NODE_MANAGER_URLS"));
  if (!urls.ok()) {
    return urls.status();
  }
  auto db = sql::Database::Open(
      sql::OptionsFromConfig(c, "BACKEND_DATABASE_URL", "main.db", "main"));
  if (!db.ok()) {
    return Status::Error("invalid setting BACKEND_DATABASE_URL: " + db.error());
  }
  std::filesystem::path key_file = c.Get("BACKEND_SECRET_KEY_FILE");
  if (key_file.empty()) {
    key_file = std::filesystem::path(c.Get("DATA_DIR")) / "keys" / "backend_secrets.key";
  }
  auto secrets = security::SecretBox::LoadOrCreate(key_file);
  if (!secrets.ok()) {
    return Status::Error("backend secret key: " + secrets.error());
  }
  return ServicePtr(
      std::make_unique<Backend>(ctx, std::move(*db), std::move(*secrets), std::move(*urls)));
}

}  // namespace mr::services
