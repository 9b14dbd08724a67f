// One tenant database set: 16 lazily created logical databases, its config (maxmemory, eviction
// policy, encodings), exact memory account, stats, and the WATCH / pub/sub / blocking registries.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/db.h"
#include "engine/core/hash_type.h"
#include "engine/core/memory.h"
#include "engine/server/change_log.h"
#include "engine/server/command_log.h"
#include "engine/server/latency_histogram.h"

namespace mr::engine {

struct Session;
class ScriptEngine;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};
std::string_view PolicyName(EvictionPolicy p);
bool ParsePolicy(std::string_view name, EvictionPolicy* out);

struct InstanceConfig {
  std::string id;
  int64_t maxmemory = 0;  // bytes, 0 = unlimited
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  uint32_t maxmemory_samples = 5;
  uint32_t lfu_log_factor = 10;
  uint32_t lfu_decay_time = 1;  // minutes
  EncodingLimits limits;
  bool notify_keyspace_events = false;
  CommandLogConfig command_log;  // SLOWLOG and LATENCY thresholds
  // Tenant limits node-manager sets (0: unlimited). max_clients is enforced by the network layer
  // when it accepts a connection, max_ops_per_sec by Dispatch.
  int64_t max_clients = 0;
  int64_t max_ops_per_sec = 0;
  // Scripting: a script running longer than this is stopped (CONFIG busy-reply-threshold, alias
  // lua-time-limit; 0 or more than 60 s means 60 s), and the Lua heap may not grow beyond
  // script_heap_limit bytes while a script runs (it also counts in used_memory).
  int64_t busy_reply_threshold_ms = 5000;
  int64_t script_heap_limit = 64ll << 20;
};

struct DbStats {
  uint64_t keys = 0;
  uint64_t expires = 0;
  int64_t avg_ttl_ms = 0;
};

struct Stats {
  int64_t used_memory = 0;
  int64_t used_memory_peak = 0;
  int64_t maxmemory = 0;
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;  // over max_clients
  uint64_t rejected_commands = 0;     // over max_ops_per_sec
  uint64_t connected_clients = 0;
  uint64_t blocked_clients = 0;
  uint64_t pubsub_channels = 0;
  uint64_t pubsub_patterns = 0;
  uint64_t dirty = 0;  // writes since the last snapshot, like rdb_changes_since_last_save
  std::array<DbStats, 16> dbs{};
};

/// Milliseconds since the epoch; tests pin it with SetForTest.
class Clock {
 public:
  int64_t NowMs() const { return fixed_ms_ >= 0 ? fixed_ms_ : RealNowMs(); }
  int64_t NowUs() const { return fixed_ms_ >= 0 ? fixed_ms_ * 1000 : RealNowUs(); }
  void SetForTest(int64_t ms) { fixed_ms_ = ms; }
  void AdvanceForTest(int64_t ms) { fixed_ms_ = NowMs() + ms; }
  static int64_t RealNowMs();
  static int64_t RealNowUs();

 private:
  int64_t fixed_ms_ = -1;
};

class Instance {
 public:
  static constexpr int kDatabases = 16;

  explicit Instance(InstanceConfig cfg = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Stats stats() const;
  InstanceConfig& config() { return cfg_; }
  const InstanceConfig& config() const { return cfg_; }
  Clock& clock() { return clock_; }
  int64_t used_memory() const { return account_.used; }
  MemoryAccount* account() { return &account_; }

  Db& db(int index);  // created on first use
  Db* db_if_exists(int index) const { return dbs_[index]; }
  void FlushDb(int index);
  void FlushAll();
  void SwapDb(int a, int b);

  // Evicts per policy until used_memory <= maxmemory; false when it cannot.
  bool FreeMemoryIfNeeded();
  bool OverMaxmemory() const { return cfg_.maxmemory > 0 && account_.used > cfg_.maxmemory; }

  // LRU/LFU bookkeeping for an entry that was just read or written.
  void Touch(Entry* e);
  void InitAccess(Entry* e);
  uint32_t LruClock(int64_t now_ms) const {
    return static_cast<uint32_t>(now_ms / 1000) & 0xFFFFFF;
  }
  uint8_t LfuCounter(const Entry* e, int64_t now_ms) const;
  int64_t IdleMs(const Entry* e, int64_t now_ms) const;

  // WATCH
  void Watch(Session* s, int db, std::string_view key);
  void UnwatchAll(Session* s);
  void TouchWatched(int db, std::string_view key);
  void TouchAllWatched(int db);  // db < 0: every database
  bool has_watchers() const { return !watchers_.empty(); }

  // Blocking pops: sessions waiting on keys, served after writes mark keys ready.
  void Block(Session* s, int db, const std::vector<std::string_view>& keys);
  void Unblock(Session* s);
  void SignalKeyReady(int db, std::string_view key);
  bool has_ready_keys() const { return !ready_keys_.empty(); }
  std::vector<std::pair<int, std::string>> TakeReadyKeys();
  std::vector<Session*> WaitersOf(int db, std::string_view key) const;
  std::vector<Session*> BlockedSessions() const;

  // Pub/sub
  void Subscribe(Session* s, std::string_view channel, bool pattern);
  void Unsubscribe(Session* s, std::string_view channel, bool pattern);
  size_t Publish(std::string_view channel, std::string_view message);
  size_t ChannelCount() const { return channels_.size(); }
  size_t PatternCount() const { return patterns_.size(); }
  template <typename F>
  void ForEachChannel(F&& f) const {
    for (const auto& [name, subs] : channels_) {
      f(name, subs.size());
    }
  }
  size_t Subscribers(std::string_view channel) const;

  uint64_t NextRandom() { return engine::NextRandom(&rng_); }
  uint64_t* rng_state() { return &rng_; }
  // Cached per command by Dispatch so LRU/LFU updates do not read the clock per key.
  void set_now_ms(int64_t ms) { now_ms_ = ms; }
  int64_t now_ms() const { return now_ms_; }

  struct Counters {
    uint64_t keyspace_hits = 0;
    uint64_t keyspace_misses = 0;
    uint64_t total_commands = 0;
    uint64_t total_connections = 0;
    uint64_t connected_clients = 0;
    uint64_t dirty = 0;
    uint64_t rejected_connections = 0;
    uint64_t rejected_commands = 0;
    int64_t peak_memory = 0;
    int64_t created_ms = 0;
  };
  Counters counters;
  CommandLog& command_log() { return command_log_; }

  // Persistence: where changes are recorded (nullptr: persistence off), and restore mode, in
  // which commands replay a log without expiry, eviction, maxmemory or recording.
  ChangeLog* change_log() const { return change_log_; }
  void set_change_log(ChangeLog* log) { change_log_ = log; }
  bool loading() const { return loading_; }
  void set_loading(bool v) { loading_ = v; }
  LatencyHistogram& latency() { return latency_; }

  // Scripting: the instance's Lua interpreter and script cache, created on first use.
  ScriptEngine& scripts();
  ScriptEngine* scripts_if_exists() const { return scripts_.get(); }
  void FlushScripts();  // SCRIPT FLUSH: drops the interpreter, its cache and its memory

  /// The commands-per-second quota: true when one more command fits in the current second.
  /// Runs on the clock Dispatch cached for the previous command (now_ms) and reads the real clock
  /// only when that second looks full, so a stale now_ms never refuses a command.
  bool AdmitCommand() {
    const int64_t limit = cfg_.max_ops_per_sec;
    if (limit <= 0) {
      return true;
    }
    // now_ms may lag behind a second already read from the clock: then it is the same window.
    // Only the clock itself opens a window in the past (the system clock was stepped back).
    int64_t second = std::max(now_ms_ / 1000, quota_second_);
    if (second == quota_second_ && quota_used_ >= limit) {
      second = clock_.NowMs() / 1000;
    }
    if (second != quota_second_) {
      quota_second_ = second;
      quota_used_ = 0;
    }
    if (quota_used_ >= limit) {
      counters.rejected_commands++;
      return false;
    }
    quota_used_++;
    return true;
  }

 private:
  static void OnKeyDeleted(void* ctx, Db* db, std::string_view key);
  int DbIndex(const Db* db) const;
  bool EvictOne();

  InstanceConfig cfg_;
  CommandLog command_log_;
  ChangeLog* change_log_ = nullptr;
  bool loading_ = false;
  LatencyHistogram latency_;
  int64_t quota_second_ = -1;
  int64_t quota_used_ = 0;
  Clock clock_;
  MemoryAccount account_;
  std::array<Db*, kDatabases> dbs_{};
  uint64_t rng_ = 0x853c49e6748fea9bull;
  int64_t now_ms_ = 0;
  struct PoolEntry {
    uint64_t score;  // higher = better eviction candidate
    int db;
    std::string key;
  };
  std::vector<PoolEntry> pool_;  // Redis' eviction pool: best candidates across samplings
  void PopulatePool(bool volatile_only);

  // Registries keyed by "<db byte><key>"; empty for most instances, so they cost nothing.
  std::unordered_map<std::string, std::vector<Session*>> watchers_;
  std::unordered_map<std::string, std::vector<Session*>> blocked_;
  std::vector<std::pair<int, std::string>> ready_keys_;
  std::unordered_map<std::string, std::vector<Session*>> channels_;
  std::unordered_map<std::string, std::vector<Session*>> patterns_;
  std::unique_ptr<ScriptEngine> scripts_;  // after account_: it is charged to it until the end
};

}  // namespace mr::engine
