#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/monitoring_service/routes.h"

namespace mr::services::monitoring {
namespace {
namespace json = boost::json;

constexpr int64_t kT0 = 1'700'000'040'000;

TEST(MonitoringRoutesTest, WindowsMapToTiers) {
  EXPECT_EQ(FindWindow("15m")->resolution, Resolution::kSecond);
  EXPECT_EQ(FindWindow("15m")->points, 900u);
  EXPECT_EQ(FindWindow("1h")->resolution, Resolution::kMinute);
  EXPECT_EQ(FindWindow("1h")->points, 60u);
  EXPECT_EQ(FindWindow("24h")->points, 1440u);
  EXPECT_FALSE(FindWindow("5m"));
  EXPECT_FALSE(FindWindow(""));
}

TEST(MonitoringRoutesTest, MetricsAreColumnarWithNullGaps) {
  SeriesStore store({});
  InstanceCounters c;
  c.id = "alpha";
  c.keys = 3;
  c.total_commands = 10;
  c.used_memory = 2048;
  c.keyspace_hits = 1;
  c.keyspace_misses = 1;
  store.Record(0, kT0, {c});
  c.total_commands = 25;
  c.keyspace_hits = 3;
  store.Record(0, kT0 + 2000, {c});
  auto window = *FindWindow("15m");
  auto view = store.Read("alpha", window.resolution, kT0 + 2100, window.points);
  ASSERT_TRUE(view);
  json::value v = json::parse(InstanceMetricsJson("alpha", window, *view, "http://nm:7000", 420));
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("instance_id").as_string(), "alpha");
  EXPECT_EQ(o.at("window").as_string(), "15m");
  EXPECT_EQ(o.at("resolution_seconds").as_int64(), 1);
  EXPECT_EQ(o.at("node_manager").as_string(), "http://nm:7000");
  EXPECT_EQ(o.at("next_sample_in_ms").as_int64(), 420);
  const json::array& ts = o.at("timestamps").as_array();
  ASSERT_EQ(ts.size(), 900u);
  EXPECT_EQ(ts.back().as_int64(), kT0 + 2000);
  const json::object& series = o.at("series").as_object();
  ASSERT_EQ(series.size(), kFieldCount);
  const json::array& keys = series.at("keys").as_array();
  EXPECT_EQ(keys[899].as_int64(), 3);
  EXPECT_TRUE(keys[898].is_null());  // the missed second
  EXPECT_EQ(keys[897].as_int64(), 3);
  EXPECT_TRUE(keys[0].is_null());
  EXPECT_DOUBLE_EQ(series.at("ops_per_sec").as_array()[899].to_number<double>(), 7.5);
  EXPECT_TRUE(series.at("maxmemory").as_array()[899].is_null());
  const json::object& latest = o.at("latest").as_object();
  EXPECT_EQ(latest.at("timestamp_ms").as_int64(), kT0 + 2000);
  EXPECT_EQ(latest.at("status").as_string(), "running");
  EXPECT_DOUBLE_EQ(latest.at("hit_ratio").to_number<double>(), 1.0);
  EXPECT_EQ(latest.at("used_memory").as_int64(), 2048);
}

}  // namespace
}  // namespace mr::services::monitoring
