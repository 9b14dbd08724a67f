// The dedicated-port pool (REDIS_PORT_START..REDIS_PORT_END): an instance keeps its port across
// restarts, a freed port rests in quarantine before reuse, and ports other processes hold are skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"

namespace mr::services {

class PortPool {
 public:
  using Clock = std::function<int64_t()>;            // milliseconds; injectable for tests
  using Probe = std::function<bool(uint16_t port)>;  // true when nothing else listens there

  PortPool(uint16_t first, uint16_t last, std::chrono::milliseconds quarantine,
           Probe probe = BindProbe, Clock clock = SteadyNowMs);

  /// Gives `owner` the lowest port that is free, out of quarantine, and bindable.
  /// The error says the pool is exhausted (the API answers 409 with it).
  Result<uint16_t> Allocate(const std::string& owner);
  /// Takes a specific port back for `owner` (restore after restart); an error when another owner
  /// holds it or it lies outside the pool.
  Status Claim(uint16_t port, const std::string& owner);
  /// Returns the port; it is reusable once the quarantine has passed.
  void Release(uint16_t port);
  /// Puts a port into quarantine as if released at `released_at_ms` (restores persisted state).
  void RestoreQuarantine(uint16_t port, int64_t released_at_ms);

  size_t capacity() const { return static_cast<size_t>(last_ - first_) + 1; }
  size_t used() const;
  size_t quarantined() const;
  bool Contains(uint16_t port) const { return port >= first_ && port <= last_; }
  /// port -> release time (ms), for persisting quarantine across restarts.
  std::map<uint16_t, int64_t> QuarantineSnapshot() const;

  /// Tries to bind 127.0.0.1:port and 0.0.0.0:port: true when both succeed.
  static bool BindProbe(uint16_t port);
  static int64_t SteadyNowMs();

 private:
  void ExpireQuarantine(int64_t now);

  const uint16_t first_, last_;
  const std::chrono::milliseconds quarantine_;
  Probe probe_;
  Clock clock_;
  mutable std::mutex mu_;
  std::map<uint16_t, std::string> owners_;
  std::map<uint16_t, int64_t> quarantine_until_;
};

}  // namespace mr::services
