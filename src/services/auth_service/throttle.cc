#include "services/auth_service/throttle.h"

#include <algorithm>

namespace mr::services::auth {

LoginThrottle::Millis LoginThrottle::RetryAfter(const std::string& key, Millis now) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.blocked_until <= now) {
    return 0;
  }
  return it->second.blocked_until - now;
}

LoginThrottle::Millis LoginThrottle::RecordFailure(const std::string& key, Millis now) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= max_keys_) {
      SweepLocked(now);
      if (keys_.size() >= max_keys_) {
        return 0;
      }
    }
    it = keys_.emplace(key, State{}).first;
  }
  State& s = it->second;
  if (s.failures > 0 && now - s.last_failure >= rule_.forget_after.count()) {
    s = State{};
  }
  ++s.failures;
  s.last_failure = now;
  int over = s.failures - rule_.free_failures;
  if (over <= 0) {
    return 0;
  }
  // base * 2^(over-1), capped; the shift is bounded so it cannot overflow.
  int shift = std::min(over - 1, 30);
  Millis delay = std::min<Millis>(rule_.base_delay.count() << shift, rule_.max_delay.count());
  s.blocked_until = now + delay;
  return delay;
}

void LoginThrottle::Reset(const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.erase(key);
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

void LoginThrottle::SweepLocked(Millis now) {
  for (auto it = keys_.begin(); it != keys_.end();) {
    bool quiet = now - it->second.last_failure >= rule_.forget_after.count() &&
                 it->second.blocked_until <= now;
    it = quiet ? keys_.erase(it) : std::next(it);
  }
}

}  // namespace mr::services::auth
