#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/client.h"
#include "http/test_socket.h"

namespace mr::http {
namespace {
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions opts = {}) {
    auto router = std::make_shared<Router>();
    router->Get("/fast", [](Request&) { return Response::Text(200, "fast"); }, {.inline_handler = true});
    router->Post("/echo", [](Request& r) { return Response::Text(200, r.body); });
    router->Get("/slow", [this](Request&) {
      started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_));
      return Response::Text(200, "slow done");
    });
    opts.service = "test";
    server_ = std::make_unique<Server>(opts, router);
    ASSERT_TRUE(server_->Start().ok());
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::unique_ptr<Server> server_;
  std::atomic<bool> started_{false};
  int slow_ms_ = 300;
};

TEST_F(ServerTest, ServesInlineAndWorkerRoutesWithKeepAlive) {
  StartServer();
  ClientPool pool;
  for (int i = 0; i < 20; ++i) {
    auto r = pool.Send({.method = "POST", .url = Url("/echo"), .body = "x" + std::to_string(i)});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->body, "x" + std::to_string(i));
  }
  auto f = pool.Send({.url = Url("/fast")});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->body, "fast");
  EXPECT_EQ(pool.connections_opened(), 1u);
}

TEST_F(ServerTest, PortInUseIsAClearError) {
  StartServer();
  ServerOptions o;
  o.service = "second";
  o.port = server_->port();
  Server second(o, std::make_shared<Router>());
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:" + std::to_string(o.port)), std::string::npos);
  EXPECT_NE(s.message().find("in use"), std::string::npos) << s.message();
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
  StartServer();
  testing::RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  s.Send("BLAH BLAH\r\n\r\n");
  std::string resp = s.ReadAll();
  EXPECT_EQ(resp.rfind("HTTP/1.1 400", 0), 0u) << resp;
  EXPECT_NE(resp.find(R"("code":"bad_request")"), std::string::npos);
}

TEST_F(ServerTest, OversizedBodyGets413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  testing::RawSocket s(server_->port());
  s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'));
  std::string resp = s.ReadAll();
  EXPECT_EQ(resp.rfind("HTTP/1.1 413", 0), 0u) << resp;
  EXPECT_NE(resp.find("payload_too_large"), std::string::npos);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  StartServer();
  testing::RawSocket s(server_->port());
  s.Send("GET /fast HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(s.ReadAll().rfind("HTTP/1.1 431", 0), 0u);
}

TEST_F(ServerTest, SlowlorisClientIsDisconnectedAtTheReadDeadline) {
  ServerOptions o;
  o.read_timeout = 300ms;
  StartServer(o);
  testing::RawSocket s(server_->port());
  s.Send("GET /fast HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.PeerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  // The server is still healthy for everyone else.
  ClientPool pool;
  EXPECT_EQ(pool.Send({.url = Url("/fast")})->status, 200);
}

TEST_F(ServerTest, GracefulStopDrainsInFlightRequests) {
  StartServer();
  ClientPool pool;
  Result<ClientResponse> slow = Status::Error("not run");
  std::thread t([&] { slow = pool.Send({.url = Url("/slow")}); });
  while (!started_) {
    std::this_thread::sleep_for(1ms);
  }
  testing::RawSocket idle(server_->port());  // an idle keep-alive connection must not delay stop
  auto start = std::chrono::steady_clock::now();
  server_->Stop(5s);
  t.join();
  ASSERT_TRUE(slow.ok()) << slow.error();
  EXPECT_EQ(slow->body, "slow done");
  EXPECT_EQ(slow->headers["Connection"], "close");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(pool.Send({.url = Url("/fast"), .timeout = 500ms}).ok());
}

TEST_F(ServerTest, AStoppedServerNoLongerListens) {
  StartServer();
  uint16_t port = server_->port();
  server_->Stop(0ms);  // nothing in flight: the acceptor's close races the io_context's stop
  testing::RawSocket after(port);
  EXPECT_FALSE(after.connected());  // refused at once, not left hanging in the backlog
}

TEST_F(ServerTest, GracePeriodBoundsStop) {
  slow_ms_ = 3000;
  StartServer();
  ClientPool pool;
  std::thread t([&] { pool.Send({.url = Url("/slow"), .timeout = 5s}); });
  while (!started_) {
    std::this_thread::sleep_for(1ms);
  }
  auto start = std::chrono::steady_clock::now();
  server_->Stop(200ms);
  // Stop returns after the grace period even though the handler still runs on a worker; the
  // worker pool join waits for it, which bounds stop by the slowest handler.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  t.join();
}

}  // namespace
}  // namespace mr::http
