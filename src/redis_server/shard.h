// One shard's event loop and what it serves: its instances, their connections, accept loops and
// the deferred-work queue. Internal to src/redis_server (it includes Asio); touched on its thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "redis_server/shard_set.h"

namespace mr::redis_server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Connection;
class Greeter;
class InstanceDirectory;
class Refusal;

/// An instance as this shard serves it.
struct ServedInstance {
  engine::Instance* inst = nullptr;
  InstanceAccess access;
  std::map<uint64_t, Connection*> connections;  // by client id: CLIENT LIST order
};

/// What an accept loop hands new sockets to: an instance (dedicated port) or the directory.
struct AcceptTarget {
  engine::Instance* inst = nullptr;           // dedicated port
  const InstanceDirectory* directory = nullptr;  // shared port
  std::string refusal;  // non-empty: every new connection gets this RESP error and is closed
};

class Shard {
 public:
  Shard(ShardSet* owner, int index);
  ~Shard();

  asio::io_context& io() { return io_; }
  int index() const { return index_; }
  ShardSet& owner() { return *owner_; }
  const ShardSetOptions& options() const { return owner_->options(); }

  void StartThread();
  /// On the shard thread: closes accept loops, greeters and connections, stops the tick and lets
  /// the loop run dry so the thread ends.
  void ShutDown();
  void Join();
  bool OnThisThread() const;
  bool running() const { return running_.load(); }

  ServedInstance* Find(const engine::Instance* inst);
  void AddInstance(engine::Instance* inst, InstanceAccess access);
  void RemoveInstance(engine::Instance* inst);

  /// Accept loops (listeners) live here; ids let the public Listener handle close them.
  uint64_t AddAcceptor(tcp::acceptor acceptor, AcceptTarget target);
  void CloseAcceptor(uint64_t id);
  /// Makes an accept loop turn every new connection away with `error` (e.g. "ERR instance is
  /// stopped"), or serve again when `error` is empty. The port stays bound either way.
  void SetAcceptRefusal(uint64_t id, std::string error);

  /// Serves a socket already connected (accepted here or handed over from another shard).
  void Serve(tcp::socket socket, engine::Instance* inst, std::string_view input,
             std::string_view output);
  void Greet(tcp::socket socket, const InstanceDirectory* directory);
  void ForgetGreeter(Greeter* g) { greeters_.erase(g); }
  /// Sends `reply` (complete RESP) and closes the socket without resetting it.
  void Refuse(tcp::socket socket, std::string_view reply);
  void ForgetRefusal(Refusal* r) { refusals_.erase(r); }

  /// Runs conn->RunDeferred() after the current handler (coalesces pub/sub flushes and wakes).
  void Defer(Connection* conn);
  /// A session just blocked with this deadline (Instance clock, ms): time it out on the dot, as
  /// Redis does, instead of waiting for the next 100 ms tick.
  void WatchBlockedDeadline(engine::Instance* inst, int64_t deadline_ms);
  /// Seconds on a clock refreshed every tick: cheap enough for per-read idle bookkeeping.
  int64_t now_s() const { return now_s_; }

 private:
  struct AcceptLoop;
  void Tick();
  void OnBlockedDeadline();
  void ArmBlockedDeadline(int64_t deadline_ms, int64_t now_ms);
  void Drain();
  void Accept(AcceptLoop* loop);

  ShardSet* owner_;
  int index_;
  asio::io_context io_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  asio::steady_timer tick_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> running_{false};
  int64_t now_s_ = 0;
  asio::steady_timer deadline_timer_;
  int64_t armed_deadline_ms_ = 0;  // 0: the deadline timer is idle
  size_t expiry_cursor_ = 0;

  std::vector<std::unique_ptr<ServedInstance>> instances_;
  std::map<uint64_t, std::unique_ptr<AcceptLoop>> acceptors_;
  uint64_t next_acceptor_id_ = 1;
  std::unordered_set<Greeter*> greeters_;
  std::unordered_set<Refusal*> refusals_;
  std::vector<Connection*> deferred_;
  std::vector<Connection*> draining_;
  bool drain_posted_ = false;
  bool shutting_down_ = false;
};

/// Turns a released native socket into an Asio socket on `io` (IPv4 or IPv6 as the fd is).
bool WrapNativeSocket(asio::io_context& io, int fd, tcp::socket* out);

}  // namespace mr::redis_server
