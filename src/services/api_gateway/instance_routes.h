// Where an instance lives and who owns it, from the backend's internal route
// (GET /internal/v1/instances/{id}/route), cached for a few seconds: the metrics route checks
// ownership with it and the REST data API finds the node-manager and checks the REST token.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "http/client.h"

namespace mr::services::gateway {

struct InstanceRoute {
  std::string node_manager_url;
  int64_t owner_id = 0;
  std::string status;
  std::string rest_token_sha256;  // hex SHA-256 of the instance's REST token
};

class InstanceRoutes {
 public:
  InstanceRoutes(http::ClientPool* pool, std::string backend_url, std::string internal_token,
                 std::chrono::milliseconds ttl = std::chrono::seconds(5))
      : pool_(pool),
        backend_url_(std::move(backend_url)),
        token_(std::move(internal_token)),
        ttl_(ttl) {}

  enum class Lookup { kFound, kNotFound, kUnavailable };
  /// Blocking (worker threads only). Unknown ids are cached too, for the same time, so a
  /// flood of made-up ids costs the backend one call per id per ttl at most.
  Lookup Find(const std::string& id, InstanceRoute* out);
  /// Forgets `id` (after a change the caller made through the gateway).
  void Forget(const std::string& id);

 private:
  struct Entry {
    bool found = false;
    InstanceRoute route;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr size_t kMaxEntries = 100000;

  http::ClientPool* pool_;
  std::string backend_url_;
  std::string token_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;
};

}  // namespace mr::services::gateway
