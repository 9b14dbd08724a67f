#include "http/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/server.h"

namespace mr::http {
namespace {
using namespace std::chrono_literals;

TEST(ParseHttpUrl, Splits) {
  std::string h, p, t;
  ASSERT_TRUE(ParseHttpUrl("http://127.0.0.1:7000/v1/x?y=1", &h, &p, &t));
  EXPECT_EQ(h, "127.0.0.1");
  EXPECT_EQ(p, "7000");
  EXPECT_EQ(t, "/v1/x?y=1");
  ASSERT_TRUE(ParseHttpUrl("http://svc", &h, &p, &t));
  EXPECT_EQ(p, "80");
  EXPECT_EQ(t, "/");
  EXPECT_FALSE(ParseHttpUrl("https://x", &h, &p, &t));
  EXPECT_FALSE(ParseHttpUrl("ftp://x", &h, &p, &t));
}

class ClientPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->Get("/hello", [](Request& r) {
      auto resp = Response::Text(200, "hello " + r.Header("X-Who"));
      resp.headers["X-Echo-Trace"] = r.Header("traceparent");
      return resp;
    });
    router->Get("/sleep", [](Request&) {
      std::this_thread::sleep_for(500ms);
      return Response::Text(200, "late");
    });
    ServerOptions o;
    o.service = "upstream";
    o.workers = 16;
    o.read_timeout = 200ms;  // short keep-alive so the stale-connection path is exercised
    server_ = std::make_unique<Server>(o, router);
    ASSERT_TRUE(server_->Start().ok());
  }
  std::string Url(const std::string& p) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + p;
  }
  std::unique_ptr<Server> server_;
};

TEST_F(ClientPoolTest, ReusesConnectionsAndSendsHeaders) {
  ClientPool pool;
  for (int i = 0; i < 50; ++i) {
    auto r = pool.Send({.url = Url("/hello"), .headers = {{"X-Who", "me"}}});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->body, "hello me");
  }
  EXPECT_EQ(pool.connections_opened(), 1u);
  EXPECT_EQ(pool.idle_connections(), 1u);
}

TEST_F(ClientPoolTest, ConcurrentCallersGetTheirOwnConnections) {
  ClientPool pool;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = pool.Send({.url = Url("/hello")});
        ok += r.ok() && r->status == 200;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 200);
  EXPECT_LE(pool.connections_opened(), 8u);
}

TEST_F(ClientPoolTest, RetriesOnceWhenThePooledConnectionWentStale) {
  ClientPool pool;
  ASSERT_TRUE(pool.Send({.url = Url("/hello")}).ok());
  std::this_thread::sleep_for(600ms);  // server closes the idle connection after 200 ms
  auto r = pool.Send({.url = Url("/hello")});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(pool.connections_opened(), 2u);
}

TEST_F(ClientPoolTest, TimeoutIsReportedNotHung) {
  ClientPool pool;
  auto start = std::chrono::steady_clock::now();
  auto r = pool.Send({.url = Url("/sleep"), .timeout = 100ms});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("timed out"), std::string::npos) << r.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 400ms);
}

TEST(ClientPool, ConnectionRefusedAndBadUrlAreErrors) {
  ClientPool pool;
  auto r = pool.Send({.url = "http://127.0.0.1:1/x", .timeout = 1s});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("connect to 127.0.0.1:1 failed"), std::string::npos) << r.error();
  EXPECT_FALSE(pool.Send({.url = "nonsense"}).ok());
  EXPECT_FALSE(pool.Send({.method = "BR EW", .url = "http://127.0.0.1:1/"}).ok());
}

}  // namespace
}  // namespace mr::http
