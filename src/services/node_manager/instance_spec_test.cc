#include "services/node_manager/instance_spec.h"

#include <gtest/gtest.h>

namespace mr::services {
namespace {

std::optional<SpecError> Parse(const std::string& body, InstanceSpec* spec = nullptr) {
  InstanceSpec s;
  return ParseInstanceSpec(body, SpecLimits{}, spec ? spec : &s);
}

TEST(InstanceSpec, ParsesAFullSpec) {
  InstanceSpec s;
  auto err = Parse(R"({"memory_limit_mb":64,"eviction_policy":"allkeys-lru","password":"p4ss",
                       "persistence":"aof-always","dedicated_port":true,"port":16005,
                       "max_clients":50,"max_ops_per_sec":1000})", &s);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(s.memory_limit_mb, 64);
  EXPECT_EQ(s.eviction_policy, "allkeys-lru");
  EXPECT_EQ(s.persistence, Persistence::kAofAlways);
  EXPECT_EQ(s.port, 16005);
  EXPECT_EQ(s.max_clients, 50);
}

TEST(InstanceSpec, DefaultsApply) {
  InstanceSpec s;
  ASSERT_FALSE(Parse(R"({"memory_limit_mb":1,"password":"x"})", &s));
  EXPECT_EQ(s.eviction_policy, "noeviction");
  EXPECT_EQ(s.persistence, Persistence::kAofEverysec);
  EXPECT_TRUE(s.dedicated_port);
  EXPECT_FALSE(s.port);
}

TEST(InstanceSpec, BadInputNamesTheField) {
  struct Case {
    const char* body;
    const char* code;
  } cases[] = {
      {"not json", "invalid_json"},
      {"[1,2]", "invalid_json"},
      {R"({"password":"x"})", "missing_field"},
      {R"({"memory_limit_mb":-1,"password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":0,"password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":99999999999,"password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":18446744073709551615,"password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":"64","password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":1.5,"password":"x"})", "invalid_memory_limit_mb"},
      {R"({"memory_limit_mb":1,"password":"x","eviction_policy":"sometimes"})",
       "invalid_eviction_policy"},
      {R"({"memory_limit_mb":1,"password":""})", "invalid_password"},
      {R"({"memory_limit_mb":1,"password":"a b"})", "invalid_password"},
      {R"({"memory_limit_mb":1,"password":"x","persistence":"rdb"})", "invalid_persistence"},
      {R"({"memory_limit_mb":1,"password":"x","port":70000})", "invalid_port"},
      {R"({"memory_limit_mb":1,"password":"x","port":16000,"dedicated_port":false})",
       "invalid_port"},
      {R"({"memory_limit_mb":1,"password":"x","dedicated_port":"yes"})", "invalid_dedicated_port"},
      {R"({"memory_limit_mb":1,"password":"x","colour":"red"})", "unknown_field"},
  };
  for (const auto& c : cases) {
    auto err = Parse(c.body);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->code, c.code) << c.body << " -> " << err->message;
    EXPECT_EQ(err->status, 400);
  }
}

TEST(InstanceSpec, IdsAreSafeForPathsAndAuth) {
  EXPECT_TRUE(IsValidInstanceId("db-1"));
  EXPECT_TRUE(IsValidInstanceId("a"));
  EXPECT_FALSE(IsValidInstanceId(""));
  EXPECT_FALSE(IsValidInstanceId("-a"));
  EXPECT_FALSE(IsValidInstanceId("../etc"));
  EXPECT_FALSE(IsValidInstanceId("UPPER"));
  EXPECT_FALSE(IsValidInstanceId("a b"));
  EXPECT_FALSE(IsValidInstanceId(std::string(65, 'a')));
}

}  // namespace
}  // namespace mr::services
