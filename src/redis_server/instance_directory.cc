#include "redis_server/instance_directory.h"

#include <mutex>

#include "security/instance_password.h"

namespace mr::redis_server {

void InstanceTable::Put(std::string instance_id, InstanceRoute route) {
  std::unique_lock lock(mu_);
  routes_[std::move(instance_id)] = std::move(route);
}

void InstanceTable::Remove(std::string_view instance_id) {
  std::unique_lock lock(mu_);
  auto it = routes_.find(instance_id);
  if (it != routes_.end()) {
    routes_.erase(it);
  }
}

std::optional<InstanceRoute> InstanceTable::Lookup(std::string_view instance_id) const {
  std::shared_lock lock(mu_);
  auto it = routes_.find(instance_id);
  if (it == routes_.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool PasswordMatches(std::string_view password, std::string_view verifier,
                     std::string_view presented) {
  if (!verifier.empty()) {
    return VerifyInstancePassword(presented, verifier);
  }
  return password.empty() || ConstantTimeEquals(password, presented);
}

}  // namespace mr::redis_server
