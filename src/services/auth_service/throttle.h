// Login throttling: failed attempts counted per key (an account's email, a client address), with
// exponential back-off once a key exceeds its free failures. In memory, per replica; pure logic
// (the caller passes the time), so the rules are unit-tested without a clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mr::services::auth {

struct ThrottleRule {
  int free_failures = 5;                 ///< failures allowed before any wait
  std::chrono::milliseconds base_delay{1000};  ///< wait after the first failure past the free ones
  std::chrono::milliseconds max_delay{15 * 60 * 1000};  ///< back-off cap
  std::chrono::milliseconds forget_after{15 * 60 * 1000};  ///< quiet time that resets a key
};

class LoginThrottle {
 public:
  using Millis = int64_t;  // unix milliseconds

  /// `max_keys` bounds memory: when full, keys quiet for `forget_after` are swept, and if none
  /// are, new keys go untracked (fail open) rather than locking everyone out.
  explicit LoginThrottle(ThrottleRule rule, size_t max_keys = 100000)
      : rule_(rule), max_keys_(max_keys) {}

  /// 0 when `key` may try now, else the milliseconds to wait.
  Millis RetryAfter(const std::string& key, Millis now) const;
  /// Counts a failure; returns the wait it imposes from now (0 while within the free failures).
  Millis RecordFailure(const std::string& key, Millis now);
  /// Forgets the key's failures (a successful login on an account).
  void Reset(const std::string& key);
  size_t size() const;

 private:
  struct State {
    int failures = 0;
    Millis last_failure = 0;
    Millis blocked_until = 0;
  };
  void SweepLocked(Millis now);

  const ThrottleRule rule_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, State> keys_;
};

}  // namespace mr::services::auth
