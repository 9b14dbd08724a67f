// Token buckets by key (a user id, a client address): `rate` requests per second on average,
// bursts of up to `burst`. Buckets live in shards with their own locks; idle buckets are dropped
// once a shard grows, so a flood of new addresses cannot grow memory without bound.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mr::services::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// rate <= 0 disables the limiter (every call is allowed).
  RateLimiter(double rate_per_second, double burst, size_t max_keys_per_shard = 16384)
      : rate_(rate_per_second), burst_(burst), max_keys_(max_keys_per_shard) {}

  /// 0 when the request may go now (and is counted); otherwise how long until it could, in ms.
  int64_t Admit(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  void DropFullBuckets(Shard& shard, Clock::time_point now);

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  std::array<Shard, 32> shards_;
};

}  // namespace mr::services::gateway
