// What an instance remembers about slow commands: Redis' SLOWLOG entries and the LATENCY monitor's
// "command" event. Fed by ExecuteCommand with each command's duration; lives outside used_memory.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mr::engine {

struct SlowlogEntry {
  uint64_t id = 0;
  int64_t time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;  // at most 32, each at most 128 bytes, as Redis trims them
  std::string client_addr;
  std::string client_name;
};

struct LatencySample {
  int64_t time_s = 0;
  int64_t ms = 0;
};

struct CommandLogConfig {
  int64_t slower_than_us = 10000;  // slowlog-log-slower-than; negative disables
  uint32_t max_len = 128;          // slowlog-max-len
  int64_t latency_threshold_ms = 0;  // latency-monitor-threshold; 0 disables, as in Redis
};

class CommandLog {
 public:
  static constexpr size_t kLatencyHistory = 160;  // Redis' LATENCY_TS_LEN

  /// Records the command when it was slow enough for the slowlog and/or the latency monitor.
  void Observe(const CommandLogConfig& cfg, std::span<const std::string_view> args,
               std::string_view client_addr, std::string_view client_name, int64_t start_us,
               int64_t duration_us);
  void TrimSlowlog(uint32_t max_len);
  void ResetSlowlog() { slowlog_.clear(); }
  void ResetLatency();

  const std::deque<SlowlogEntry>& slowlog() const { return slowlog_; }  // newest first
  const std::deque<LatencySample>& latency_history() const { return latency_; }
  int64_t latency_max_ms() const { return latency_max_ms_; }

 private:
  std::deque<SlowlogEntry> slowlog_;
  uint64_t next_id_ = 0;
  std::deque<LatencySample> latency_;
  int64_t latency_max_ms_ = 0;
};

}  // namespace mr::engine
