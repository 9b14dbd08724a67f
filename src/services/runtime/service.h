// What every service module implements, and the context main hands it. A service is created from
// validated config (creation may refuse bad combinations), started, and stopped with a grace period.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"

namespace mr::services {

/// The process-wide readiness checks: every port's /readyz reports all of them, so the all-in-one
/// is ready only when every module in it is.
class Readiness {
 public:
  using Check = std::function<Status()>;
  void Add(std::string name, Check check);
  struct Report {
    bool ready = true;
    std::vector<std::pair<std::string, std::string>> checks;  // name -> "ok" or the failure
  };
  Report Evaluate() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, Check>> checks_;
};

struct ServiceContext {
  const Config& config;
  std::shared_ptr<Readiness> readiness;
};

class Service {
 public:
  virtual ~Service() = default;
  virtual Status Start() = 0;
  virtual void Stop(std::chrono::milliseconds grace) = 0;
};
using ServicePtr = std::unique_ptr<Service>;

}  // namespace mr::services
