#include "services/monitoring_service/poller.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/server.h"

namespace mr::services::monitoring {
namespace {

using namespace std::chrono_literals;

// A stand-in node-manager answering /v1/stats after `delay`, checking the service token.
class FakeNodeManager {
 public:
  FakeNodeManager(std::string id, std::chrono::milliseconds delay) {
    auto router = std::make_shared<http::Router>();
    router->Get("/v1/stats", [id, delay](http::Request& req) {
      std::this_thread::sleep_for(delay);
      if (req.Header("Authorization") != "Bearer secret") {
        return http::JsonError(401, "unauthorized", "no", req.request_id);
      }
      return http::Response::Json(
          200, R"({"instances":[{"id":")" + id + R"(","keys":7,"total_commands":1}]})");
    });
    server_ = std::make_unique<http::Server>(http::ServerOptions{.service = "fake"}, router);
    EXPECT_TRUE(server_->Start().ok());
  }
  ~FakeNodeManager() { server_->Stop(0ms); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

 private:
  std::unique_ptr<http::Server> server_;
};

TEST(PollerTest, NextSampleIsTheNextTickPlusThePollsDuration) {
  // Ticks every 1000 ms; the last poll finished at 5'030 and took 30 ms.
  EXPECT_EQ(NextSampleDelayMs(5'400, 1000, 5'030, 30, 800), 630);
  EXPECT_EQ(NextSampleDelayMs(5'999, 1000, 5'030, 30, 800), 31);
  // At 6'010 the 6'000 tick's poll has not finished yet: its sample lands at about 6'030.
  EXPECT_EQ(NextSampleDelayMs(6'010, 1000, 5'030, 30, 800), 20);
  // A poll slower than it was last time: never a negative wait.
  EXPECT_EQ(NextSampleDelayMs(6'050, 1000, 5'030, 30, 800), 0);
  // Past the timeout that tick's poll has failed: the next tick.
  EXPECT_EQ(NextSampleDelayMs(6'900, 1000, 5'030, 30, 800), 130);
}

TEST(PollerTest, ASlowNodeManagerDoesNotDelayTheOthers) {
  FakeNodeManager fast("fast", 0ms);
  FakeNodeManager slow("slow", 1500ms);
  auto store = std::make_shared<SeriesStore>(StoreOptions{});
  Poller poller({.urls = {slow.url(), fast.url()}, .token = "secret", .interval = 200ms,
                 .timeout = 150ms},
                store, log::Logger("test"));
  EXPECT_FALSE(poller.FirstRoundDone());
  poller.Start();
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(poller.FirstRoundDone());  // the slow one's timeout counts as its first attempt
  auto status = poller.Status();
  poller.Stop();

  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].url, slow.url());
  EXPECT_EQ(status[0].last_success_ms, 0);
  EXPECT_GE(status[0].errors, 3u);
  EXPECT_NE(status[0].last_error.find("timed out"), std::string::npos) << status[0].last_error;
  EXPECT_GE(status[1].scrapes, 3u);
  EXPECT_EQ(status[1].errors, 0u);
  EXPECT_GT(status[1].last_success_ms, 0);
  EXPECT_EQ(status[1].instances, 1u);
  auto view = store->Read("fast", Resolution::kSecond, WallMs(), 2);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->latest.point[kKeys], 7);
  EXPECT_EQ(view->source, 1);
  EXPECT_FALSE(store->Read("slow", Resolution::kSecond, WallMs(), 2));
}

TEST(PollerTest, AWrongTokenIsAScrapeError) {
  FakeNodeManager nm("alpha", 0ms);
  auto store = std::make_shared<SeriesStore>(StoreOptions{});
  Poller poller({.urls = {nm.url()}, .token = "wrong", .interval = 100ms, .timeout = 80ms}, store,
                log::Logger("test"));
  poller.Start();
  std::this_thread::sleep_for(350ms);
  poller.Stop();
  auto status = poller.Status();
  EXPECT_GE(status[0].errors, 2u);
  EXPECT_NE(status[0].last_error.find("HTTP 401"), std::string::npos) << status[0].last_error;
  EXPECT_EQ(store->instances(), 0u);
}

}  // namespace
}  // namespace mr::services::monitoring
