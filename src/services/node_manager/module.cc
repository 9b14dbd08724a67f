#include "services/node_manager/module.h"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "redis_server/instance_directory.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "common/metrics.h"
#include "services/node_manager/fleet.h"
#include "services/node_manager/fleet_metrics.h"
#include "services/node_manager/lifecycle_api.h"
#include "services/node_manager/node_info.h"
#include "services/runtime/hosted_service.h"

namespace mr::services {
namespace {

class NodeManager : public HostedService {
 public:
  NodeManager(const ServiceContext& ctx, std::filesystem::path instances_dir,
              int64_t memory_capacity_mb)
      : HostedService("node-manager", ctx, "NODE_MANAGER_PORT"),
        config_(ctx.config),
        instances_dir_(std::move(instances_dir)),
        shards_(redis_server::ShardSetOptions{
            .shards = static_cast<int>(ctx.config.GetInt("NODE_MANAGER_SHARDS"))}),
        store_(instances_dir_),
        ports_(static_cast<uint16_t>(ctx.config.GetInt("REDIS_PORT_START")),
               static_cast<uint16_t>(ctx.config.GetInt("REDIS_PORT_END")),
               std::chrono::milliseconds(ctx.config.GetMillis("PORT_QUARANTINE"))),
        fleet_(Fleet::Options{ctx.config.Get("BIND_ADDRESS"),
                              SpecLimits{ctx.config.GetInt("MAX_INSTANCE_MEMORY_MB")},
                              static_cast<uint64_t>(ctx.config.GetInt("AOF_REWRITE_MIN_MB"))
                                  << 20},
               shards_, directory_, store_, ports_) {
    host_.readiness().Add("node-manager data dir", [dir = instances_dir_]() {
      if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
        return Status::Error(dir.string() + " is not writable");
      }
      return Status::Ok();
    });
    LifecycleApiOptions api;
    api.internal_token = ctx.config.Get("INTERNAL_TOKEN");
    api.public_host = ctx.config.Get("REDIS_PUBLIC_HOST");
    api.shared_port = static_cast<uint16_t>(ctx.config.GetInt("REDIS_SHARED_PORT"));
    api.limits = SpecLimits{ctx.config.GetInt("MAX_INSTANCE_MEMORY_MB")};
    api.node = NewNodeIdentity(memory_capacity_mb);
    AddLifecycleRoutes(&host_.router(), &fleet_, &ports_, api);
    // The registry outlives this service, so the collector holds the metrics object, not `this`.
    auto fleet_metrics = std::make_shared<FleetMetrics>(&fleet_, &ports_);
    metrics_ = fleet_metrics;
    metrics::AddCollector([weak = std::weak_ptr<FleetMetrics>(fleet_metrics)] {
      if (auto m = weak.lock()) {
        m->Refresh();
      }
    });
  }

  Status Start() override {
    shards_.Start();
    redis_server::ListenOptions shared{config_.Get("BIND_ADDRESS"),
                                       static_cast<uint16_t>(config_.GetInt("REDIS_SHARED_PORT"))};
    auto listener = redis_server::Listener::Shared(shards_, directory_, shared);
    if (!listener.ok()) {
      shards_.Stop();
      return Status::Error("node-manager shared port: " + listener.error());
    }
    shared_listener_ = std::move(*listener);
    for (const auto& problem : fleet_.Restore()) {
      host_.logger().Error("instance not restored", {}, {{"problem", problem}});
    }
    host_.logger().Info("instances restored", {},
                        {{"count", std::to_string(fleet_.size())},
                         {"shared_port", std::to_string(shared_listener_->port())}});
    return HostedService::Start();
  }

  void Stop(std::chrono::milliseconds grace) override {
    HostedService::Stop(grace);  // no lifecycle call runs once the API has drained
    if (shared_listener_) {
      shared_listener_->Close();
    }
    fleet_.Shutdown();
    shards_.Stop();
  }

 private:
  const Config& config_;
  std::filesystem::path instances_dir_;
  redis_server::ShardSet shards_;
  redis_server::InstanceTable directory_;
  InstanceStore store_;
  PortPool ports_;
  Fleet fleet_;
  std::unique_ptr<redis_server::Listener> shared_listener_;
  std::shared_ptr<FleetMetrics> metrics_;
};

}  // namespace

void RegisterNodeManagerSettings(ConfigSchema* s) {
  const std::string o = "node-manager";
  s->Add({"NODE_MANAGER_PORT", "7000", "Port of node-manager's internal lifecycle API.",
          validate::Port(), false, o});
  s->Add({"REDIS_PORT_START", "16000", "First port of the dedicated per-instance RESP port pool.",
          validate::Port(), false, o});
  s->Add({"REDIS_PORT_END", "16999", "Last port (inclusive) of the dedicated port pool.",
          validate::Port(), false, o});
  s->Add({"REDIS_SHARED_PORT", "6379",
          "Shared RESP port where AUTH <instance-id> <password> selects the instance.",
          validate::Port(), false, o});
  s->Add({"REDIS_PUBLIC_HOST", "127.0.0.1",
          "Host name clients use to reach the RESP ports (shown in connection details).",
          validate::NonEmpty(), false, o});
  s->Add({"NODE_MANAGER_SHARDS", "0", "Engine shard threads; 0 means one per CPU core.",
          validate::IntRange(0, 256), false, o});
  s->Add({"PORT_QUARANTINE", "60s",
          "How long a freed dedicated port rests before another instance may get it.",
          validate::Duration(), false, o});
  s->Add({"MAX_INSTANCE_MEMORY_MB", "65536", "Largest memory limit one instance may ask for.",
          validate::IntRange(1, 1 << 30), false, o});
  s->Add({"AOF_REWRITE_MIN_MB", "64",
          "An instance's append-only log is compacted by a snapshot once it is larger than this "
          "and has doubled since the last snapshot.",
          validate::IntRange(1, 1 << 20), false, o});
  s->Add({"NODE_MEMORY_MB", "0",
          "Memory this node offers to instances, in MiB (backend places by it); 0 means the "
          "machine's physical memory, which inside a container ignores the cgroup limit.",
          validate::IntRange(0, int64_t{1} << 30), false, o});
}

Result<ServicePtr> MakeNodeManager(const ServiceContext& ctx) {
  const Config& c = ctx.config;
  int64_t start = c.GetInt("REDIS_PORT_START"), end = c.GetInt("REDIS_PORT_END");
  if (start > end) {
    return Status::Error("invalid setting REDIS_PORT_START..REDIS_PORT_END: " +
                         std::to_string(start) + ".." + std::to_string(end) +
                         " is an empty range");
  }
  int64_t shared = c.GetInt("REDIS_SHARED_PORT");
  if (shared >= start && shared <= end) {
    return Status::Error("invalid setting REDIS_SHARED_PORT: " + std::to_string(shared) +
                         " lies inside the dedicated pool " + std::to_string(start) + ".." +
                         std::to_string(end));
  }
  std::filesystem::path dir = std::filesystem::path(c.Get("DATA_DIR")) / "instances";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Error("cannot create " + dir.string() + ": " + ec.message());
  }
  Result<int64_t> memory_mb = NodeMemoryMb(c.GetInt("NODE_MEMORY_MB"));
  if (!memory_mb.ok()) {
    return memory_mb.status();
  }
  return ServicePtr(std::make_unique<NodeManager>(ctx, dir, *memory_mb));
}

}  // namespace mr::services
