#include "services/monitoring_service/node_stats.h"

#include <gtest/gtest.h>

namespace mr::services::monitoring {
namespace {

TEST(NodeStatsTest, ParsesNodeManagersAnswer) {
  auto r = ParseNodeStats(R"({"instances":[{"id":"alpha","status":"running","used_memory":1024,
    "maxmemory":16777216,"keys":3,"expires":0,"total_commands":42,"ops_per_sec":1,
    "keyspace_hits":5,"keyspace_misses":2,"connected_clients":1,"evicted_keys":0,
    "expired_keys":7,"rejected_commands":0,"rejected_connections":0,"latency_p50_us":2.5,
    "latency_p99_us":31,"latency_p999_us":40,"persistence":{"enabled":true}},
    {"id":"beta","status":"stopped"}]})");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->instances.size(), 2u);
  const InstanceCounters& a = r->instances[0];
  EXPECT_EQ(a.id, "alpha");
  EXPECT_TRUE(a.running);
  EXPECT_EQ(a.used_memory, 1024u);
  EXPECT_EQ(a.maxmemory, 16777216u);
  EXPECT_EQ(a.keys, 3u);
  EXPECT_EQ(a.total_commands, 42u);
  EXPECT_EQ(a.keyspace_hits, 5u);
  EXPECT_EQ(a.keyspace_misses, 2u);
  EXPECT_EQ(a.connected_clients, 1u);
  EXPECT_EQ(a.evicted_keys, 0u);
  EXPECT_EQ(a.expired_keys, 7u);
  EXPECT_EQ(a.latency_p50_us, 2.5);
  EXPECT_EQ(a.latency_p99_us, 31);
  const InstanceCounters& b = r->instances[1];
  EXPECT_FALSE(b.running);
  EXPECT_FALSE(b.keys.has_value());  // missing: unknown, not zero
  EXPECT_FALSE(b.total_commands.has_value());
}

TEST(NodeStatsTest, WrongTypesAndNegativeNumbersAreUnknown) {
  auto r = ParseNodeStats(
      R"({"instances":[{"id":"a","keys":-1,"used_memory":"12","latency_p99_us":-3,
        "total_commands":1e3,"maxmemory":null}]})");
  ASSERT_TRUE(r.ok());
  const InstanceCounters& a = r->instances[0];
  EXPECT_FALSE(a.keys);
  EXPECT_FALSE(a.used_memory);
  EXPECT_FALSE(a.latency_p99_us);
  EXPECT_FALSE(a.maxmemory);
  EXPECT_EQ(a.total_commands, 1000u);
}

TEST(NodeStatsTest, EntriesWithoutAValidIdAreSkipped) {
  auto r = ParseNodeStats(R"({"instances":[{"keys":1},{"id":"Bad_Id"},{"id":""},
    {"id":")" + std::string(65, 'a') + R"("},[],3,{"id":"ok-1"}]})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->instances.size(), 1u);
  EXPECT_EQ(r->instances[0].id, "ok-1");
  EXPECT_EQ(r->skipped, 6u);
}

TEST(NodeStatsTest, OtherShapesAreErrors) {
  EXPECT_FALSE(ParseNodeStats("").ok());
  EXPECT_FALSE(ParseNodeStats("not json").ok());
  EXPECT_FALSE(ParseNodeStats("[]").ok());
  EXPECT_FALSE(ParseNodeStats(R"({"instances":{}})").ok());
  EXPECT_TRUE(ParseNodeStats(R"({"instances":[]})").ok());
}

}  // namespace
}  // namespace mr::services::monitoring
