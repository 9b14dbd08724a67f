#include "main/module_graph.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

std::vector<ModuleSpec> Table() {
  return {
      {.name = "node-manager"},
      {.name = "backend", .after = {"node-manager", "auth-service"}},
      {.name = "auth-service"},
      {.name = "api-gateway", .after = {"backend", "auth-service"}},
      {.name = "frontend", .after = {"api-gateway"}},
      {.name = "all", .deps = {"frontend", "api-gateway", "backend", "auth-service", "node-manager"}},
  };
}

TEST(ModuleGraph, AllStartsEverythingInDependencyOrder) {
  auto order = ResolveStartOrder(Table(), {"all"});
  ASSERT_TRUE(order.ok()) << order.error();
  std::vector<std::string> expected = {"node-manager", "auth-service", "backend", "api-gateway",
                                       "frontend", "all"};
  EXPECT_EQ(*order, expected);
}

TEST(ModuleGraph, SingleTargetDoesNotPullOrderingOnlyNeighbours) {
  auto order = ResolveStartOrder(Table(), {"api-gateway"});
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order, std::vector<std::string>{"api-gateway"});
}

TEST(ModuleGraph, CommaListsAreOrderedByAfterEdgesAndDeduplicated) {
  auto order = ResolveStartOrder(Table(), SplitTargets("frontend, backend,node-manager,backend"));
  ASSERT_TRUE(order.ok());
  std::vector<std::string> expected = {"node-manager", "backend", "frontend"};
  EXPECT_EQ(*order, expected);
}

TEST(ModuleGraph, UnknownTargetNamesItAndTheKnownOnes) {
  auto order = ResolveStartOrder(Table(), {"backend", "databse"});
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().find("unknown target 'databse'"), std::string::npos);
  EXPECT_NE(order.error().find("api-gateway"), std::string::npos);
  EXPECT_FALSE(ResolveStartOrder(Table(), SplitTargets("backend,")).ok());
}

TEST(ModuleGraph, CyclesAreReported) {
  std::vector<ModuleSpec> t = {{.name = "a", .deps = {"b"}}, {.name = "b", .deps = {"a"}}};
  auto order = ResolveStartOrder(t, {"a"});
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().find("cycle"), std::string::npos);
}

TEST(ModuleGraph, HardDependenciesArePulledIn) {
  std::vector<ModuleSpec> t = {{.name = "store"}, {.name = "api", .deps = {"store"}}};
  auto order = ResolveStartOrder(t, {"api"});
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order, (std::vector<std::string>{"store", "api"}));
}

}  // namespace
}  // namespace mr
