#include "main/healthcheck.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace mr {
namespace {
using namespace std::chrono_literals;

class HealthcheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<http::Router>();
    router->Get("/readyz", [this](http::Request&) {
      return ready_ ? http::Response::Json(200, R"({"status":"ready"})")
                    : http::Response::Json(503, R"({"status":"not ready"})");
    });
    router->Get("/slow", [](http::Request&) {
      std::this_thread::sleep_for(1500ms);
      return http::Response::Text(200, "late");
    });
    http::ServerOptions o;
    o.service = "probe-target";
    server_ = std::make_unique<http::Server>(o, router);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(100ms); }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "healthcheck");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return RunHealthcheck(static_cast<int>(argv.size()), argv.data());
  }
  std::atomic<bool> ready_{true};
  std::unique_ptr<http::Server> server_;
};

TEST_F(HealthcheckTest, ReadyIsHealthy) {
  EXPECT_TRUE(CheckHealth(Url("/readyz"), 2s).ok());
  EXPECT_EQ(Run({"--url", Url("/readyz")}), 0);
  EXPECT_EQ(Run({"--url=" + Url("/readyz"), "--timeout=1s"}), 0);
}

TEST_F(HealthcheckTest, NotReadyNamesTheStatus) {
  ready_ = false;
  Status s = CheckHealth(Url("/readyz"), 2s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("HTTP 503"), std::string::npos) << s.message();
  EXPECT_EQ(Run({"--url", Url("/readyz")}), 1);
  EXPECT_EQ(Run({"--url", Url("/missing")}), 1);  // 404
}

TEST_F(HealthcheckTest, TimeoutAndRefusedAreUnhealthy) {
  EXPECT_FALSE(CheckHealth(Url("/slow"), 300ms).ok());
  uint16_t port = server_->port();
  server_->Stop(100ms);
  EXPECT_EQ(Run({"--url", "http://127.0.0.1:" + std::to_string(port) + "/readyz",
                 "--timeout", "500ms"}), 1);
}

TEST(Healthcheck, BadArgumentsAreUsageErrors) {
  std::vector<std::vector<std::string>> cases = {
      {}, {"--url", "https://x/readyz"}, {"--url", "http://127.0.0.1:1/", "--timeout", "soon"},
      {"--bogus"}};
  EXPECT_FALSE(CheckHealth("https://x/readyz", 1s).ok());
  for (auto args : cases) {
    args.insert(args.begin(), "healthcheck");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    int code = RunHealthcheck(static_cast<int>(argv.size()), argv.data());
    EXPECT_NE(code, 0) << args.size();
  }
}

}  // namespace
}  // namespace mr
