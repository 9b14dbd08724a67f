#include "main/in_process.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

Config Defaults() {
  return Config({{"BIND_ADDRESS", "127.0.0.1"},
                 {"AUTH_SERVICE_PORT", "18000"},
                 {"BACKEND_PORT", "15500"},
                 {"MONITORING_SERVICE_PORT", "19000"},
                 {"NODE_MANAGER_PORT", "17000"},
                 {"AUTH_SERVICE_URL", "http://127.0.0.1:8000"},
                 {"BACKEND_URL", "http://127.0.0.1:5500"},
                 {"MONITORING_SERVICE_URL", "http://127.0.0.1:9000"},
                 {"NODE_MANAGER_URLS", "http://127.0.0.1:7000"}});
}

TEST(InProcessTest, PeersInThisProcessAreFoundByTheirPorts) {
  Config c = Defaults();
  PointAtPeersInProcess({"node-manager", "auth-service", "backend", "api-gateway"}, {}, &c);
  EXPECT_EQ(c.Get("AUTH_SERVICE_URL"), "http://127.0.0.1:18000");
  EXPECT_EQ(c.Get("BACKEND_URL"), "http://127.0.0.1:15500");
  EXPECT_EQ(c.Get("NODE_MANAGER_URLS"), "http://127.0.0.1:17000");
  // Not in this process: the setting (here its default) stays.
  EXPECT_EQ(c.Get("MONITORING_SERVICE_URL"), "http://127.0.0.1:9000");
}

TEST(InProcessTest, AnExplicitUrlWins) {
  Config c = Defaults();
  c.Set("BACKEND_URL", "http://backend.internal:5500");
  ConfigSources sources;
  sources.env_file["BACKEND_URL"] = "http://backend.internal:5500";
  PointAtPeersInProcess({"backend", "api-gateway"}, sources, &c);
  EXPECT_EQ(c.Get("BACKEND_URL"), "http://backend.internal:5500");
}

TEST(InProcessTest, AWildcardBindIsReachedOnLoopback) {
  Config c = Defaults();
  c.Set("BIND_ADDRESS", "0.0.0.0");
  PointAtPeersInProcess({"backend"}, {}, &c);
  EXPECT_EQ(c.Get("BACKEND_URL"), "http://127.0.0.1:15500");
  c.Set("BIND_ADDRESS", "::");
  PointAtPeersInProcess({"backend"}, {}, &c);
  EXPECT_EQ(c.Get("BACKEND_URL"), "http://[::1]:15500");
  c.Set("BIND_ADDRESS", "10.0.0.7");
  PointAtPeersInProcess({"backend"}, {}, &c);
  EXPECT_EQ(c.Get("BACKEND_URL"), "http://10.0.0.7:15500");
}

TEST(InProcessTest, TheGatewayIsTrustedOnlyWhenItRunsHere) {
  Config c;
  TrustTheGatewayInProcess({"auth-service", "backend"}, {}, &c);
  EXPECT_FALSE(c.values().count("AUTH_TRUST_FORWARDED_FOR"));
  ConfigSources sources;
  sources.flags["BACKEND_TRUST_FORWARDED_FOR"] = "false";
  c.Set("BACKEND_TRUST_FORWARDED_FOR", "false");
  TrustTheGatewayInProcess({"auth-service", "backend", "api-gateway"}, sources, &c);
  EXPECT_EQ(c.Get("AUTH_TRUST_FORWARDED_FOR"), "true");
  EXPECT_EQ(c.Get("BACKEND_TRUST_FORWARDED_FOR"), "false");
}

}  // namespace
}  // namespace mr
