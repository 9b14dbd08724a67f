// Shared-nothing shards for the RESP data plane: N threads, each with its own event loop. An
// instance lives on one shard; its connections, expiry ticks and blocked commands run there only.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::engine {
class Instance;
}

namespace mr::redis_server {

class Shard;

struct ShardSetOptions {
  int shards = 0;  // 0: one per hardware core
  std::chrono::milliseconds tick{100};            // active expiry and blocked-command timeouts
  std::chrono::microseconds expiry_budget{1000};  // per shard per tick, shared by its instances
  // Redis' client-output-buffer-limit for pub/sub clients (normal clients are unlimited, like
  // Redis' defaults): over `hard` closes at once, over `soft` for `soft_seconds` closes too.
  size_t pubsub_hard_limit = 32u << 20;
  size_t pubsub_soft_limit = 8u << 20;
  int pubsub_soft_seconds = 60;
  // Redis' client-query-buffer-limit: unparsed input beyond this closes the connection.
  size_t query_buffer_limit = size_t{1} << 30;
};

/// How clients of an instance authenticate.
struct InstanceAccess {
  std::string id;        // accepted as the AUTH user name besides "default" (shared port)
  // At most one of these is set; neither: no password, like Redis' nopass default user.
  std::string password;           // plaintext (requirepass)
  std::string password_verifier;  // node-manager's at-rest form (security/instance_password.h)
  bool has_password() const { return !password.empty() || !password_verifier.empty(); }
};

/// Control-plane methods (Start, Stop, AddInstance, RemoveInstance, RunOn) are called from
/// threads that are not shard threads, except PostTo and AdoptConnection which any thread may call.
class ShardSet {
 public:
  explicit ShardSet(ShardSetOptions options = {});
  ~ShardSet();  // Stop()
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  /// Starts one thread per shard.
  void Start();
  /// Closes every listener and connection (sessions are closed in the engine), then joins the
  /// threads. Instances stay with their owner. Idempotent.
  void Stop();

  int size() const { return static_cast<int>(shards_.size()); }
  const ShardSetOptions& options() const { return options_; }

  /// The shard with the fewest instances: where a new instance should live.
  int PickShard() const;
  /// Serves `inst` on `shard` from now on: connections, expiry ticks, blocked timeouts. The
  /// instance must outlive RemoveInstance; create and restore it on that shard (RunOn) if its
  /// construction touches shared state.
  Status AddInstance(int shard, engine::Instance* inst, InstanceAccess access);
  /// Closes the instance's connections (CloseSession for each) and stops its ticks. Close its
  /// dedicated listener first. Blocks until done.
  void RemoveInstance(engine::Instance* inst);
  /// Changes how new AUTHs are checked (password rotation); open sessions stay authenticated.
  void SetAccess(engine::Instance* inst, InstanceAccess access);
  /// The shard serving `inst`, or -1.
  int ShardOf(const engine::Instance* inst) const;

  /// Runs `fn` on the shard's thread and waits for it (inline when called from that thread, or
  /// after Stop). For control-plane work only: never on the per-command path.
  void RunOn(int shard, const std::function<void()>& fn);
  /// Queues `fn` on the shard's thread.
  void PostTo(int shard, std::function<void()> fn);

  /// Hands a connected TCP socket over to `shard`, where `inst` serves it: `fd` becomes owned by
  /// the shard set; `input` holds bytes already read from it (parsed there first) and `output`
  /// bytes already owed to the client (sent first). Closes `fd` when `inst` is not served there.
  void AdoptConnection(int shard, int fd, engine::Instance* inst, std::string input,
                       std::string output = {});

  Shard& shard(int i) { return *shards_[static_cast<size_t>(i)]; }

 private:
  ShardSetOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  mutable std::mutex mu_;  // guards placement_ and the started/stopped flags
  std::map<const engine::Instance*, int> placement_;
  std::vector<int> instances_per_shard_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace mr::redis_server
