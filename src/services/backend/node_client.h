// The backend's side of node-manager's internal API: node info, idempotent PUT of an instance's
// spec, start/stop/delete, exec and the instance list, over pooled keep-alive connections with the
// internal token. Failures say whether the node-manager was unreachable (retry later) or refused
// (its JSON error code and message).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/client.h"

namespace mr::services::backend {

struct NodeError {
  bool unreachable = false;  // no answer (down, timeout): retry later
  int status = 0;            // the HTTP status otherwise
  std::string code;          // its JSON error code
  std::string message;
};

template <typename T>
struct NodeResult {
  std::optional<T> value;
  NodeError error;
  bool ok() const { return value.has_value(); }
};

struct NodeInfo {
  std::string boot_id;
  int64_t memory_capacity_mb = 0;
  int64_t allocated_memory_mb = 0;
};

/// An instance as node-manager reports it.
struct RemoteInstance {
  std::string id;
  std::string status;  // running | stopped
  int64_t memory_limit_mb = 0;
  std::string eviction_policy;
  std::string persistence;
  std::optional<int64_t> port;
  std::string host;
  int64_t shared_port = 0;
};

/// What the backend asks a node-manager to run.
struct RemoteSpec {
  int64_t memory_limit_mb = 0;
  std::string eviction_policy;
  std::string persistence;
  std::string password;
  std::optional<int64_t> port;  // keep the endpoint it had
};

class NodeClient {
 public:
  NodeClient(http::ClientPool* pool, std::string internal_token,
             std::chrono::milliseconds timeout)
      : pool_(pool), token_(std::move(internal_token)), timeout_(timeout) {}

  NodeResult<NodeInfo> Node(const std::string& url);
  NodeResult<RemoteInstance> Put(const std::string& url, const std::string& id,
                                 const RemoteSpec& spec);
  /// nullopt inside the result: the node-manager does not have it.
  NodeResult<std::optional<RemoteInstance>> Get(const std::string& url, const std::string& id);
  NodeResult<std::vector<RemoteInstance>> List(const std::string& url);
  /// action: "start" or "stop".
  NodeResult<RemoteInstance> Act(const std::string& url, const std::string& id,
                                 const std::string& action);
  /// True also when it was already gone.
  NodeResult<bool> Delete(const std::string& url, const std::string& id);
  /// The exec answer as node-manager gave it (status and JSON body), for the command route.
  NodeResult<http::ClientResponse> Exec(const std::string& url, const std::string& id,
                                        std::string body);

 private:
  Result<http::ClientResponse> Call(const std::string& method, const std::string& url,
                                    std::string body);
  template <typename T>
  NodeResult<T> Failed(const Result<http::ClientResponse>& response);

  http::ClientPool* pool_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace mr::services::backend
