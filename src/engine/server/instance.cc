// Instance: lazy databases, LRU/LFU bookkeeping, sampled eviction with a candidate pool, and the
// WATCH / blocking / pub/sub registries.
#include "engine/server/instance.h"

#include <algorithm>
#include <chrono>

#include "engine/server/script_engine.h"
#include "engine/server/session.h"
#include "resp/writer.h"

namespace mr::engine {

namespace {
constexpr size_t kPoolSize = 16;
constexpr uint8_t kLfuInitVal = 5;

std::string RegKey(int db, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(static_cast<char>(db));
  k.append(key);
  return k;
}

void EraseSession(std::unordered_map<std::string, std::vector<Session*>>& m,
                  const std::string& k, Session* s) {
  auto it = m.find(k);
  if (it == m.end()) {
    return;
  }
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
  if (v.empty()) {
    m.erase(it);
  }
}
}  // namespace

std::string_view PolicyName(EvictionPolicy p) {
  static constexpr std::string_view kNames[] = {
      "noeviction",   "allkeys-lru",  "allkeys-lfu",     "allkeys-random",
      "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"};
  return kNames[static_cast<int>(p)];
}

bool ParsePolicy(std::string_view name, EvictionPolicy* out) {
  for (int i = 0; i <= static_cast<int>(EvictionPolicy::kVolatileTtl); ++i) {
    auto p = static_cast<EvictionPolicy>(i);
    std::string_view n = PolicyName(p);
    if (n.size() == name.size() &&
        std::equal(n.begin(), n.end(), name.begin(),
                   [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); })) {
      *out = p;
      return true;
    }
  }
  return false;
}

int64_t Clock::RealNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t Clock::RealNowUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Instance::Instance(InstanceConfig cfg) : cfg_(std::move(cfg)) {
  counters.created_ms = clock_.NowMs();
  now_ms_ = counters.created_ms;
}

Instance::~Instance() {
  AccountScope scope(&account_);
  scripts_.reset();
  for (Db*& d : dbs_) {
    Delete(d);
    d = nullptr;
  }
}

ScriptEngine& Instance::scripts() {
  if (scripts_ == nullptr) {
    scripts_ = std::make_unique<ScriptEngine>(*this);
  }
  return *scripts_;
}

void Instance::FlushScripts() { scripts_.reset(); }

Db& Instance::db(int index) {
  Db* d = dbs_[index];
  if (d == nullptr) {
    AccountScope scope(&account_);
    d = New<Db>();
    d->set_delete_hook(&Instance::OnKeyDeleted, this);
    dbs_[index] = d;
  }
  return *d;
}

int Instance::DbIndex(const Db* db) const {
  for (int i = 0; i < kDatabases; ++i) {
    if (dbs_[i] == db) {
      return i;
    }
  }
  return 0;
}

void Instance::OnKeyDeleted(void* ctx, Db* db, std::string_view key) {
  auto* self = static_cast<Instance*>(ctx);
  if (self->has_watchers()) {
    self->TouchWatched(self->DbIndex(db), key);
  }
  if (self->change_log_ != nullptr && !self->loading_) {  // expiry and eviction replay as DEL
    std::string_view del[] = {"del", key};
    self->change_log_->Append(self->DbIndex(db), del);
  }
}

void Instance::FlushDb(int index) {
  AccountScope scope(&account_);
  if (dbs_[index] != nullptr) {
    dbs_[index]->Clear();
  }
  TouchAllWatched(index);
}

void Instance::FlushAll() {
  for (int i = 0; i < kDatabases; ++i) {
    FlushDb(i);
  }
}

void Instance::SwapDb(int a, int b) {
  std::swap(dbs_[a], dbs_[b]);
  TouchAllWatched(a);
  TouchAllWatched(b);
}

Stats Instance::stats() const {
  Stats s;
  s.used_memory = account_.used;
  s.used_memory_peak = std::max(counters.peak_memory, account_.used);
  s.maxmemory = cfg_.maxmemory;
  s.policy = cfg_.policy;
  s.keyspace_hits = counters.keyspace_hits;
  s.keyspace_misses = counters.keyspace_misses;
  s.total_commands_processed = counters.total_commands;
  s.total_connections_received = counters.total_connections;
  s.rejected_connections = counters.rejected_connections;
  s.rejected_commands = counters.rejected_commands;
  s.connected_clients = counters.connected_clients;
  s.dirty = counters.dirty;
  for (int i = 0; i < kDatabases; ++i) {
    if (const Db* d = dbs_[i]) {
      s.expired_keys += d->expired_keys;
      s.evicted_keys += d->evicted_keys;
      s.dbs[i] = DbStats{d->size(), d->volatile_size(), d->avg_ttl_ms};
    }
  }
  s.blocked_clients = blocked_.empty() ? 0 : BlockedSessions().size();
  s.pubsub_channels = channels_.size();
  s.pubsub_patterns = patterns_.size();
  return s;
}

// ---- LRU / LFU ---------------------------------------------------------------------------------

uint8_t Instance::LfuCounter(const Entry* e, int64_t now_ms) const {
  uint32_t v = e->lru();
  uint32_t ldt = v >> 8;
  uint32_t counter = v & 0xFF;
  uint32_t now_min = static_cast<uint32_t>(now_ms / 60000) & 0xFFFF;
  uint32_t elapsed = now_min >= ldt ? now_min - ldt : 65535 - ldt + now_min;
  uint32_t periods = cfg_.lfu_decay_time ? elapsed / cfg_.lfu_decay_time : 0;
  return static_cast<uint8_t>(periods > counter ? 0 : counter - periods);
}

int64_t Instance::IdleMs(const Entry* e, int64_t now_ms) const {
  uint32_t clock = LruClock(now_ms);
  uint32_t lru = e->lru();
  uint32_t d = clock >= lru ? clock - lru : clock + (0xFFFFFF - lru);
  return static_cast<int64_t>(d) * 1000;
}

static bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

void Instance::InitAccess(Entry* e) {
  if (IsLfu(cfg_.policy)) {
    uint32_t now_min = static_cast<uint32_t>(now_ms_ / 60000) & 0xFFFF;
    e->set_lru((now_min << 8) | kLfuInitVal);
  } else {
    e->set_lru(LruClock(now_ms_));
  }
}

void Instance::Touch(Entry* e) {
  if (!IsLfu(cfg_.policy)) {
    e->set_lru(LruClock(now_ms_));
    return;
  }
  uint32_t counter = LfuCounter(e, now_ms_);
  if (counter < 255) {
    double r = static_cast<double>(NextRandom() >> 11) / 9007199254740992.0;
    double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
    if (r < 1.0 / (base * cfg_.lfu_log_factor + 1)) {
      counter++;
    }
  }
  uint32_t now_min = static_cast<uint32_t>(now_ms_ / 60000) & 0xFFFF;
  e->set_lru((now_min << 8) | counter);
}

// ---- Eviction ----------------------------------------------------------------------------------

void Instance::PopulatePool(bool volatile_only) {
  for (int i = 0; i < kDatabases; ++i) {
    Db* d = dbs_[i];
    if (d == nullptr) {
      continue;
    }
    const Db::Table& t = volatile_only ? d->volatile_keys() : d->keys();
    if (t.empty()) {
      continue;
    }
    for (uint32_t n = 0; n < cfg_.maxmemory_samples; ++n) {
      Entry* e = t.RandomItem(NextRandom());
      if (e == nullptr) {
        break;
      }
      uint64_t score;
      if (cfg_.policy == EvictionPolicy::kVolatileTtl) {
        score = UINT64_MAX - static_cast<uint64_t>(e->expire_ms());
      } else if (IsLfu(cfg_.policy)) {
        score = 255 - LfuCounter(e, now_ms_);
      } else {
        score = static_cast<uint64_t>(IdleMs(e, now_ms_));
      }
      std::string_view key = e->key();
      bool dup = std::any_of(pool_.begin(), pool_.end(),
                             [&](const PoolEntry& p) { return p.db == i && p.key == key; });
      if (dup) {
        continue;
      }
      if (pool_.size() < kPoolSize) {
        pool_.push_back(PoolEntry{score, i, std::string(key)});
      } else if (score > pool_.front().score) {
        pool_.front() = PoolEntry{score, i, std::string(key)};
      } else {
        continue;
      }
      std::sort(pool_.begin(), pool_.end(),
                [](const PoolEntry& a, const PoolEntry& b) { return a.score < b.score; });
    }
  }
}

bool Instance::EvictOne() {
  bool volatile_only = cfg_.policy >= EvictionPolicy::kVolatileLru;
  if (cfg_.policy == EvictionPolicy::kAllKeysRandom ||
      cfg_.policy == EvictionPolicy::kVolatileRandom) {
    for (int tries = 0; tries < kDatabases; ++tries) {
      Db* d = dbs_[NextRandom() % kDatabases];
      if (d == nullptr) {
        continue;
      }
      const Db::Table& t = volatile_only ? d->volatile_keys() : d->keys();
      if (Entry* e = t.RandomItem(NextRandom())) {
        Db::Pos pos;
        d->FindRaw(e->key(), Db::Hash(e->key()), &pos);
        d->Evict(pos);
        return true;
      }
    }
    for (Db* d : dbs_) {  // fall back to a full walk when random probing missed
      if (d == nullptr) {
        continue;
      }
      const Db::Table& t = volatile_only ? d->volatile_keys() : d->keys();
      if (Entry* e = t.RandomItem(0)) {
        Db::Pos pos;
        d->FindRaw(e->key(), Db::Hash(e->key()), &pos);
        d->Evict(pos);
        return true;
      }
    }
    return false;
  }
  for (int round = 0; round < 4; ++round) {
    PopulatePool(volatile_only);
    while (!pool_.empty()) {
      PoolEntry best = std::move(pool_.back());
      pool_.pop_back();
      Db* d = dbs_[best.db];
      Db::Pos pos;
      Entry* e = d ? d->FindRaw(best.key, Db::Hash(best.key), &pos) : nullptr;
      if (e != nullptr && (!volatile_only || e->has_expire())) {
        d->Evict(pos);
        return true;
      }
    }
  }
  return false;
}

bool Instance::FreeMemoryIfNeeded() {
  if (!OverMaxmemory()) {
    return true;
  }
  if (cfg_.policy == EvictionPolicy::kNoEviction) {
    return false;
  }
  AccountScope scope(&account_);
  // Like Redis' eviction tenacity: stop after ~1 ms so a big maxmemory drop does not stall the
  // shard; the next commands and the cron continue, and having made progress is not an OOM.
  int64_t start = Clock::RealNowUs();
  for (uint32_t n = 1; OverMaxmemory(); ++n) {
    if (!EvictOne()) {
      return false;
    }
    if ((n & 63) == 0 && Clock::RealNowUs() - start > 1000) {
      return true;
    }
  }
  return true;
}

// ---- WATCH -------------------------------------------------------------------------------------

void Instance::Watch(Session* s, int db, std::string_view key) {
  for (const auto& [d, k] : s->watched) {
    if (d == db && k == key) {
      return;
    }
  }
  s->watched.emplace_back(db, std::string(key));
  watchers_[RegKey(db, key)].push_back(s);
}

void Instance::UnwatchAll(Session* s) {
  for (const auto& [d, k] : s->watched) {
    EraseSession(watchers_, RegKey(d, k), s);
  }
  s->watched.clear();
  s->watch_dirty = false;
}

void Instance::TouchWatched(int db, std::string_view key) {
  auto it = watchers_.find(RegKey(db, key));
  if (it == watchers_.end()) {
    return;
  }
  for (Session* s : it->second) {
    s->watch_dirty = true;
  }
}

void Instance::TouchAllWatched(int db) {
  for (auto& [k, sessions] : watchers_) {
    if (db < 0 || static_cast<unsigned char>(k[0]) == db) {
      for (Session* s : sessions) {
        s->watch_dirty = true;
      }
    }
  }
}

// ---- Blocking ----------------------------------------------------------------------------------

void Instance::Block(Session* s, int db, const std::vector<std::string_view>& keys) {
  for (std::string_view k : keys) {
    auto& v = blocked_[RegKey(db, k)];
    if (std::find(v.begin(), v.end(), s) == v.end()) {
      v.push_back(s);
    }
  }
  s->blocked = true;
  s->blocked_db = db;
}

void Instance::Unblock(Session* s) {
  for (auto it = blocked_.begin(); it != blocked_.end();) {
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), s), v.end());
    it = v.empty() ? blocked_.erase(it) : std::next(it);
  }
  s->blocked = false;
  s->blocked_args.clear();
}

void Instance::SignalKeyReady(int db, std::string_view key) {
  if (blocked_.empty() || blocked_.find(RegKey(db, key)) == blocked_.end()) {
    return;
  }
  for (const auto& [d, k] : ready_keys_) {
    if (d == db && k == key) {
      return;
    }
  }
  ready_keys_.emplace_back(db, std::string(key));
}

std::vector<std::pair<int, std::string>> Instance::TakeReadyKeys() {
  std::vector<std::pair<int, std::string>> out;
  out.swap(ready_keys_);
  return out;
}

std::vector<Session*> Instance::WaitersOf(int db, std::string_view key) const {
  auto it = blocked_.find(RegKey(db, key));
  return it == blocked_.end() ? std::vector<Session*>{} : it->second;
}

std::vector<Session*> Instance::BlockedSessions() const {
  std::vector<Session*> out;
  for (const auto& [k, v] : blocked_) {
    for (Session* s : v) {
      if (std::find(out.begin(), out.end(), s) == out.end()) {
        out.push_back(s);
      }
    }
  }
  return out;
}

// ---- Pub/sub -----------------------------------------------------------------------------------

void Instance::Subscribe(Session* s, std::string_view channel, bool pattern) {
  auto& reg = pattern ? patterns_ : channels_;
  auto& v = reg[std::string(channel)];
  if (std::find(v.begin(), v.end(), s) == v.end()) {
    v.push_back(s);
  }
}

void Instance::Unsubscribe(Session* s, std::string_view channel, bool pattern) {
  EraseSession(pattern ? patterns_ : channels_, std::string(channel), s);
}

size_t Instance::Subscribers(std::string_view channel) const {
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

size_t Instance::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  std::string buf;
  auto it = channels_.find(std::string(channel));
  if (it != channels_.end()) {
    for (Session* s : it->second) {
      buf.clear();
      resp::Writer w(&buf, s->protocol);
      w.PushHeader(3);
      w.Bulk("message");
      w.Bulk(channel);
      w.Bulk(message);
      if (s->sink != nullptr) {
        s->sink->Deliver(buf);
      }
      receivers++;
    }
  }
  for (const auto& [pat, subs] : patterns_) {
    if (!GlobMatch(pat, channel)) {
      continue;
    }
    for (Session* s : subs) {
      buf.clear();
      resp::Writer w(&buf, s->protocol);
      w.PushHeader(4);
      w.Bulk("pmessage");
      w.Bulk(pat);
      w.Bulk(channel);
      w.Bulk(message);
      if (s->sink != nullptr) {
        s->sink->Deliver(buf);
      }
      receivers++;
    }
  }
  return receivers;
}

}  // namespace mr::engine
