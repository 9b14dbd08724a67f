// A service whose whole lifecycle is its HTTP host; concrete services add routes and readiness
// checks in their constructors and override Start/Stop only for extra resources.
#pragma once

#include "services/runtime/service_host.h"

namespace mr::services {

class HostedService : public Service {
 public:
  HostedService(std::string name, const ServiceContext& ctx, const std::string& port_setting)
      : host_(std::move(name), ctx, port_setting) {}
  Status Start() override { return host_.Start(); }
  void Stop(std::chrono::milliseconds grace) override { host_.Stop(grace); }

 protected:
  ServiceHost host_;
};

}  // namespace mr::services
