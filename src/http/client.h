// Service-to-service HTTP client: pooled keep-alive connections per host, deadlines on connect and
// on the whole exchange, one retry when a reused connection turns out to be stale.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace mr::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query (plain HTTP: internal traffic only)
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};  // the whole exchange, connect included
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

struct ClientOptions {
  size_t max_idle_per_host = 64;
  std::chrono::milliseconds connect_timeout{2000};
  size_t max_response_bytes = 64 << 20;
  int io_threads = 1;
};

class ClientPool {
 public:
  explicit ClientPool(ClientOptions options = {});
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  /// Blocks until the response or an error. The exchange runs on the calling thread, over that
  /// thread's own keep-alive connections (no hand-off to another thread). Call it from worker
  /// threads, never from an I/O thread that serves other work.
  Result<ClientResponse> Send(const ClientRequest& request);
  /// Runs the exchange on the pool's I/O thread and calls `done` there.
  void SendAsync(ClientRequest request, std::function<void(Result<ClientResponse>)> done);

  /// Connections opened since start (lets tests and metrics see keep-alive reuse).
  size_t connections_opened() const;
  size_t idle_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Splits an http:// URL; false for anything else.
bool ParseHttpUrl(const std::string& url, std::string* host, std::string* port,
                  std::string* target);

}  // namespace mr::http
