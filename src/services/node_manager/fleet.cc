#include "services/node_manager/fleet.h"

#include <chrono>
#include <mutex>

#include "engine/server/engine.h"
#include "redis_server/instance_directory.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "resp/writer.h"

namespace mr::services {
namespace rs = redis_server;

struct Fleet::Hosted {
  InstanceRecord record;
  std::unique_ptr<engine::Instance> instance;
  int shard = -1;
  bool served = false;
  std::unique_ptr<rs::Listener> listener;
};

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

ApiError NotFound(const std::string& id) {
  return {404, "not_found", "instance '" + id + "' does not exist"};
}

engine::InstanceConfig EngineConfig(const std::string& id, const InstanceSpec& spec) {
  engine::InstanceConfig c;
  c.id = id;
  c.maxmemory = spec.memory_limit_mb * 1024 * 1024;
  engine::ParsePolicy(spec.eviction_policy, &c.policy);  // validated by ParseInstanceSpec
  return c;
}

// Commands the exec API cannot run: they need a long-lived connection.
bool ExecAllowed(const engine::CommandId& cmd) {
  using namespace engine::co;
  return (cmd.flags & (BLOCKING | PUBSUB | CONNECTION | MULTI_CTRL)) == 0;
}

}  // namespace

Fleet::Fleet(Options options, rs::ShardSet& shards, rs::InstanceTable& directory,
             InstanceStore& store, PortPool& ports)
    : options_(std::move(options)), shards_(shards), directory_(directory), store_(store),
      ports_(ports) {}

Fleet::~Fleet() { Shutdown(); }

Fleet::Hosted* Fleet::Find(const std::string& id) const {
  auto it = instances_.find(id);
  return it == instances_.end() ? nullptr : it->second.get();
}

size_t Fleet::size() const {
  std::shared_lock lock(mu_);
  return instances_.size();
}

std::optional<ApiError> Fleet::Persist(const InstanceRecord& r) {
  Status s = store_.Save(r);
  if (!s.ok()) {
    return ApiError{500, "storage_error", s.message()};
  }
  return std::nullopt;
}

// Makes the instance reachable: served on its shard, in the directory, on its dedicated port.
std::optional<ApiError> Fleet::Serve(Hosted& h) {
  if (h.served) {
    return std::nullopt;
  }
  rs::InstanceAccess access{h.record.id, "", h.record.password_hash};
  Status s = shards_.AddInstance(h.shard, h.instance.get(), access);
  if (!s.ok()) {
    return ApiError{500, "internal", s.message()};
  }
  if (h.record.port != 0) {
    rs::ListenOptions lo{options_.bind_address, h.record.port};
    auto listener = rs::Listener::Dedicated(shards_, h.shard, h.instance.get(), lo);
    if (!listener.ok()) {
      shards_.RemoveInstance(h.instance.get());
      return ApiError{409, "port_unavailable", listener.error()};
    }
    h.listener = std::move(*listener);
  }
  directory_.Put(h.record.id, {h.shard, h.instance.get(), "", h.record.password_hash});
  h.served = true;
  return std::nullopt;
}

void Fleet::Unserve(Hosted& h) {
  if (!h.served) {
    return;
  }
  directory_.Remove(h.record.id);
  if (h.listener) {
    h.listener->Close();
    h.listener.reset();
  }
  shards_.RemoveInstance(h.instance.get());
  h.served = false;
}

std::optional<ApiError> Fleet::Create(const std::string& id, const InstanceSpec& spec,
                                      InstanceRecord* out) {
  auto h = std::make_unique<Hosted>();
  InstanceRecord& r = h->record;
  r.id = id;
  r.spec = spec;
  r.spec.password.clear();
  r.password_hash = HashInstancePassword(spec.password);
  r.created_at_ms = r.updated_at_ms = NowMs();
  if (spec.dedicated_port) {
    if (spec.port) {
      if (!ports_.Contains(*spec.port)) {
        return ApiError{400, "invalid_port", "port " + std::to_string(*spec.port) +
                                                 " is outside the dedicated port pool"};
      }
      if (Status s = ports_.Claim(*spec.port, id); !s.ok()) {
        return ApiError{409, "port_taken", s.message()};
      }
      r.port = *spec.port;
    } else {
      auto port = ports_.Allocate(id);
      if (!port.ok()) {
        return ApiError{409, "port_pool_exhausted",
                        port.error() + "; create it with \"dedicated_port\": false to use the "
                                       "shared port"};
      }
      r.port = *port;
    }
  }
  h->shard = shards_.PickShard();
  shards_.RunOn(h->shard, [&] { h->instance = std::make_unique<engine::Instance>(
                                    EngineConfig(id, spec)); });
  auto rollback = [&] {
    if (r.port != 0) {
      ports_.Release(r.port);
    }
  };
  if (auto err = Serve(*h)) {
    rollback();
    return err;
  }
  if (auto err = Persist(r)) {
    Unserve(*h);
    rollback();
    store_.Remove(id);
    return err;
  }
  *out = r;
  instances_[id] = std::move(h);
  return std::nullopt;
}

std::optional<ApiError> Fleet::Update(Hosted& h, const InstanceSpec& spec, InstanceRecord* out) {
  InstanceRecord next = h.record;
  next.spec = spec;
  next.spec.password.clear();
  next.port = h.record.port;
  if (spec.dedicated_port != h.record.spec.dedicated_port ||
      (spec.port && *spec.port != h.record.port)) {
    return ApiError{409, "port_change_unsupported",
                    "an instance keeps its endpoint; delete and recreate it to change the port"};
  }
  bool password_changed = !VerifyInstancePassword(spec.password, h.record.password_hash);
  if (password_changed) {
    next.password_hash = HashInstancePassword(spec.password);
  }
  next.updated_at_ms = NowMs();
  if (auto err = Persist(next)) {
    return err;
  }
  shards_.RunOn(h.shard, [&] {
    auto& cfg = h.instance->config();
    engine::InstanceConfig wanted = EngineConfig(h.record.id, spec);
    cfg.maxmemory = wanted.maxmemory;
    cfg.policy = wanted.policy;
    h.instance->FreeMemoryIfNeeded();
  });
  h.record = next;
  if (password_changed && h.served) {
    // New connections need the new password; the directory answers the shared port.
    shards_.SetAccess(h.instance.get(), {h.record.id, "", h.record.password_hash});
    directory_.Put(h.record.id, {h.shard, h.instance.get(), "", h.record.password_hash});
  }
  *out = h.record;
  return std::nullopt;
}

std::optional<ApiError> Fleet::Put(const std::string& id, const InstanceSpec& spec,
                                   PutOutcome* out) {
  if (!IsValidInstanceId(id)) {
    return ApiError{400, "invalid_id",
                    "instance ids are 1-64 characters of a-z, 0-9 and '-', not starting with '-'"};
  }
  std::unique_lock lock(mu_);
  if (Hosted* h = Find(id)) {
    out->created = false;
    return Update(*h, spec, &out->record);
  }
  out->created = true;
  return Create(id, spec, &out->record);
}

std::optional<ApiError> Fleet::Stop(const std::string& id, InstanceRecord* out) {
  std::unique_lock lock(mu_);
  Hosted* h = Find(id);
  if (!h) {
    return NotFound(id);
  }
  if (h->record.running) {
    InstanceRecord next = h->record;
    next.running = false;
    next.updated_at_ms = NowMs();
    if (auto err = Persist(next)) {
      return err;
    }
    h->record = next;
  }
  Unserve(*h);  // the data stays in memory; the port stays reserved for this instance
  *out = h->record;
  return std::nullopt;
}

std::optional<ApiError> Fleet::Start(const std::string& id, InstanceRecord* out) {
  std::unique_lock lock(mu_);
  Hosted* h = Find(id);
  if (!h) {
    return NotFound(id);
  }
  if (auto err = Serve(*h)) {
    return err;
  }
  if (!h->record.running) {
    InstanceRecord next = h->record;
    next.running = true;
    next.updated_at_ms = NowMs();
    if (auto err = Persist(next)) {
      Unserve(*h);
      return err;
    }
    h->record = next;
  }
  *out = h->record;
  return std::nullopt;
}

std::optional<ApiError> Fleet::Delete(const std::string& id) {
  std::unique_lock lock(mu_);
  Hosted* h = Find(id);
  if (!h) {
    return NotFound(id);
  }
  Unserve(*h);
  if (Status s = store_.Remove(id); !s.ok()) {
    return ApiError{500, "storage_error", s.message()};
  }
  if (h->record.port != 0) {
    ports_.Release(h->record.port);
  }
  shards_.RunOn(h->shard, [&] { h->instance.reset(); });
  instances_.erase(id);
  return std::nullopt;
}

std::optional<InstanceRecord> Fleet::Get(const std::string& id) const {
  std::shared_lock lock(mu_);
  Hosted* h = Find(id);
  return h ? std::optional<InstanceRecord>(h->record) : std::nullopt;
}

std::vector<InstanceRecord> Fleet::List() const {
  std::shared_lock lock(mu_);
  std::vector<InstanceRecord> out;
  out.reserve(instances_.size());
  for (const auto& [id, h] : instances_) {
    out.push_back(h->record);
  }
  return out;
}

std::optional<ApiError> Fleet::Exec(const std::string& id, const std::vector<std::string>& command,
                                    std::string* resp_reply) {
  if (command.empty()) {
    return ApiError{400, "invalid_command", "command must be a non-empty array of strings"};
  }
  const engine::CommandId* cmd = engine::FindCommand(command[0]);
  if (cmd && !ExecAllowed(*cmd)) {
    return ApiError{400, "command_not_supported",
                    "'" + command[0] + "' needs a persistent connection; use a Redis client"};
  }
  std::shared_lock lock(mu_);
  Hosted* h = Find(id);
  if (!h) {
    return NotFound(id);
  }
  if (!h->record.running) {
    return ApiError{409, "instance_stopped", "instance '" + id + "' is stopped"};
  }
  std::vector<std::string_view> args(command.begin(), command.end());
  shards_.RunOn(h->shard, [&] {
    engine::Session session;
    engine::OpenSession(*h->instance, session);
    // RESP2 like Upstash's REST API: HGETALL is a flat array, scores are strings.
    resp::Writer writer(resp_reply, resp::Protocol::kResp2);
    engine::Dispatch(*h->instance, session, args, writer);
    engine::CloseSession(*h->instance, session);
  });
  return std::nullopt;
}

std::vector<InstanceStats> Fleet::Stats() {
  std::shared_lock lock(mu_);
  std::vector<InstanceStats> out;
  out.reserve(instances_.size());
  auto now = std::chrono::steady_clock::now();
  for (const auto& [id, h] : instances_) {
    engine::Stats s;
    shards_.RunOn(h->shard, [&] { s = h->instance->stats(); });
    InstanceStats st;
    st.id = id;
    st.running = h->record.running;
    st.used_memory = s.used_memory;
    st.maxmemory = s.maxmemory;
    for (const auto& db : s.dbs) {
      st.keys += db.keys;
      st.expires += db.expires;
    }
    st.total_commands = s.total_commands_processed;
    st.hits = s.keyspace_hits;
    st.misses = s.keyspace_misses;
    st.connected_clients = s.connected_clients;
    st.evicted_keys = s.evicted_keys;
    st.expired_keys = s.expired_keys;
    {
      // ops/s over the interval since this instance was last sampled.
      std::lock_guard ops_lock(ops_mu_);
      auto& [prev_total, prev_time] = last_ops_[id];
      double secs = std::chrono::duration<double>(now - prev_time).count();
      if (prev_time.time_since_epoch().count() != 0 && secs > 0 && st.total_commands >= prev_total) {
        st.ops_per_sec = static_cast<double>(st.total_commands - prev_total) / secs;
      }
      prev_total = st.total_commands;
      prev_time = now;
    }
    out.push_back(st);
  }
  return out;
}

std::vector<std::string> Fleet::Restore() {
  std::unique_lock lock(mu_);
  auto loaded = store_.LoadAll();
  std::vector<std::string> problems = loaded.problems;
  for (auto& r : loaded.records) {
    auto h = std::make_unique<Hosted>();
    h->record = r;
    if (r.port != 0) {
      if (Status s = ports_.Claim(r.port, r.id); !s.ok()) {
        problems.push_back(r.id + ": " + s.message());
        continue;
      }
    }
    h->shard = shards_.PickShard();
    shards_.RunOn(h->shard, [&] { h->instance = std::make_unique<engine::Instance>(
                                      EngineConfig(r.id, r.spec)); });
    if (r.running) {
      if (auto err = Serve(*h)) {
        problems.push_back(r.id + ": " + err->message);
      }
    }
    instances_[r.id] = std::move(h);
  }
  return problems;
}

void Fleet::Shutdown() {
  std::unique_lock lock(mu_);
  for (auto& [id, h] : instances_) {
    Unserve(*h);
  }
}

}  // namespace mr::services
