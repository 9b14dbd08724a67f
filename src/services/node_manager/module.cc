#include "services/node_manager/module.h"

#include <unistd.h>

#include <filesystem>

#include "services/runtime/hosted_service.h"

namespace mr::services {
namespace {

class NodeManager : public HostedService {
 public:
  NodeManager(const ServiceContext& ctx, std::filesystem::path instances_dir)
      : HostedService("node-manager", ctx, "NODE_MANAGER_PORT"),
        instances_dir_(std::move(instances_dir)) {
    host_.readiness().Add("node-manager data dir", [dir = instances_dir_]() {
      if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
        return Status::Error(dir.string() + " is not writable");
      }
      return Status::Ok();
    });
  }

 private:
  std::filesystem::path instances_dir_;
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
  return ServicePtr(std::make_unique<NodeManager>(ctx, dir));
}

}  // namespace mr::services
