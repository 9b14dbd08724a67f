// RESP listeners: a dedicated port serving one instance (accepting on its shard), or the shared
// port where `AUTH <instance-id> <password>` picks the instance and the socket moves to its shard.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace mr::engine {
class Instance;
}

namespace mr::redis_server {

class InstanceDirectory;
class ShardSet;

struct ListenOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port (tests)
  int backlog = 511;  // Redis' tcp-backlog
};

/// A handle on an accepting socket that lives on a shard. Close (or destroy) it before the
/// ShardSet is destroyed; after ShardSet::Stop it is already closed.
class Listener {
 public:
  /// Accepts on `shard`'s thread; every connection is served by `inst`, which must be served on
  /// that shard (ShardSet::AddInstance). Fails with a message naming the address and the reason.
  static Result<std::unique_ptr<Listener>> Dedicated(ShardSet& shards, int shard,
                                                     engine::Instance* inst,
                                                     const ListenOptions& options);
  /// Accepts on `accept_shard`; a client must first send `AUTH <instance-id> <password>` (or
  /// `HELLO <v> AUTH <instance-id> <password>`), which `directory` resolves; the connection then
  /// moves to the instance's shard with the bytes it already sent.
  static Result<std::unique_ptr<Listener>> Shared(ShardSet& shards,
                                                  const InstanceDirectory& directory,
                                                  const ListenOptions& options,
                                                  int accept_shard = 0);

  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t port() const { return port_; }
  /// Keeps the port bound but answers every new connection with the RESP error `error` (e.g.
  /// "ERR instance is stopped") and closes it; an empty `error` serves connections again.
  void SetRefusal(std::string error);
  /// Stops accepting (open connections stay). Idempotent; blocks until the shard has closed it.
  void Close();

 private:
  Listener(ShardSet* shards, int shard, uint64_t id, uint16_t port)
      : shards_(shards), shard_(shard), id_(id), port_(port) {}

  ShardSet* shards_;
  int shard_;
  uint64_t id_;
  uint16_t port_;
  bool closed_ = false;
};

}  // namespace mr::redis_server
