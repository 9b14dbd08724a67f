#include "main/platform.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/log.h"
#include "common/shutdown_signals.h"
#include "main/targets.h"

namespace mr {
namespace {

struct Running {
  std::string name;
  services::ServicePtr service;
};

void StopAll(std::vector<Running>& running, std::chrono::milliseconds grace) {
  for (auto it = running.rbegin(); it != running.rend(); ++it) {
    it->service->Stop(grace);
  }
  running.clear();
}

}  // namespace

Status PrepareDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Status::Error("invalid setting DATA_DIR: cannot create '" + dir + "': " + ec.message());
  }
  fs::path probe = fs::path(dir) / ".write-probe";
  {
    std::ofstream out(probe);
    if (!out || !(out << "ok") || !out.flush()) {
      return Status::Error("invalid setting DATA_DIR: '" + dir + "' is not writable");
    }
  }
  fs::remove(probe, ec);
  return Status::Ok();
}

int RunPlatform(const Config& config, const std::vector<std::string>& start_order) {
  log::Logger logger("miniredis");
  auto readiness = std::make_shared<services::Readiness>();
  services::ServiceContext ctx{config, readiness};
  std::vector<Running> created;
  for (const auto& name : start_order) {
    for (const auto& t : Targets()) {
      if (t.spec.name != name || !t.make) {
        continue;
      }
      auto svc = t.make(ctx);
      if (!svc.ok()) {
        std::cerr << "miniredis: " << svc.error() << "\n";
        return 2;
      }
      created.push_back({name, std::move(*svc)});
    }
  }
  auto grace = std::chrono::milliseconds(config.GetMillis("SHUTDOWN_GRACE"));
  std::vector<Running> running;
  for (auto& r : created) {
    Status s = r.service->Start();
    if (!s.ok()) {
      std::cerr << "miniredis: " << s.message() << "\n";
      StopAll(running, std::chrono::milliseconds(0));
      return 1;
    }
    running.push_back(std::move(r));
  }
  std::string names;
  for (const auto& r : running) {
    names += (names.empty() ? "" : ",") + r.name;
  }
  logger.Info("started", {}, {{"modules", names}});

  logger.Info("shutting down", {}, {{"signal", WaitForShutdownSignal()}});
  auto start = std::chrono::steady_clock::now();
  StopAll(running, grace);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  logger.Info("stopped", {}, {{"duration_ms", std::to_string(ms)}});
  return 0;
}

}  // namespace mr
