#include "redis_server/shard_set.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>

#include "engine/server/engine.h"
#include "engine/server/session.h"
#include "redis_server/connection.h"
#include "redis_server/greeter.h"
#include "redis_server/refusal.h"
#include "redis_server/shard.h"

namespace mr::redis_server {

namespace {

int64_t SteadySeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Shard::AcceptLoop {
  AcceptLoop(tcp::acceptor a, AcceptTarget t, asio::io_context& io)
      : acceptor(std::move(a)), target(t), retry(io) {}
  tcp::acceptor acceptor;
  AcceptTarget target;
  asio::steady_timer retry;  // after EMFILE and the like, instead of spinning
  bool closed = false;
};

bool WrapNativeSocket(asio::io_context& io, int fd, tcp::socket* out) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return false;
  }
  boost::system::error_code ec;
  *out = tcp::socket(io);
  out->assign(ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  return !ec;
}

// ---- Shard ---------------------------------------------------------------------------------

// With one thread per io_context, BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO drops the reactor's
// locks (sockets and timers are only touched on this thread) while keeping post() thread-safe,
// which handovers and the control plane need.
Shard::Shard(ShardSet* owner, int index)
    : owner_(owner), index_(index), io_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO), tick_(io_),
      deadline_timer_(io_) {
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      io_.get_executor());
  now_s_ = SteadySeconds();
}

Shard::~Shard() { Join(); }

void Shard::StartThread() {
  running_ = true;
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    tick_.expires_after(options().tick);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        Tick();
      }
    });
    io_.run();
    running_ = false;
  });
}

void Shard::Join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool Shard::OnThisThread() const { return thread_id_ == std::this_thread::get_id(); }

void Shard::Tick() {
  now_s_ = SteadySeconds();
  // One budget for the whole shard; a rotating start keeps a busy instance from starving the
  // ones after it.
  const auto budget = options().expiry_budget;
  const size_t n = instances_.size();
  if (n > 0) {
    auto each = std::max(budget / static_cast<int64_t>(n), std::chrono::microseconds(20));
    auto start = std::chrono::steady_clock::now();
    for (size_t k = 0; k < n; ++k) {
      size_t i = (expiry_cursor_ + k) % n;
      engine::RunActiveExpiry(*instances_[i]->inst, each);
      if (std::chrono::steady_clock::now() - start > budget) {
        expiry_cursor_ = i + 1;
        break;
      }
    }
  }
  // Persistence: commit what expiry recorded, finish background saves, start due snapshots.
  for (auto& served : instances_) {
    if (engine::ChangeLog* log = served->inst->change_log(); log != nullptr) {
      log->Tick();
    }
  }
  if (shutting_down_) {
    return;
  }
  tick_.expires_at(tick_.expiry() + options().tick);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      Tick();
    }
  });
}

void Shard::WatchBlockedDeadline(engine::Instance* inst, int64_t deadline_ms) {
  if (armed_deadline_ms_ == 0 || deadline_ms < armed_deadline_ms_) {
    ArmBlockedDeadline(deadline_ms, inst->clock().NowMs());
  }
}

void Shard::ArmBlockedDeadline(int64_t deadline_ms, int64_t now_ms) {
  armed_deadline_ms_ = deadline_ms;
  int64_t delay_ms = std::max<int64_t>(0, deadline_ms - now_ms);
  deadline_timer_.expires_after(std::chrono::milliseconds(delay_ms));
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      OnBlockedDeadline();
    }
  });
}

void Shard::OnBlockedDeadline() {
  armed_deadline_ms_ = 0;
  if (shutting_down_) {
    return;
  }
  // RunActiveExpiry serves blocked timeouts; its expiry part is bounded by the small budget.
  int64_t next = 0;
  int64_t now = 0;
  for (auto& served : instances_) {
    std::vector<engine::Session*> blocked = served->inst->BlockedSessions();
    if (blocked.empty()) {
      continue;
    }
    engine::RunActiveExpiry(*served->inst, std::chrono::microseconds(50));
    now = served->inst->clock().NowMs();
    for (engine::Session* s : served->inst->BlockedSessions()) {
      if (s->blocked_deadline_ms > 0 && (next == 0 || s->blocked_deadline_ms < next)) {
        next = s->blocked_deadline_ms;
      }
    }
  }
  if (next != 0) {
    ArmBlockedDeadline(next, now);
  }
}

void Shard::ShutDown() {
  shutting_down_ = true;
  deadline_timer_.cancel();
  for (auto& [id, loop] : acceptors_) {
    boost::system::error_code ec;
    loop->closed = true;
    loop->acceptor.close(ec);
    loop->retry.cancel();
    loop.release();  // its pending accept handler deletes it
  }
  acceptors_.clear();
  std::vector<Greeter*> greeters(greeters_.begin(), greeters_.end());
  for (Greeter* g : greeters) {
    g->Close();
  }
  std::vector<Refusal*> refusals(refusals_.begin(), refusals_.end());
  for (Refusal* r : refusals) {
    r->Close();
  }
  for (auto& served : instances_) {
    std::vector<Connection*> conns;
    for (auto& [id, c] : served->connections) {
      conns.push_back(c);
    }
    for (Connection* c : conns) {
      c->Close();
    }
  }
  instances_.clear();
  tick_.cancel();
  work_.reset();  // run() returns once the aborted operations have completed
}

ServedInstance* Shard::Find(const engine::Instance* inst) {
  for (auto& s : instances_) {
    if (s->inst == inst) {
      return s.get();
    }
  }
  return nullptr;
}

void Shard::AddInstance(engine::Instance* inst, InstanceAccess access) {
  auto served = std::make_unique<ServedInstance>();
  served->inst = inst;
  served->access = std::move(access);
  instances_.push_back(std::move(served));
}

void Shard::RemoveInstance(engine::Instance* inst) {
  auto it = std::find_if(instances_.begin(), instances_.end(),
                         [&](const auto& s) { return s->inst == inst; });
  if (it == instances_.end()) {
    return;
  }
  std::vector<Connection*> conns;
  for (auto& [id, c] : (*it)->connections) {
    conns.push_back(c);
  }
  for (Connection* c : conns) {
    c->Close();
  }
  instances_.erase(it);
  expiry_cursor_ = 0;
}

uint64_t Shard::AddAcceptor(tcp::acceptor acceptor, AcceptTarget target) {
  uint64_t id = next_acceptor_id_++;
  auto loop = std::make_unique<AcceptLoop>(std::move(acceptor), target, io_);
  AcceptLoop* raw = loop.get();
  acceptors_.emplace(id, std::move(loop));
  Accept(raw);
  return id;
}

void Shard::CloseAcceptor(uint64_t id) {
  auto it = acceptors_.find(id);
  if (it == acceptors_.end()) {
    return;
  }
  boost::system::error_code ec;
  it->second->closed = true;
  it->second->acceptor.close(ec);
  it->second->retry.cancel();
  it->second.release();  // its pending accept (or retry) handler deletes it
  acceptors_.erase(it);
}

void Shard::SetAcceptRefusal(uint64_t id, std::string error) {
  auto it = acceptors_.find(id);
  if (it != acceptors_.end()) {
    it->second->target.refusal = error.empty() ? std::string() : "-" + error + "\r\n";
  }
}

void Shard::Refuse(tcp::socket socket, std::string_view reply) {
  auto* r = new Refusal(*this, std::move(socket));
  refusals_.insert(r);
  r->Start(reply);
}

void Shard::Accept(AcceptLoop* loop) {
  loop->acceptor.async_accept(io_, [this, loop](const boost::system::error_code& ec,
                                                tcp::socket socket) {
    if (loop->closed) {
      delete loop;
      return;
    }
    if (ec) {
      // Out of descriptors or memory: try again shortly rather than spinning on the error.
      loop->retry.expires_after(std::chrono::milliseconds(100));
      loop->retry.async_wait([this, loop](const boost::system::error_code&) {
        if (loop->closed) {
          delete loop;
          return;
        }
        Accept(loop);
      });
      return;
    }
    if (!loop->target.refusal.empty()) {
      Refuse(std::move(socket), loop->target.refusal);
    } else if (loop->target.inst != nullptr) {
      Serve(std::move(socket), loop->target.inst, {}, {});
    } else {
      Greet(std::move(socket), loop->target.directory);
    }
    Accept(loop);
  });
}

void Shard::Serve(tcp::socket socket, engine::Instance* inst, std::string_view input,
                  std::string_view output) {
  ServedInstance* served = Find(inst);
  if (served == nullptr || shutting_down_) {
    boost::system::error_code ec;
    socket.close(ec);  // the instance was removed (or moved) since the accept or the lookup
    return;
  }
  // Redis' maxclients: checked when the connection arrives (after AUTH on the shared port, whose
  // AUTH then gets this error as its reply); bytes already owed to the client go first.
  const int64_t max_clients = inst->config().max_clients;
  if (max_clients > 0 && served->connections.size() >= static_cast<size_t>(max_clients)) {
    inst->counters.rejected_connections++;
    std::string reply(output);
    reply.append("-ERR max number of clients reached\r\n");
    Refuse(std::move(socket), reply);
    return;
  }
  auto* conn = new Connection(*this, *served, std::move(socket));
  conn->Start(input, output);
}

void Shard::Greet(tcp::socket socket, const InstanceDirectory* directory) {
  auto* g = new Greeter(*this, std::move(socket), *directory);
  greeters_.insert(g);
  g->Start();
}

void Shard::Defer(Connection* conn) {
  if (conn->deferred_queued()) {
    return;
  }
  conn->set_deferred_queued(true);
  deferred_.push_back(conn);
  if (!drain_posted_) {
    drain_posted_ = true;
    asio::post(io_, [this] { Drain(); });
  }
}

void Shard::Drain() {
  drain_posted_ = false;
  draining_.swap(deferred_);
  for (Connection* c : draining_) {
    c->RunDeferred();  // may delete c, or queue it again into deferred_
  }
  draining_.clear();
}

// ---- ShardSet ------------------------------------------------------------------------------

ShardSet::ShardSet(ShardSetOptions options) : options_(options) {
  int n = options_.shards > 0 ? options_.shards
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options_.shards = n;
  for (int i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>(this, i));
  }
  instances_per_shard_.assign(static_cast<size_t>(n), 0);
}

ShardSet::~ShardSet() { Stop(); }

void ShardSet::Start() {
  std::lock_guard lock(mu_);
  if (started_) {
    return;
  }
  started_ = true;
  for (auto& s : shards_) {
    s->StartThread();
  }
}

void ShardSet::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
  }
  for (int i = 0; i < size(); ++i) {
    RunOn(i, [this, i] { shard(i).ShutDown(); });
  }
  for (auto& s : shards_) {
    s->Join();
  }
}

int ShardSet::PickShard() const {
  std::lock_guard lock(mu_);
  auto it = std::min_element(instances_per_shard_.begin(), instances_per_shard_.end());
  return static_cast<int>(it - instances_per_shard_.begin());
}

Status ShardSet::AddInstance(int shard_index, engine::Instance* inst, InstanceAccess access) {
  if (shard_index < 0 || shard_index >= size() || inst == nullptr) {
    return Status::Error("no shard " + std::to_string(shard_index) + " (there are " +
                         std::to_string(size()) + ")");
  }
  {
    std::lock_guard lock(mu_);
    if (!placement_.emplace(inst, shard_index).second) {
      return Status::Error("instance '" + access.id + "' is already served");
    }
    instances_per_shard_[static_cast<size_t>(shard_index)]++;
  }
  RunOn(shard_index, [&] { shard(shard_index).AddInstance(inst, std::move(access)); });
  return Status::Ok();
}

void ShardSet::RemoveInstance(engine::Instance* inst) {
  int shard_index;
  {
    std::lock_guard lock(mu_);
    auto it = placement_.find(inst);
    if (it == placement_.end()) {
      return;
    }
    shard_index = it->second;
    placement_.erase(it);
    instances_per_shard_[static_cast<size_t>(shard_index)]--;
  }
  RunOn(shard_index, [&] { shard(shard_index).RemoveInstance(inst); });
}

void ShardSet::SetAccess(engine::Instance* inst, InstanceAccess access) {
  int shard_index = ShardOf(inst);
  if (shard_index < 0) {
    return;
  }
  RunOn(shard_index, [&] {
    if (ServedInstance* served = shard(shard_index).Find(inst)) {
      served->access = std::move(access);
    }
  });
}

int ShardSet::ShardOf(const engine::Instance* inst) const {
  std::lock_guard lock(mu_);
  auto it = placement_.find(inst);
  return it == placement_.end() ? -1 : it->second;
}

void ShardSet::RunOn(int shard_index, const std::function<void()>& fn) {
  Shard& s = shard(shard_index);
  if (!s.running() || s.OnThisThread()) {
    fn();
    return;
  }
  std::promise<void> done;
  asio::post(s.io(), [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void ShardSet::PostTo(int shard_index, std::function<void()> fn) {
  asio::post(shard(shard_index).io(), std::move(fn));
}

void ShardSet::AdoptConnection(int shard_index, int fd, engine::Instance* inst, std::string input,
                               std::string output) {
  if (shard_index < 0 || shard_index >= size()) {
    ::close(fd);
    return;
  }
  Shard& s = shard(shard_index);
  asio::post(s.io(), [&s, fd, inst, input = std::move(input), output = std::move(output)] {
    tcp::socket socket(s.io());
    if (!WrapNativeSocket(s.io(), fd, &socket)) {
      ::close(fd);
      return;
    }
    s.Serve(std::move(socket), inst, input, output);
  });
}

}  // namespace mr::redis_server
