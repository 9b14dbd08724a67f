#include "services/monitoring_service/series.h"

#include <algorithm>

namespace mr::services::monitoring {
namespace {

constexpr uint16_t kNull16 = 0xFFFF;
constexpr uint32_t kNull32 = 0xFFFFFFFF;
constexpr int kBias = 16;
constexpr int64_t kSecondMs = 1000;
constexpr int64_t kMinuteMs = 60 * 1000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

uint16_t EncodeRatio(double v) {
  if (std::isnan(v)) {
    return kNull16;
  }
  return static_cast<uint16_t>(std::lround(std::clamp(v, 0.0, 1.0) * 10000));
}

double DecodeRatio(uint16_t code) { return code == kNull16 ? kNoValue : code / 10000.0; }

uint32_t EncodeCount(double v) {
  if (std::isnan(v)) {
    return kNull32;
  }
  return static_cast<uint32_t>(std::clamp(std::round(v), 0.0, static_cast<double>(kNull32 - 1)));
}

double DecodeCount(uint32_t code) { return code == kNull32 ? kNoValue : code; }

std::optional<double> Delta(const std::optional<uint64_t>& now,
                            const std::optional<uint64_t>& before) {
  if (!now || !before) {
    return std::nullopt;
  }
  // A counter that went down means node-manager (or the instance) restarted and counts from
  // zero again: what it counted since then is the whole current value, never a negative rate.
  return static_cast<double>(*now >= *before ? *now - *before : *now);
}

double Value(const std::optional<uint64_t>& v) {
  return v ? static_cast<double>(*v) : kNoValue;
}

double Value(const std::optional<double>& v) { return v ? *v : kNoValue; }

}  // namespace

uint16_t EncodeCompact(double v) {
  if (std::isnan(v)) {
    return kNull16;
  }
  if (!(v > 0)) {
    return 0;
  }
  constexpr uint16_t kMax = (62 << 10) | 1023;
  if (std::isinf(v)) {
    return kMax;
  }
  int exp = 0;
  double m = std::frexp(v, &exp);  // v = m * 2^exp, m in [0.5, 1)
  int e = exp - 1;                 // v = (2m) * 2^e, 2m in [1, 2)
  auto frac = static_cast<uint32_t>(std::lround((2 * m - 1) * 1024));
  if (frac == 1024) {
    frac = 0;
    ++e;
  }
  int biased = e + kBias;
  if (biased < 1) {
    return v >= std::ldexp(1.0, 1 - kBias) / 2 ? static_cast<uint16_t>(1 << 10) : 0;
  }
  if (biased > 62) {
    return kMax;
  }
  return static_cast<uint16_t>((biased << 10) | frac);
}

double DecodeCompact(uint16_t code) {
  if (code == kNull16) {
    return kNoValue;
  }
  if (code == 0) {
    return 0;
  }
  return std::ldexp(1 + (code & 1023) / 1024.0, (code >> 10) - kBias);
}

template <size_t N>
void Tier<N>::Blank(size_t index, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    size_t k = (index + i) % N;
    used_memory_[k] = maxmemory_[k] = std::numeric_limits<float>::quiet_NaN();
    keys_[k] = kNull32;
    hit_ratio_[k] = ops_[k] = clients_[k] = evictions_[k] = expired_[k] = p50_[k] = p99_[k] =
        kNull16;
  }
}

template <size_t N>
void Tier<N>::Write(int64_t slot, const Point& p) {
  const auto n = static_cast<int64_t>(N);
  if (newest_ == kNoSlot || slot > newest_) {
    if (newest_ != kNoSlot && slot - newest_ < n) {
      Blank(Index(newest_ + 1), static_cast<size_t>(slot - newest_ - 1));
    } else {
      Blank(0, N);
    }
    newest_ = slot;
  } else if (slot <= newest_ - n) {
    // Far behind the newest point: the wall clock was set back. Start over from here rather than
    // dropping every sample until the clock catches up.
    Blank(0, N);
    newest_ = slot;
  }
  size_t k = Index(slot);
  used_memory_[k] = static_cast<float>(p[kUsedMemory]);
  maxmemory_[k] = static_cast<float>(p[kMaxMemory]);
  keys_[k] = EncodeCount(p[kKeys]);
  hit_ratio_[k] = EncodeRatio(p[kHitRatio]);
  ops_[k] = EncodeCompact(p[kOpsPerSec]);
  clients_[k] = EncodeCompact(p[kClients]);
  evictions_[k] = EncodeCompact(p[kEvictionsPerSec]);
  expired_[k] = EncodeCompact(p[kExpiredPerSec]);
  p50_[k] = EncodeCompact(p[kLatencyP50]);
  p99_[k] = EncodeCompact(p[kLatencyP99]);
}

template <size_t N>
Point Tier<N>::Read(int64_t slot) const {
  if (!Holds(slot)) {
    return EmptyPoint();
  }
  size_t k = Index(slot);
  Point p;
  p[kUsedMemory] = used_memory_[k];
  p[kMaxMemory] = maxmemory_[k];
  p[kKeys] = DecodeCount(keys_[k]);
  p[kHitRatio] = DecodeRatio(hit_ratio_[k]);
  p[kOpsPerSec] = DecodeCompact(ops_[k]);
  p[kClients] = DecodeCompact(clients_[k]);
  p[kEvictionsPerSec] = DecodeCompact(evictions_[k]);
  p[kExpiredPerSec] = DecodeCompact(expired_[k]);
  p[kLatencyP50] = DecodeCompact(p50_[k]);
  p[kLatencyP99] = DecodeCompact(p99_[k]);
  return p;
}

template class Tier<kSecondPoints>;
template class Tier<kMinutePoints>;

// Minute points: rates are time-weighted means of the seconds' rates (= counter delta over the
// minute / time covered), gauges plain means, hit_ratio hits / lookups over the whole minute,
// maxmemory the last value (a limit is a setting: a mean would show one that never existed),
// latency p50 the mean and p99 the max (a spike must not be averaged away).
void InstanceSeries::MinuteSoFar::Reset(int64_t m) { *this = MinuteSoFar{.minute = m}; }

void InstanceSeries::MinuteSoFar::Add(const Point& p, double dt_s, double h, double l) {
  for (Field f : {kOpsPerSec, kEvictionsPerSec, kExpiredPerSec}) {
    if (!std::isnan(p[f]) && dt_s > 0) {
      sum[f] += p[f] * dt_s;
      weight[f] += dt_s;
    }
  }
  for (Field f : {kUsedMemory, kKeys, kClients, kLatencyP50}) {
    if (!std::isnan(p[f])) {
      sum[f] += p[f];
      weight[f] += 1;
    }
  }
  if (!std::isnan(p[kMaxMemory])) {
    maxmemory = p[kMaxMemory];
  }
  if (!std::isnan(p[kLatencyP99])) {
    p99 = std::isnan(p99) ? p[kLatencyP99] : std::max(p99, p[kLatencyP99]);
  }
  if (!std::isnan(h) && !std::isnan(l)) {
    hits += h;
    lookups += l;
  }
}

Point InstanceSeries::MinuteSoFar::Value() const {
  Point p = EmptyPoint();
  for (size_t f = 0; f < kFieldCount; ++f) {
    if (weight[f] > 0) {
      p[f] = sum[f] / weight[f];
    }
  }
  p[kMaxMemory] = maxmemory;
  p[kLatencyP99] = p99;
  p[kHitRatio] = lookups > 0 ? hits / lookups : kNoValue;
  return p;
}

void InstanceSeries::BornAfter(int64_t since_ms) {
  prev_ = Previous{true, since_ms, 0, 0, 0, 0, 0};
}

void InstanceSeries::Add(int64_t now_ms, uint16_t source, const InstanceCounters& c) {
  Point p = EmptyPoint();
  p[kUsedMemory] = Value(c.used_memory);
  p[kMaxMemory] = Value(c.maxmemory);
  p[kKeys] = Value(c.keys);
  p[kClients] = Value(c.connected_clients);
  p[kLatencyP50] = Value(c.latency_p50_us);
  p[kLatencyP99] = Value(c.latency_p99_us);

  // Rates need the previous sample from the same node-manager (another one counts from its own
  // start) and a gap short enough for the delta to say something about this point.
  const bool rated = prev_.valid && source == source_ && now_ms > prev_.time_ms &&
                     now_ms - prev_.time_ms <= max_rate_gap_ms_;
  double dt_s = rated ? static_cast<double>(now_ms - prev_.time_ms) / 1000.0 : 0;
  double hits = kNoValue, lookups = kNoValue;
  if (rated) {
    auto rate = [dt_s](std::optional<double> d) { return d ? *d / dt_s : kNoValue; };
    p[kOpsPerSec] = rate(Delta(c.total_commands, prev_.commands));
    p[kEvictionsPerSec] = rate(Delta(c.evicted_keys, prev_.evicted));
    p[kExpiredPerSec] = rate(Delta(c.expired_keys, prev_.expired));
    auto h = Delta(c.keyspace_hits, prev_.hits);
    auto m = Delta(c.keyspace_misses, prev_.misses);
    if (h && m) {
      hits = *h;
      lookups = *h + *m;
      p[kHitRatio] = lookups > 0 ? hits / lookups : kNoValue;
    }
  }
  source_ = source;
  prev_ = Previous{true, now_ms, c.total_commands, c.keyspace_hits, c.keyspace_misses,
                   c.evicted_keys, c.expired_keys};
  latest_ = Latest{now_ms, c.running, p};

  seconds_.Write(FloorDiv(now_ms, kSecondMs), p);
  int64_t minute = FloorDiv(now_ms, kMinuteMs);
  if (minute != minute_.minute) {
    minute_.Reset(minute);
  }
  minute_.Add(p, dt_s, hits, lookups);
  minutes_.Write(minute, minute_.Value());
}

Window InstanceSeries::Read(Resolution r, int64_t now_ms, size_t points) const {
  Window w;
  w.step_ms = r == Resolution::kSecond ? kSecondMs : kMinuteMs;
  w.timestamps_ms.reserve(points);
  for (auto& column : w.columns) {
    column.reserve(points);
  }
  auto fill = [&](const auto& tier) {
    int64_t now_slot = FloorDiv(now_ms, w.step_ms);
    int64_t end = tier.newest() != kNoSlot && tier.newest() >= now_slot ? now_slot
                                                                               : now_slot - 1;
    for (int64_t slot = end - static_cast<int64_t>(points) + 1; slot <= end; ++slot) {
      w.timestamps_ms.push_back(slot * w.step_ms);
      Point p = tier.Read(slot);
      for (size_t f = 0; f < kFieldCount; ++f) {
        w.columns[f].push_back(p[f]);
      }
    }
  };
  if (r == Resolution::kSecond) {
    fill(seconds_);
  } else {
    fill(minutes_);
  }
  return w;
}

}  // namespace mr::services::monitoring
