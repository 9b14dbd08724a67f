// Where each instance is served (shard, Instance, password), looked up by instance id. The shared
// RESP port asks it which instance `AUTH <instance-id> <password>` selects; node-manager fills it.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace mr::engine {
class Instance;
}

namespace mr::redis_server {

struct InstanceRoute {
  int shard = -1;
  engine::Instance* instance = nullptr;
  // At most one of these is set; neither: no password, any AUTH password is accepted (nopass).
  std::string password;           // plaintext (miniredis server --requirepass)
  std::string password_verifier;  // node-manager's at-rest form, see security/instance_password.h
  // Stopped: AUTH with the right password answers "ERR instance '<id>' is stopped" (a wrong one
  // still gets WRONGPASS, so the state is told only to someone who holds the password).
  bool stopped = false;
};

/// Read by shard threads (once per shared-port AUTH), so implementations must be thread-safe.
class InstanceDirectory {
 public:
  virtual ~InstanceDirectory() = default;
  virtual std::optional<InstanceRoute> Lookup(std::string_view instance_id) const = 0;
};

/// A map behind a reader/writer lock: writes are rare (instance created, moved, deleted).
class InstanceTable final : public InstanceDirectory {
 public:
  void Put(std::string instance_id, InstanceRoute route);
  void Remove(std::string_view instance_id);
  std::optional<InstanceRoute> Lookup(std::string_view instance_id) const override;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, InstanceRoute, std::less<>> routes_;
};

/// Checks a presented AUTH password against a plaintext password or a verifier, in constant
/// time. With neither configured anything matches, like Redis' nopass default user.
bool PasswordMatches(std::string_view password, std::string_view verifier,
                     std::string_view presented);

}  // namespace mr::redis_server
