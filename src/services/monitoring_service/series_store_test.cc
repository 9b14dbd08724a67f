#include "services/monitoring_service/series_store.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cmath>
#include <iostream>
#include <thread>

namespace mr::services::monitoring {
namespace {

constexpr int64_t kT0 = 1'700'000'040'000;

InstanceCounters Sample(std::string id, uint64_t keys) {
  InstanceCounters c;
  c.id = std::move(id);
  c.keys = keys;
  c.total_commands = keys * 10;
  return c;
}

TEST(SeriesStoreTest, RecordsAndReadsByInstance) {
  SeriesStore store({});
  auto out = store.Record(2, kT0, {Sample("a", 1), Sample("b", 2)});
  EXPECT_EQ(out.stored, 2u);
  EXPECT_EQ(store.instances(), 2u);
  auto view = store.Read("b", Resolution::kSecond, kT0, 900);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->source, 2);
  EXPECT_EQ(view->latest.point[kKeys], 2);
  EXPECT_EQ(view->window.columns[kKeys].back(), 2);
  EXPECT_EQ(view->window.timestamps_ms.size(), 900u);
  EXPECT_FALSE(store.Read("nope", Resolution::kSecond, kT0, 900));
}

TEST(SeriesStoreTest, AnInstanceNewSinceThePreviousPollHasRatesAtOnce) {
  SeriesStore store({});
  store.Record(0, kT0, {Sample("old", 1)});
  // "new" appeared between the polls: its 50 commands happened within that second.
  store.Record(0, kT0 + 1000, {Sample("old", 1), Sample("new", 5)}, kT0);
  auto fresh = store.Read("new", Resolution::kSecond, kT0 + 1000, 900);
  ASSERT_TRUE(fresh);
  EXPECT_DOUBLE_EQ(fresh->latest.point[kOpsPerSec], 50);
  // Without a previous poll nothing is known about when its commands ran: no rate.
  SeriesStore cold({});
  cold.Record(0, kT0, {Sample("x", 5)});
  EXPECT_TRUE(std::isnan(cold.Read("x", Resolution::kSecond, kT0, 900)->latest.point[kOpsPerSec]));
}

TEST(SeriesStoreTest, InstancesOverTheCapAreCountedNotStored) {
  SeriesStore store({.max_instances = 2});
  auto out = store.Record(0, kT0, {Sample("a", 1), Sample("b", 1), Sample("c", 1)});
  EXPECT_EQ(out.stored, 2u);
  EXPECT_EQ(out.refused, 1u);
  EXPECT_EQ(store.instances(), 2u);
  EXPECT_FALSE(store.Read("c", Resolution::kSecond, kT0, 1));
  out = store.Record(0, kT0 + 1000, {Sample("a", 5), Sample("c", 1)});
  EXPECT_EQ(out.stored, 1u);
  EXPECT_EQ(store.Read("a", Resolution::kSecond, kT0 + 1000, 1)->latest.point[kKeys], 5);
}

TEST(SeriesStoreTest, InstancesUnseenForTheRetentionAreDropped) {
  SeriesStore store({.retention_ms = 24LL * 3600 * 1000});
  store.Record(0, kT0, {Sample("gone", 1), Sample("kept", 1)});
  store.Record(0, kT0 + 3600 * 1000, {Sample("kept", 2)});
  // A deleted instance's history stays readable until the retention passes.
  EXPECT_EQ(store.DropUnseen(kT0 + 24LL * 3600 * 1000), 0u);
  EXPECT_TRUE(store.Read("gone", Resolution::kMinute, kT0 + 24LL * 3600 * 1000, 1440));
  EXPECT_EQ(store.DropUnseen(kT0 + 24LL * 3600 * 1000 + 1), 1u);
  EXPECT_FALSE(store.Read("gone", Resolution::kMinute, kT0, 1440));
  EXPECT_TRUE(store.Read("kept", Resolution::kMinute, kT0, 1440));
  EXPECT_EQ(store.instances(), 1u);
  EXPECT_EQ(store.bytes(), SeriesStore::BytesPerInstance(4));
}

TEST(SeriesStoreTest, BytesPerInstanceMatchesTheHeap) {
  constexpr size_t kInstances = 500;
  std::vector<InstanceCounters> batch;
  for (size_t i = 0; i < kInstances; ++i) {
    batch.push_back(Sample("instance-" + std::to_string(100000 + i), i));
  }
  size_t before = mallinfo2().uordblks;
  auto store = std::make_unique<SeriesStore>(StoreOptions{});
  store->Record(0, kT0, batch);
  size_t measured = (mallinfo2().uordblks - before) / kInstances;
  size_t estimated = store->bytes() / kInstances;
  std::cout << "series bytes per instance: estimated " << estimated << ", measured " << measured
            << "\n";
  EXPECT_LE(estimated, 64u * 1024);
  if (measured < estimated / 2) {
    GTEST_SKIP() << "mallinfo2 does not see this allocator (sanitizer build)";
  }
  EXPECT_LE(measured, 64u * 1024);
  EXPECT_NEAR(static_cast<double>(estimated), static_cast<double>(measured), 0.02 * measured);
}

TEST(SeriesStoreTest, WritersAndReadersRunTogether) {
  SeriesStore store({});
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      std::vector<InstanceCounters> batch;
      for (int k = 0; k < 50; ++k) {
        batch.push_back(Sample("i" + std::to_string(k), static_cast<uint64_t>(i)));
      }
      store.Record(0, kT0 + i * 1000, batch);
    }
    done = true;
  });
  size_t reads = 0;
  while (!done) {
    for (int k = 0; k < 50; ++k) {
      if (auto v = store.Read("i" + std::to_string(k), Resolution::kSecond, kT0 + 300000, 60)) {
        ++reads;
        ASSERT_EQ(v->window.columns[kKeys].size(), 60u);
      }
    }
  }
  writer.join();
  EXPECT_EQ(store.instances(), 50u);
  EXPECT_EQ(store.Read("i7", Resolution::kSecond, kT0 + 299000, 1)->latest.point[kKeys], 299);
}

}  // namespace
}  // namespace mr::services::monitoring
