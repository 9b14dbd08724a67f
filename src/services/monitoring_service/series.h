// One instance's metric history: a 1 s tier (900 points = 15 min) and a 1 min tier (1440 points =
// 24 h) in fixed, preallocated rings of compact columns. Pure logic: the caller passes the time.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "services/monitoring_service/node_stats.h"

namespace mr::services::monitoring {

/// The fields of every point, in the order the API lists them.
enum Field : size_t {
  kOpsPerSec,
  kUsedMemory,
  kMaxMemory,
  kKeys,
  kClients,
  kHitRatio,
  kEvictionsPerSec,
  kExpiredPerSec,
  kLatencyP50,
  kLatencyP99,
  kFieldCount,
};
inline constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "ops_per_sec", "used_memory",       "maxmemory",       "keys",           "clients",
    "hit_ratio",   "evictions_per_sec", "expired_per_sec", "latency_p50_us", "latency_p99_us"};

/// A decoded point; NaN means "no value" (answered as JSON null).
using Point = std::array<double, kFieldCount>;
inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
inline Point EmptyPoint() {
  Point p;
  p.fill(kNoValue);
  return p;
}

/// Unsigned 16-bit float: 6 exponent bits, 10 mantissa bits (relative error <= 0.05%, integers up
/// to 2048 exact, range 3e-5 .. 1.4e14). 0xFFFF is "no value". Used for rates, latencies, clients.
uint16_t EncodeCompact(double v);
double DecodeCompact(uint16_t code);

/// A slot number no time maps to: "nothing written yet".
inline constexpr int64_t kNoSlot = std::numeric_limits<int64_t>::min();

/// Points of one resolution in a ring indexed by slot (time / resolution). Writing a slot past the
/// newest one blanks the slots in between, so a missed poll reads back as a gap, never as an old
/// value. 26 bytes per point.
template <size_t N>
class Tier {
 public:
  Tier() { Blank(0, N); }
  void Write(int64_t slot, const Point& p);
  Point Read(int64_t slot) const;
  /// True when `slot` is inside the ring (written or a gap); older or newer slots read empty.
  bool Holds(int64_t slot) const {
    return newest_ != kNoSlot && slot <= newest_ && slot > newest_ - static_cast<int64_t>(N);
  }
  int64_t newest() const { return newest_; }

 private:
  static size_t Index(int64_t slot) {
    int64_t m = slot % static_cast<int64_t>(N);
    return static_cast<size_t>(m < 0 ? m + static_cast<int64_t>(N) : m);
  }
  void Blank(size_t index, size_t count);

  int64_t newest_ = kNoSlot;
  // Exact where people compare numbers (memory vs limit, key count); compact elsewhere.
  std::array<float, N> used_memory_;
  std::array<float, N> maxmemory_;
  std::array<uint32_t, N> keys_;  // 0xFFFFFFFF: no value; saturates below it
  std::array<uint16_t, N> hit_ratio_;  // 1/10000 steps; 0xFFFF: no value
  std::array<uint16_t, N> ops_;
  std::array<uint16_t, N> clients_;
  std::array<uint16_t, N> evictions_;
  std::array<uint16_t, N> expired_;
  std::array<uint16_t, N> p50_;
  std::array<uint16_t, N> p99_;
};

inline constexpr size_t kSecondPoints = 900;   // 15 min of 1 s points
inline constexpr size_t kMinutePoints = 1440;  // 24 h of 1 min points

/// The sample a poll produced, in full precision (the API's "latest").
struct Latest {
  int64_t time_ms = 0;
  bool running = true;
  Point point = EmptyPoint();
};

/// A window read out of one tier: `timestamps_ms[i]` is the start of point i's slot.
struct Window {
  int64_t step_ms = 0;
  std::vector<int64_t> timestamps_ms;
  std::array<std::vector<double>, kFieldCount> columns;
};

enum class Resolution { kSecond, kMinute };

class InstanceSeries {
 public:
  /// `max_rate_gap_ms`: a counter delta over a longer gap is not turned into a rate (it would
  /// smear an outage's traffic into one point).
  InstanceSeries(uint16_t source, int64_t max_rate_gap_ms)
      : source_(source), max_rate_gap_ms_(max_rate_gap_ms) {}

  /// Adds the sample `c` that node-manager `source` reported at `now_ms`.
  void Add(int64_t now_ms, uint16_t source, const InstanceCounters& c);
  /// For an instance its node-manager did not report at `since_ms` (its previous successful
  /// poll): it started after that with every counter at zero, so its first sample already has
  /// rates. Without this, the traffic of a new instance's first second would never show.
  void BornAfter(int64_t since_ms);

  /// The last `points` points of a tier ending at `now_ms` (the slot of `now_ms` only when it
  /// already holds a sample, so a read just before the poll does not end in a false gap).
  Window Read(Resolution r, int64_t now_ms, size_t points) const;

  const Latest& latest() const { return latest_; }
  int64_t last_seen_ms() const { return latest_.time_ms; }
  uint16_t source() const { return source_; }

 private:
  struct Previous {
    bool valid = false;
    int64_t time_ms = 0;
    std::optional<uint64_t> commands, hits, misses, evicted, expired;
  };
  // Aggregates the samples of the current minute; rewritten into the minute tier at every sample
  // so the newest minute point is the minute so far.
  struct MinuteSoFar {
    int64_t minute = kNoSlot;
    std::array<double, kFieldCount> sum{};
    std::array<double, kFieldCount> weight{};
    double hits = 0, lookups = 0;
    double maxmemory = kNoValue, p99 = kNoValue;
    void Reset(int64_t m);
    void Add(const Point& p, double dt_s, double hits, double lookups);
    Point Value() const;
  };

  uint16_t source_;
  int64_t max_rate_gap_ms_;
  Previous prev_;
  MinuteSoFar minute_;
  Latest latest_;
  Tier<kSecondPoints> seconds_;
  Tier<kMinutePoints> minutes_;
};

}  // namespace mr::services::monitoring
