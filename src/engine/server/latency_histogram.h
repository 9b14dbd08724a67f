// Command execution times of one instance over the last one to two minutes, as p50/p99/p99.9:
// fixed log-linear buckets fed by ExecuteCommand (no allocation, no clock read of its own).
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace mr::engine {

/// Two rotating histograms of kWindowUs each: percentiles cover the current window and the one
/// before it, so a reader always sees at least one full window of history.
class LatencyHistogram {
 public:
  static constexpr int64_t kWindowUs = 60'000'000;
  // 0..15 us exactly, then 8 buckets per power of two (at most 12.5% wide) up to 2^26 us (67 s);
  // slower commands land in the last bucket.
  static constexpr int kLinear = 16;
  static constexpr int kSubBits = 3;
  static constexpr int kMaxLog2 = 26;
  static constexpr int kBuckets = kLinear + (kMaxLog2 - 4) * (1 << kSubBits);

  struct Percentiles {
    double p50_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    uint64_t samples = 0;
  };

  /// `start_us` is the command's start on the instance clock; `duration_us` how long it ran.
  void Record(int64_t start_us, int64_t duration_us) {
    if (start_us >= current_end_us_) {
      Rotate(start_us);
    }
    ++current_[Bucket(duration_us)];
  }

  /// Percentiles over the current and the previous window as of `now_us` (0 when empty).
  Percentiles Read(int64_t now_us);

  static int Bucket(int64_t us) {
    if (us < kLinear) {
      return us < 0 ? 0 : static_cast<int>(us);
    }
    const auto v = static_cast<uint64_t>(us);
    const int log2 = std::bit_width(v) - 1;  // >= 4
    if (log2 >= kMaxLog2) {
      return kBuckets - 1;
    }
    const int sub = static_cast<int>(v >> (log2 - kSubBits)) & ((1 << kSubBits) - 1);
    return kLinear + (log2 - 4) * (1 << kSubBits) + sub;
  }
  /// The middle of a bucket's range, in microseconds (the value reported for it).
  static double BucketValue(int bucket);

 private:
  void Rotate(int64_t now_us);

  std::array<uint32_t, kBuckets> current_{};
  std::array<uint32_t, kBuckets> previous_{};
  int64_t current_end_us_ = 0;  // 0: nothing recorded yet
};

}  // namespace mr::engine
