// Forwards a public request to one upstream service over pooled keep-alive connections: request
// id, W3C trace context and the client address go along; hop-by-hop and client-forged internal
// headers do not. An upstream that is down is a 503 JSON error with Retry-After, one that is too
// slow a 504: never a hang.
#pragma once

#include <chrono>
#include <string>

#include "common/log.h"
#include "http/client.h"
#include "http/message.h"

namespace prometheus {
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace mr::services::gateway {

struct Upstream {
  std::string name;      // auth-service, backend, monitoring-service (metrics label, messages)
  std::string base_url;  // http://host:port
};

struct ForwardOptions {
  std::string target;               // path and query to ask the upstream for
  http::Headers extra;              // added (internal token, caller identity)
  bool pass_authorization = false;  // forward the client's Authorization header
};

class Proxy {
 public:
  Proxy(http::ClientPool* pool, std::chrono::milliseconds timeout, bool trust_forwarded_for,
        log::Logger logger);

  http::Response Forward(const http::Request& req, const Upstream& upstream,
                         const ForwardOptions& options);

 private:
  http::ClientPool* pool_;
  std::chrono::milliseconds timeout_;
  bool trust_forwarded_for_;
  log::Logger logger_;
  prometheus::Family<prometheus::Counter>* errors_;
};

}  // namespace mr::services::gateway
