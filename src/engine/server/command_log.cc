#include "engine/server/command_log.h"

namespace mr::engine {
namespace {

constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgLen = 128;

std::vector<std::string> TrimArgs(std::span<const std::string_view> args) {
  std::vector<std::string> out;
  size_t n = std::min(args.size(), kMaxArgs);
  for (size_t i = 0; i < n; ++i) {
    if (i == kMaxArgs - 1 && args.size() > kMaxArgs) {
      out.push_back("... (" + std::to_string(args.size() - kMaxArgs + 1) + " more arguments)");
      break;
    }
    std::string_view a = args[i];
    if (a.size() > kMaxArgLen) {
      out.push_back(std::string(a.substr(0, kMaxArgLen)) + "... (" +
                    std::to_string(a.size() - kMaxArgLen) + " more bytes)");
    } else {
      out.emplace_back(a);
    }
  }
  return out;
}

}  // namespace

void CommandLog::Observe(const CommandLogConfig& cfg, std::span<const std::string_view> args,
                         std::string_view client_addr, std::string_view client_name,
                         int64_t start_us, int64_t duration_us) {
  if (cfg.slower_than_us >= 0 && duration_us >= cfg.slower_than_us && cfg.max_len > 0) {
    slowlog_.push_front({next_id_++, start_us / 1000000, duration_us, TrimArgs(args),
                         std::string(client_addr), std::string(client_name)});
    TrimSlowlog(cfg.max_len);
  }
  int64_t ms = duration_us / 1000;
  if (cfg.latency_threshold_ms > 0 && ms >= cfg.latency_threshold_ms) {
    int64_t t = start_us / 1000000;
    if (!latency_.empty() && latency_.back().time_s == t) {
      latency_.back().ms = std::max(latency_.back().ms, ms);  // one sample per second, as Redis
    } else {
      latency_.push_back({t, ms});
      if (latency_.size() > kLatencyHistory) {
        latency_.pop_front();
      }
    }
    latency_max_ms_ = std::max(latency_max_ms_, ms);
  }
}

void CommandLog::TrimSlowlog(uint32_t max_len) {
  while (slowlog_.size() > max_len) {
    slowlog_.pop_back();
  }
}

void CommandLog::ResetLatency() {
  latency_.clear();
  latency_max_ms_ = 0;
}

}  // namespace mr::engine
