// The HTTP/1.1 server every service runs: Beast + C++20 coroutines behind a plain interface.
// Limits (body size, header size, read/write deadlines, connection cap) close abusive clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/router.h"

namespace mr::http {

struct ServerOptions {
  std::string service;                   // for log lines
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;                     // 0: an ephemeral port (tests)
  int io_threads = 1;
  int workers = 8;                       // threads for non-inline handlers
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  /// A whole request (headers and body) must arrive within this, and an idle keep-alive
  /// connection is closed after it: this is what defeats slowloris-style clients.
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 10000;
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts serving; an error names the address and the reason (e.g. already in use).
  Status Start();
  /// The bound port (useful when options.port was 0).
  uint16_t port() const;
  /// Stops accepting, closes idle connections, lets in-flight requests finish within `grace`
  /// (their responses say Connection: close), then closes everything. Idempotent.
  void Stop(std::chrono::milliseconds grace);
  size_t active_requests() const;
  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mr::http
