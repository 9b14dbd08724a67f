#include "services/monitoring_service/series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

namespace mr::services::monitoring {
namespace {

constexpr int64_t kT0 = 1'700'000'040'000;  // a whole minute (and second), so slots are simple

InstanceCounters Sample(uint64_t commands, uint64_t keys = 10) {
  InstanceCounters c;
  c.id = "alpha";
  c.used_memory = 1000 + keys;
  c.maxmemory = 16 << 20;
  c.keys = keys;
  c.connected_clients = 3;
  c.latency_p50_us = 5;
  c.latency_p99_us = 40;
  c.total_commands = commands;
  c.keyspace_hits = 0;
  c.keyspace_misses = 0;
  c.evicted_keys = 0;
  c.expired_keys = 0;
  return c;
}

TEST(CompactTest, KeepsIntegersToTwoThousandAndRelativeErrorBelowHalfAPerMille) {
  for (int i = 0; i <= 2048; ++i) {
    EXPECT_EQ(DecodeCompact(EncodeCompact(i)), i);
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-4, 13);
  for (int i = 0; i < 100000; ++i) {
    double v = std::pow(10.0, exponent(rng));
    double back = DecodeCompact(EncodeCompact(v));
    EXPECT_LE(std::fabs(back - v) / v, 0.0005) << v;
  }
  EXPECT_TRUE(std::isnan(DecodeCompact(EncodeCompact(kNoValue))));
  EXPECT_EQ(DecodeCompact(EncodeCompact(-3)), 0);
  EXPECT_GT(DecodeCompact(EncodeCompact(1e300)), 1e14);
  EXPECT_FALSE(std::isnan(DecodeCompact(EncodeCompact(1e300))));
}

TEST(InstanceSeriesTest, FirstSampleHasGaugesButNoRates) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(500));
  Window w = s.Read(Resolution::kSecond, kT0 + 10, 3);
  ASSERT_EQ(w.timestamps_ms, (std::vector<int64_t>{kT0 - 2000, kT0 - 1000, kT0}));
  EXPECT_EQ(w.columns[kKeys][2], 10);
  EXPECT_EQ(w.columns[kMaxMemory][2], 16 << 20);
  EXPECT_EQ(w.columns[kUsedMemory][2], 1010);
  EXPECT_EQ(w.columns[kClients][2], 3);
  EXPECT_TRUE(std::isnan(w.columns[kOpsPerSec][2]));
  EXPECT_TRUE(std::isnan(w.columns[kHitRatio][2]));
  EXPECT_TRUE(std::isnan(w.columns[kKeys][1]));  // before the first sample: null, not zero
  EXPECT_EQ(s.latest().time_ms, kT0);
}

TEST(InstanceSeriesTest, RatesUseTheRealTimeBetweenSamples) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(1000));
  s.Add(kT0 + 1000, 0, Sample(1100));
  s.Add(kT0 + 3500, 0, Sample(1200));  // a late poll: 100 commands over 2.5 s
  Window w = s.Read(Resolution::kSecond, kT0 + 3500, 4);
  EXPECT_DOUBLE_EQ(w.columns[kOpsPerSec][1], 100);
  EXPECT_TRUE(std::isnan(w.columns[kOpsPerSec][2]));  // the missed second is a gap
  EXPECT_TRUE(std::isnan(w.columns[kKeys][2]));
  EXPECT_DOUBLE_EQ(w.columns[kOpsPerSec][3], 40);
  EXPECT_DOUBLE_EQ(s.latest().point[kOpsPerSec], 40);
}

TEST(InstanceSeriesTest, ACounterThatGoesDownIsAResetNotANegativeRate) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(100000));
  s.Add(kT0 + 1000, 0, Sample(30));  // node-manager restarted and counted 30 since
  EXPECT_DOUBLE_EQ(s.latest().point[kOpsPerSec], 30);
  s.Add(kT0 + 2000, 0, Sample(80));
  EXPECT_DOUBLE_EQ(s.latest().point[kOpsPerSec], 50);
}

TEST(InstanceSeriesTest, HitRatioIsOverTheIntervalAndNullWithoutLookups) {
  InstanceSeries s(0, 60000);
  InstanceCounters c = Sample(0);
  c.keyspace_hits = 10;
  c.keyspace_misses = 10;
  s.Add(kT0, 0, c);
  c.keyspace_hits = 13;
  c.keyspace_misses = 11;
  s.Add(kT0 + 1000, 0, c);
  EXPECT_DOUBLE_EQ(s.latest().point[kHitRatio], 0.75);
  s.Add(kT0 + 2000, 0, c);
  EXPECT_TRUE(std::isnan(s.latest().point[kHitRatio]));
  Window w = s.Read(Resolution::kSecond, kT0 + 2000, 2);
  EXPECT_DOUBLE_EQ(w.columns[kHitRatio][0], 0.75);
  EXPECT_TRUE(std::isnan(w.columns[kHitRatio][1]));
}

TEST(InstanceSeriesTest, NoRateAcrossAnotherNodeManagerOrATooLongGap) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(100));
  s.Add(kT0 + 1000, 1, Sample(5000));  // moved to node-manager 1: its counters are its own
  EXPECT_TRUE(std::isnan(s.latest().point[kOpsPerSec]));
  EXPECT_EQ(s.source(), 1);
  s.Add(kT0 + 2000, 1, Sample(5100));
  EXPECT_DOUBLE_EQ(s.latest().point[kOpsPerSec], 100);
  s.Add(kT0 + 2000 + 61000, 1, Sample(9100));
  EXPECT_TRUE(std::isnan(s.latest().point[kOpsPerSec]));
}

TEST(InstanceSeriesTest, TheRingWrapsAroundAndGapsNeverShowOldValues) {
  InstanceSeries s(0, 60000);
  for (int i = 0; i < 2000; ++i) {
    s.Add(kT0 + i * 1000, 0, Sample(i * 10, i));
  }
  int64_t last = kT0 + 1999 * 1000;
  Window w = s.Read(Resolution::kSecond, last, 900);
  ASSERT_EQ(w.timestamps_ms.size(), 900u);
  EXPECT_EQ(w.timestamps_ms.front(), last - 899 * 1000);
  EXPECT_EQ(w.timestamps_ms.back(), last);
  for (size_t i = 0; i < 900; ++i) {
    EXPECT_EQ(w.columns[kKeys][i], 1100 + static_cast<double>(i));
    EXPECT_DOUBLE_EQ(w.columns[kOpsPerSec][i], 10);
  }
  // Older than 15 minutes: gone, even though asked for.
  w = s.Read(Resolution::kSecond, last, 901);
  EXPECT_TRUE(std::isnan(w.columns[kKeys][0]));
  EXPECT_EQ(w.columns[kKeys][1], 1100);

  // Ten silent seconds: the slots they reuse are blanked, not left with 15-minute-old values.
  s.Add(last + 11000, 0, Sample(20100, 7));
  w = s.Read(Resolution::kSecond, last + 11000, 12);
  EXPECT_EQ(w.columns[kKeys][0], 1999);
  for (size_t i = 1; i <= 10; ++i) {
    EXPECT_TRUE(std::isnan(w.columns[kKeys][i])) << i;
  }
  EXPECT_EQ(w.columns[kKeys][11], 7);
  // A silence longer than the ring: everything but the new point is blank.
  s.Add(last + 2000000, 0, Sample(20200, 8));
  w = s.Read(Resolution::kSecond, last + 2000000, 900);
  for (size_t i = 0; i < 899; ++i) {
    ASSERT_TRUE(std::isnan(w.columns[kKeys][i])) << i;
  }
  EXPECT_EQ(w.columns[kKeys][899], 8);
}

TEST(InstanceSeriesTest, AReadBeforeThisSecondsPollEndsAtThePreviousSecond) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(0));
  s.Add(kT0 + 1000, 0, Sample(10));
  Window w = s.Read(Resolution::kSecond, kT0 + 2300, 2);  // second 2 not polled yet
  EXPECT_EQ(w.timestamps_ms.back(), kT0 + 1000);
  EXPECT_EQ(w.columns[kKeys].back(), 10);
  w = s.Read(Resolution::kSecond, kT0 + 5300, 2);  // polls stopped: the gap shows
  EXPECT_EQ(w.timestamps_ms.back(), kT0 + 4000);
  EXPECT_TRUE(std::isnan(w.columns[kKeys].back()));
}

TEST(InstanceSeriesTest, MinutePointsAggregateTheSeconds) {
  InstanceSeries s(0, 60000);
  uint64_t commands = 0;
  for (int i = 0; i < 120; ++i) {
    InstanceCounters c = Sample(commands, i < 60 ? 100 : 200);
    c.latency_p99_us = i == 30 ? 900 : 40;
    c.keyspace_hits = static_cast<uint64_t>(std::min(i, 59) * 3);
    c.keyspace_misses = static_cast<uint64_t>(std::min(i, 59));
    c.maxmemory = i < 59 ? (16 << 20) : (32 << 20);
    s.Add(kT0 + i * 1000, 0, c);
    commands += i < 60 ? 50 : 100;
  }
  Window w = s.Read(Resolution::kMinute, kT0 + 119 * 1000, 3);
  ASSERT_EQ(w.timestamps_ms, (std::vector<int64_t>{kT0 - 60000, kT0, kT0 + 60000}));
  EXPECT_TRUE(std::isnan(w.columns[kOpsPerSec][0]));
  EXPECT_NEAR(w.columns[kOpsPerSec][1], 50, 0.05);   // mean rate (first sample has none)
  EXPECT_NEAR(w.columns[kOpsPerSec][2], 99.2, 0.1);  // 59 x 100 and one 50, time-weighted
  EXPECT_EQ(w.columns[kKeys][1], 100);
  EXPECT_EQ(w.columns[kKeys][2], 200);
  EXPECT_EQ(w.columns[kLatencyP99][1], 900);  // max, not mean
  EXPECT_EQ(w.columns[kLatencyP99][2], 40);
  EXPECT_EQ(w.columns[kMaxMemory][1], 32 << 20);  // the last limit of the minute
  EXPECT_DOUBLE_EQ(w.columns[kHitRatio][1], 0.75);
  EXPECT_TRUE(std::isnan(w.columns[kHitRatio][2]));  // no lookups at all that minute
  EXPECT_EQ(w.columns[kLatencyP50][1], 5);
}

TEST(InstanceSeriesTest, TheMinuteInProgressIsReadable) {
  InstanceSeries s(0, 60000);
  s.Add(kT0 + 5000, 0, Sample(0, 4));
  s.Add(kT0 + 6000, 0, Sample(20, 6));
  Window w = s.Read(Resolution::kMinute, kT0 + 6500, 60);
  ASSERT_EQ(w.timestamps_ms.back(), kT0);
  EXPECT_EQ(w.columns[kKeys].back(), 5);
  EXPECT_DOUBLE_EQ(w.columns[kOpsPerSec].back(), 20);
  EXPECT_TRUE(std::isnan(w.columns[kKeys][58]));
}

TEST(InstanceSeriesTest, AClockSetFarBackRestartsTheRing) {
  InstanceSeries s(0, 60000);
  s.Add(kT0, 0, Sample(0, 1));
  s.Add(kT0 - 3600 * 1000, 0, Sample(0, 2));
  Window w = s.Read(Resolution::kSecond, kT0 - 3600 * 1000, 1);
  EXPECT_EQ(w.columns[kKeys][0], 2);
}

TEST(InstanceSeriesTest, FootprintIsFixedAndSmall) {
  EXPECT_EQ(sizeof(Tier<kSecondPoints>), 8 + 26 * kSecondPoints);
  EXPECT_EQ(sizeof(Tier<kMinutePoints>), 8 + 26 * kMinutePoints);
  EXPECT_LE(sizeof(InstanceSeries), 64u * 1024);
  std::cout << "sizeof(InstanceSeries) = " << sizeof(InstanceSeries) << " bytes\n";
}

}  // namespace
}  // namespace mr::services::monitoring
