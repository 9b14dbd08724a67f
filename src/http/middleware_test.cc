#include "http/middleware.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "common/metrics.h"

namespace mr::http {
namespace {

Router MakeRouter(const std::string& service = "test-service") {
  Router router;
  UseStandardMiddleware(&router, log::Logger(service));
  router.Get("/ok", [](Request& r) { return Response::Text(200, r.request_id + "|" + r.trace_id); });
  router.Get("/throw", [](Request&) -> Response { throw std::runtime_error("boom"); });
  return router;
}

Request Req(std::string path) {
  Request r;
  r.method = "GET";
  r.path = r.target = std::move(path);
  return r;
}

TEST(Middleware, GeneratesRequestIdAndTraceAndEchoesIt) {
  auto router = MakeRouter();
  auto r = Req("/ok");
  auto resp = router.Handle(r);
  EXPECT_EQ(r.request_id.size(), 32u);
  EXPECT_EQ(r.trace_id.size(), 32u);
  EXPECT_EQ(resp.headers["X-Request-Id"], r.request_id);
  EXPECT_EQ(r.traceparent.substr(3, 32), r.trace_id);
}

TEST(Middleware, KeepsValidIncomingIdsAndRejectsInjectedOnes) {
  auto router = MakeRouter();
  auto r = Req("/ok");
  r.headers["X-Request-Id"] = "client-id-1";
  r.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto resp = router.Handle(r);
  EXPECT_EQ(resp.body, "client-id-1|4bf92f3577b34da6a3ce929d0e0e4736");
  // Our span id replaces the caller's as the parent of what we call next.
  EXPECT_NE(r.traceparent.find("-01"), std::string::npos);
  EXPECT_EQ(r.traceparent.find("00f067aa0ba902b7"), std::string::npos);

  auto bad = Req("/ok");
  bad.headers["X-Request-Id"] = "evil\r\nSet-Cookie: x";
  router.Handle(bad);
  EXPECT_EQ(bad.request_id.size(), 32u);
}

TEST(Middleware, ExceptionBecomesJson500WithRequestId) {
  auto router = MakeRouter();
  auto r = Req("/throw");
  auto resp = router.Handle(r);
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find(R"("code":"internal")"), std::string::npos);
  EXPECT_NE(resp.body.find(r.request_id), std::string::npos);
  EXPECT_EQ(resp.body.find("boom"), std::string::npos);  // internals are logged, not leaked
}

TEST(Middleware, MetricsCountByRoutePatternAndStatus) {
  auto router = MakeRouter("metrics-service");
  for (int i = 0; i < 3; ++i) {
    auto r = Req("/ok");
    router.Handle(r);
  }
  auto r404 = Req("/missing/123");
  router.Handle(r404);
  std::string text = metrics::Serialize();
  EXPECT_NE(text.find(R"(http_requests_total{method="GET",route="/ok",service="metrics-service",status="200"} 3)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"(route="not_found")"), std::string::npos);
  EXPECT_EQ(text.find("/missing/123"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes"), std::string::npos);
}

}  // namespace
}  // namespace mr::http
