#include "services/node_manager/fleet.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "engine/server/engine.h"
#include "redis_server/instance_directory.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "resp/writer.h"
#include "storage/instance_storage.h"

namespace mr::services {
namespace rs = redis_server;

struct Fleet::Hosted {
  InstanceRecord record;
  std::unique_ptr<engine::Instance> instance;
  int shard = -1;
  bool served = false;
  bool parked = false;  // stopped: the port stays bound and answers "ERR instance is stopped"
  std::unique_ptr<rs::Listener> listener;
  std::unique_ptr<storage::InstanceStorage> storage;  // null with persistence "none"
  storage::RestoreReport restored;
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
  c.max_clients = spec.max_clients;
  c.max_ops_per_sec = spec.max_ops_per_sec;
  return c;
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
    const bool parked_listener = h.listener != nullptr;
    if (auto err = OpenListener(h)) {
      shards_.RemoveInstance(h.instance.get());
      return err;
    }
    if (parked_listener) {
      h.listener->SetRefusal("");  // a stopped instance's port serves again
    }
  }
  directory_.Put(h.record.id, {h.shard, h.instance.get(), "", h.record.password_hash});
  h.served = true;
  h.parked = false;
  return std::nullopt;
}

std::optional<ApiError> Fleet::OpenListener(Hosted& h) {
  if (h.listener || h.record.port == 0) {
    return std::nullopt;
  }
  rs::ListenOptions lo{options_.bind_address, h.record.port};
  auto listener = rs::Listener::Dedicated(shards_, h.shard, h.instance.get(), lo);
  if (!listener.ok()) {
    return ApiError{409, "port_unavailable", listener.error()};
  }
  h.listener = std::move(*listener);
  return std::nullopt;
}

// A stopped instance keeps its endpoint: its dedicated port stays bound (no other process can
// take it, and start needs no re-bind) and turns connections away with "-ERR instance is stopped"
// (no id: that is said before any password); the shared port answers AUTH with the right password
// "-ERR instance '<id>' is stopped". Its connections are closed; its data stays in memory.
std::optional<ApiError> Fleet::Park(Hosted& h) {
  std::optional<ApiError> err = OpenListener(h);  // after a restart the port is not bound yet
  if (h.listener) {
    h.listener->SetRefusal("ERR instance is stopped");
  }
  directory_.Put(h.record.id,
                 {h.shard, h.instance.get(), "", h.record.password_hash, /*stopped=*/true});
  if (h.served) {
    shards_.RemoveInstance(h.instance.get());
    h.served = false;
  }
  h.parked = true;
  return err;
}

// Stops serving altogether and unbinds the port (delete, shutdown, a failed create).
void Fleet::Unserve(Hosted& h) {
  if (h.served || h.parked) {
    directory_.Remove(h.record.id);
  }
  if (h.listener) {
    h.listener->Close();
    h.listener.reset();
  }
  if (h.served) {
    shards_.RemoveInstance(h.instance.get());
  }
  h.served = false;
  h.parked = false;
}

// Everything a new instance needs before it is published: its port, its engine on a shard, its
// storage and its durable record. Runs without the fleet lock, so concurrent creates overlap their
// disk writes instead of queueing behind each other's fsyncs. On failure nothing is left behind.
std::optional<ApiError> Fleet::Build(const std::string& id, const InstanceSpec& spec, Hosted& h) {
  InstanceRecord& r = h.record;
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
  h.shard = shards_.PickShard();
  shards_.RunOn(h.shard, [&] { h.instance = std::make_unique<engine::Instance>(
                                   EngineConfig(id, spec)); });
  if (auto err = AttachStorage(h, true)) {
    Discard(h);
    return err;
  }
  if (auto err = Persist(r)) {
    Discard(h);
    return err;
  }
  return std::nullopt;
}

// Undoes Build: storage closed, files removed, port released.
void Fleet::Discard(Hosted& h) {
  if (h.instance) {
    shards_.RunOn(h.shard, [&] { h.storage.reset(); });
  }
  store_.Remove(h.record.id);
  if (h.record.port != 0) {
    ports_.Release(h.record.port);
  }
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
  const Persistence before = h.record.spec.persistence;
  h.record.spec.persistence = spec.persistence;
  if (auto err = ChangePersistence(h, before)) {
    h.record.spec.persistence = before;
    (void)Persist(h.record);
    return err;
  }
  shards_.RunOn(h.shard, [&] {
    auto& cfg = h.instance->config();
    engine::InstanceConfig wanted = EngineConfig(h.record.id, spec);
    cfg.maxmemory = wanted.maxmemory;
    cfg.policy = wanted.policy;
    cfg.max_clients = wanted.max_clients;  // new connections see it; open ones stay, as in Redis
    cfg.max_ops_per_sec = wanted.max_ops_per_sec;
    h.instance->FreeMemoryIfNeeded();
  });
  h.record = next;
  if (password_changed && (h.served || h.parked)) {
    // New connections need the new password; the directory answers the shared port.
    shards_.SetAccess(h.instance.get(), {h.record.id, "", h.record.password_hash});
    directory_.Put(h.record.id,
                   {h.shard, h.instance.get(), "", h.record.password_hash, !h.served});
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
  // One PUT of an id at a time: a second one waits for the first to finish, then updates.
  building_done_.wait(lock, [&] { return building_.count(id) == 0; });
  if (Hosted* h = Find(id)) {
    out->created = false;
    return Update(*h, spec, &out->record);
  }
  out->created = true;
  building_.insert(id);
  lock.unlock();
  auto h = std::make_unique<Hosted>();
  std::optional<ApiError> err = Build(id, spec, *h);
  lock.lock();
  building_.erase(id);
  building_done_.notify_all();
  if (err) {
    return err;
  }
  if (shut_down_) {
    Discard(*h);
    return ApiError{503, "shutting_down", "node-manager is shutting down"};
  }
  if (auto serve_err = Serve(*h)) {
    Discard(*h);
    return serve_err;
  }
  out->record = h->record;
  instances_[id] = std::move(h);
  return std::nullopt;
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
  Park(*h);  // the data stays in memory; the port stays reserved (and bound) for this instance
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
      Park(*h);  // still stopped on disk: stay stopped, port kept
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
  shards_.RunOn(h->shard, [&] { h->storage.reset(); });  // its files go with the folder
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
  if (!ExecRefusal(command).empty()) {
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
    if (engine::ChangeLog* log = h->instance->change_log(); log != nullptr) {
      log->Commit();  // acknowledged by the API only once logged, as on a connection
    }
    engine::CloseSession(*h->instance, session);
  });
  return std::nullopt;
}

std::optional<ApiError> Fleet::ExecBatch(const std::string& id,
                                         const std::vector<Command>& commands, bool transaction,
                                         BatchReplies* out) {
  std::shared_lock lock(mu_);
  Hosted* h = Find(id);
  if (!h) {
    return NotFound(id);
  }
  if (!h->record.running) {
    return ApiError{409, "instance_stopped", "instance '" + id + "' is stopped"};
  }
  shards_.RunOn(h->shard, [&] { *out = RunBatch(*h->instance, commands, transaction); });
  return std::nullopt;
}

std::vector<InstanceStats> Fleet::Stats() {
  std::shared_lock lock(mu_);
  std::vector<InstanceStats> out;
  out.reserve(instances_.size());
  auto now = std::chrono::steady_clock::now();
  // One trip to each shard reads all of its instances (10,000 trips would take ~0.4 s).
  struct Sample {
    engine::Stats stats;
    engine::LatencyHistogram::Percentiles latency;
  };
  std::vector<Sample> samples(instances_.size());
  std::vector<std::vector<std::pair<const Hosted*, Sample*>>> by_shard(
      static_cast<size_t>(shards_.size()));
  size_t next = 0;
  for (const auto& [id, h] : instances_) {
    by_shard[static_cast<size_t>(h->shard)].emplace_back(h.get(), &samples[next++]);
  }
  for (int shard = 0; shard < shards_.size(); ++shard) {
    if (by_shard[static_cast<size_t>(shard)].empty()) {
      continue;
    }
    shards_.RunOn(shard, [&] {
      for (auto& [h, sample] : by_shard[static_cast<size_t>(shard)]) {
        sample->stats = h->instance->stats();
        sample->latency = h->instance->latency().Read(h->instance->clock().NowUs());
      }
    });
  }
  next = 0;
  for (const auto& [id, h] : instances_) {
    const engine::Stats& s = samples[next].stats;
    const engine::LatencyHistogram::Percentiles& lat = samples[next++].latency;
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
    st.rejected_commands = s.rejected_commands;
    st.rejected_connections = s.rejected_connections;
    st.latency_p50_us = lat.p50_us;
    st.latency_p99_us = lat.p99_us;
    st.latency_p999_us = lat.p999_us;
    st.persistence = PersistenceOf(*h);
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

FleetTotals Fleet::Totals() {
  std::shared_lock lock(mu_);
  FleetTotals t;
  t.instances = instances_.size();
  std::vector<std::vector<const Hosted*>> by_shard(static_cast<size_t>(shards_.size()));
  for (const auto& [id, h] : instances_) {
    t.allocated_memory_mb += h->record.spec.memory_limit_mb;
    by_shard[static_cast<size_t>(h->shard)].push_back(h.get());
  }
  for (int shard = 0; shard < shards_.size(); ++shard) {
    const auto& hosted = by_shard[static_cast<size_t>(shard)];
    if (hosted.empty()) {
      continue;
    }
    // used_memory is the shard thread's plain counter: read it there.
    shards_.RunOn(shard, [&] {
      for (const Hosted* h : hosted) {
        t.used_memory_bytes += h->instance->used_memory();
      }
    });
  }
  return t;
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
    if (auto err = AttachStorage(*h, true)) {
      problems.push_back(r.id + ": " + err->message);
    }
    for (const std::string& p : h->restored.problems) {
      problems.push_back(r.id + ": restored with damage: " + p);
    }
    if (auto err = r.running ? Serve(*h) : Park(*h)) {
      problems.push_back(r.id + ": " + err->message);
    }
    instances_[r.id] = std::move(h);
  }
  return problems;
}

void Fleet::Shutdown() {
  std::unique_lock lock(mu_);
  shut_down_ = true;
  for (auto& [id, h] : instances_) {
    Unserve(*h);
  }
  CloseAllStorage();
}

// ---- Persistence --------------------------------------------------------------------------

namespace {

storage::StorageOptions StorageFor(const std::string& dir, Persistence p, uint64_t rewrite_min,
                                   bool restore) {
  storage::StorageOptions o;
  o.dir = dir;
  o.append_log = p == Persistence::kAofEverysec || p == Persistence::kAofAlways;
  o.fsync = p == Persistence::kAofAlways ? storage::FsyncPolicy::kAlways
                                         : storage::FsyncPolicy::kEverysec;
  o.rewrite_min_bytes = rewrite_min;
  o.restore = restore;
  return o;
}

}  // namespace

// restore: load what the folder holds (create, start-up); otherwise the instance's contents are
// the truth and a snapshot of them replaces the folder's (persistence switched on).
std::optional<ApiError> Fleet::AttachStorage(Hosted& h, bool restore) {
  const Persistence p = h.record.spec.persistence;
  if (p == Persistence::kNone) {
    return std::nullopt;
  }
  std::optional<ApiError> err;
  shards_.RunOn(h.shard, [&] {
    auto opened = storage::InstanceStorage::Open(
        *h.instance, StorageFor(store_.DirOf(h.record.id).string(), p, options_.rewrite_min_bytes,
                                restore),
        &h.restored);
    if (!opened.ok()) {
      err = ApiError{500, "storage_error", opened.status().message()};
      return;
    }
    h.storage = std::move(opened).value();
  });
  return err;
}

std::optional<ApiError> Fleet::ChangePersistence(Hosted& h, Persistence before) {
  const Persistence now = h.record.spec.persistence;
  if (now == before) {
    return std::nullopt;
  }
  shards_.RunOn(h.shard, [&] {
    h.storage.reset();  // no final snapshot: the new storage snapshots the instance at once
    if (now == Persistence::kNone) {
      storage::RemovePersistenceFiles(store_.DirOf(h.record.id).string());
    }
  });
  return AttachStorage(h, false);
}

// Graceful stop: every instance's final snapshot, the shards working in parallel.
void Fleet::CloseAllStorage() {
  std::vector<std::vector<Hosted*>> by_shard(static_cast<size_t>(shards_.size()));
  for (auto& [id, h] : instances_) {
    if (h->storage) {
      by_shard[static_cast<size_t>(h->shard)].push_back(h.get());
    }
  }
  std::vector<std::thread> workers;
  for (int s = 0; s < shards_.size(); ++s) {
    workers.emplace_back([this, s, &by_shard] {
      shards_.RunOn(s, [&] {
        for (Hosted* h : by_shard[static_cast<size_t>(s)]) {
          (void)h->storage->Close();
          h->storage.reset();
        }
      });
    });
  }
  for (auto& w : workers) {
    w.join();
  }
}

InstancePersistence Fleet::PersistenceOf(const Hosted& h) const {
  InstancePersistence p;
  p.restore_problems = h.restored.problems;
  p.restored_keys = h.restored.keys;
  p.restore_seconds = h.restored.seconds;
  if (!h.storage) {
    return p;
  }
  storage::StorageStats st = h.storage->stats();
  p.enabled = true;
  p.log_bytes = st.log_bytes;
  p.unsynced_bytes = st.unsynced_bytes;
  p.last_fsync_age_ms = st.last_fsync_age_ms;
  p.last_save_s = st.last_save_s;
  p.snapshots = st.snapshots;
  p.errors = st.write_errors + st.fsync_errors + st.snapshot_failures;
  p.saving = st.saving;
  return p;
}

}  // namespace mr::services
