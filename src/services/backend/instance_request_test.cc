#include "services/backend/instance_request.h"

#include <gtest/gtest.h>

#include <set>

namespace mr::services::backend {
namespace {

std::string CreateCode(std::string_view body) {
  InstanceFields f;
  auto e = ParseCreateInstance(body, 1024, &f);
  return e ? e->code : "ok";
}

std::string UpdateCode(std::string_view body) {
  InstanceFields f;
  auto e = ParseUpdateInstance(body, 1024, &f);
  return e ? e->code : "ok";
}

TEST(InstanceRequestTest, CreateFillsDefaults) {
  InstanceFields f;
  ASSERT_FALSE(ParseCreateInstance(R"({"name":"cache 1","memory_limit_mb":64})", 1024, &f));
  EXPECT_EQ(*f.name, "cache 1");
  EXPECT_EQ(*f.memory_limit_mb, 64);
  EXPECT_EQ(*f.eviction_policy, "noeviction");
  EXPECT_EQ(*f.persistence, "aof-everysec");
  ASSERT_FALSE(ParseCreateInstance(
      R"({"name":"a","memory_limit_mb":1,"eviction_policy":"allkeys-lru","persistence":"none"})",
      1024, &f));
  EXPECT_EQ(*f.eviction_policy, "allkeys-lru");
  EXPECT_EQ(*f.persistence, "none");
}

TEST(InstanceRequestTest, CreateRefusesBadValues) {
  EXPECT_EQ(CreateCode(R"({"memory_limit_mb":64})"), "missing_field");
  EXPECT_EQ(CreateCode(R"({"name":"a"})"), "missing_field");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":0})"), "invalid_memory_limit_mb");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":-5})"), "invalid_memory_limit_mb");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":1025})"), "invalid_memory_limit_mb");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":"64"})"), "invalid_memory_limit_mb");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":6.5})"), "invalid_memory_limit_mb");
  EXPECT_EQ(CreateCode(R"({"name":" a","memory_limit_mb":6})"), "invalid_name");
  EXPECT_EQ(CreateCode(R"({"name":"a'; DROP TABLE instances; --","memory_limit_mb":6})"),
            "invalid_name");
  EXPECT_EQ(CreateCode(R"({"name":")" + std::string(65, 'x') + R"(","memory_limit_mb":6})"),
            "invalid_name");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":6,"eviction_policy":"lru"})"),
            "invalid_eviction_policy");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":6,"persistence":"aof"})"),
            "invalid_persistence");
  EXPECT_EQ(CreateCode(R"({"name":"a","memory_limit_mb":6,"port":1})"), "unknown_field");
}

TEST(InstanceRequestTest, UpdateTakesAnySubsetButNotNothing) {
  EXPECT_EQ(UpdateCode(R"({"memory_limit_mb":128})"), "ok");
  EXPECT_EQ(UpdateCode(R"({"persistence":"snapshot"})"), "ok");
  EXPECT_EQ(UpdateCode(R"({})"), "empty_update");
  EXPECT_EQ(UpdateCode(R"({"id":"db-x"})"), "unknown_field");
  InstanceFields f;
  ASSERT_FALSE(ParseUpdateInstance(R"({"name":"b"})", 1024, &f));
  EXPECT_FALSE(f.memory_limit_mb.has_value());
  EXPECT_FALSE(f.eviction_policy.has_value());
}

TEST(InstanceRequestTest, CommandsAndKeyNames) {
  std::vector<std::string> args;
  ASSERT_FALSE(ParseCommand(R"({"command":["SET","k","v"]})", &args));
  EXPECT_EQ(args.size(), 3u);
  EXPECT_TRUE(ParseCommand(R"({"command":[]})", &args));
  EXPECT_TRUE(ParseCommand(R"({"command":[""]})", &args));
  EXPECT_TRUE(ParseCommand(R"({"command":"GET k"})", &args));
  EXPECT_TRUE(ParseCommand(R"({"command":["GET",1]})", &args));
  std::string name;
  EXPECT_FALSE(ParseApiKeyName(R"({"name":"ci deploys"})", &name));
  EXPECT_TRUE(ParseApiKeyName(R"({"name":"a\nb"})", &name));
}

TEST(InstanceRequestTest, IdsAreRandomAndRecognised) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewInstanceId();
    EXPECT_TRUE(IsValidInstanceId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_FALSE(IsValidInstanceId("db-ABCDEFGHIJKL"));
  EXPECT_FALSE(IsValidInstanceId("db-abc"));
  EXPECT_FALSE(IsValidInstanceId("xx-abcdefghijkl"));
  EXPECT_FALSE(IsValidInstanceId("db-abcdefghijk/"));
}

}  // namespace
}  // namespace mr::services::backend
