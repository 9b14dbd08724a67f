#include "services/api_gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace mr::services::gateway {

int64_t RateLimiter::Admit(const std::string& key, Clock::time_point now) {
  if (rate_ <= 0) {
    return 0;
  }
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_keys_) {
      DropFullBuckets(shard, now);
    }
    it = shard.buckets.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_ * 1000)));
}

void RateLimiter::DropFullBuckets(Shard& shard, Clock::time_point now) {
  // A bucket that has refilled completely holds no state worth keeping.
  std::erase_if(shard.buckets, [&](const auto& kv) {
    double elapsed = std::chrono::duration<double>(now - kv.second.updated).count();
    return kv.second.tokens + elapsed * rate_ >= burst_;
  });
  if (shard.buckets.size() >= max_keys_) {
    shard.buckets.clear();  // all busy: forgetting them errs on the side of admitting
  }
}

}  // namespace mr::services::gateway
