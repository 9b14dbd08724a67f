#include "engine/server/latency_histogram.h"

namespace mr::engine {

void LatencyHistogram::Rotate(int64_t now_us) {
  // One window later the current counts become the previous ones; after two or more idle windows
  // both are stale.
  if (current_end_us_ != 0 && now_us < current_end_us_ + kWindowUs) {
    previous_ = current_;
  } else {
    previous_.fill(0);
  }
  current_.fill(0);
  current_end_us_ = now_us + kWindowUs;
}

double LatencyHistogram::BucketValue(int bucket) {
  if (bucket < kLinear) {
    return bucket;
  }
  const int log2 = 4 + (bucket - kLinear) / (1 << kSubBits);
  const int sub = (bucket - kLinear) % (1 << kSubBits);
  const double width = static_cast<double>(int64_t{1} << (log2 - kSubBits));
  const double low = static_cast<double>(int64_t{1} << log2) + sub * width;
  return low + width / 2;
}

LatencyHistogram::Percentiles LatencyHistogram::Read(int64_t now_us) {
  if (current_end_us_ != 0 && now_us >= current_end_us_) {
    Rotate(now_us);
  }
  uint64_t total = 0;
  for (int i = 0; i < kBuckets; ++i) {
    total += uint64_t{current_[i]} + previous_[i];
  }
  Percentiles p;
  p.samples = total;
  if (total == 0) {
    return p;
  }
  // The smallest bucket whose cumulative count reaches rank ceil(q * total).
  const double quantiles[] = {0.5, 0.99, 0.999};
  double* outs[] = {&p.p50_us, &p.p99_us, &p.p999_us};
  uint64_t seen = 0;
  int q = 0;
  for (int i = 0; i < kBuckets && q < 3; ++i) {
    seen += uint64_t{current_[i]} + previous_[i];
    while (q < 3 && static_cast<double>(seen) >= quantiles[q] * static_cast<double>(total)) {
      *outs[q++] = BucketValue(i);
    }
  }
  return p;
}

}  // namespace mr::engine
