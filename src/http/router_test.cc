#include "http/router.h"

#include <gtest/gtest.h>

namespace mr::http {
namespace {

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

TEST(Router, MatchesStaticAndParameterisedRoutes) {
  Router router;
  router.Get("/healthz", [](Request&) { return Response::Text(200, "ok"); });
  router.Get("/v1/instances/{id}", [](Request& r) { return Response::Text(200, "get " + r.Param("id")); });
  router.Post("/v1/instances/{id}/stop", [](Request& r) { return Response::Text(200, "stop " + r.Param("id")); });
  auto r1 = Req("GET", "/healthz");
  EXPECT_EQ(router.Handle(r1).body, "ok");
  auto r2 = Req("GET", "/v1/instances/abc%20d");
  EXPECT_EQ(router.Handle(r2).body, "get abc d");
  EXPECT_EQ(r2.route, "/v1/instances/{id}");
  auto r3 = Req("POST", "/v1/instances/x1/stop");
  EXPECT_EQ(router.Handle(r3).body, "stop x1");
}

TEST(Router, UnknownPathIs404JsonAndWrongMethodIs405WithAllow) {
  Router router;
  router.Get("/a", [](Request&) { return Response::Text(200, "a"); });
  router.Put("/a", [](Request&) { return Response::Text(200, "a"); });
  auto r1 = Req("GET", "/nope");
  r1.request_id = "rid";
  auto resp1 = router.Handle(r1);
  EXPECT_EQ(resp1.status, 404);
  EXPECT_NE(resp1.body.find(R"("code":"not_found")"), std::string::npos);
  EXPECT_NE(resp1.body.find(R"("request_id":"rid")"), std::string::npos);
  auto r2 = Req("DELETE", "/a");
  auto resp2 = router.Handle(r2);
  EXPECT_EQ(resp2.status, 405);
  EXPECT_EQ(resp2.headers["Allow"], "GET, PUT");
}

TEST(Router, HeadFallsBackToGetAndTrailingSlashIsIgnored) {
  Router router;
  router.Get("/a/b", [](Request&) { return Response::Text(200, "ab"); });
  auto r1 = Req("HEAD", "/a/b");
  EXPECT_EQ(router.Handle(r1).status, 200);
  auto r2 = Req("GET", "/a/b/");
  EXPECT_EQ(router.Handle(r2).status, 200);
  auto r3 = Req("GET", "/a");
  EXPECT_EQ(router.Handle(r3).status, 404);
}

TEST(Router, EmptyParameterDoesNotMatch) {
  Router router;
  router.Get("/x/{id}/y", [](Request&) { return Response::Text(200, "x"); });
  auto r = Req("GET", "/x//y");
  EXPECT_EQ(router.Handle(r).status, 404);
}

TEST(Router, FallbackAndWildcard) {
  Router router;
  router.Get("/assets/*", [](Request& r) { return Response::Text(200, "asset"); });
  router.SetFallback([](Request&) { return Response::Text(200, "index"); }, {.inline_handler = true});
  auto r1 = Req("GET", "/assets/a/b.js");
  EXPECT_EQ(router.Handle(r1).body, "asset");
  auto r2 = Req("GET", "/some/page");
  EXPECT_EQ(router.Handle(r2).body, "index");
  EXPECT_TRUE(router.Find(&r2).options.inline_handler);
}

TEST(Router, MiddlewareRunsInOrderAndCanShortCircuit) {
  Router router;
  std::string trace;
  router.Use([&](Request& r, const Handler& next) { trace += "a"; auto x = next(r); trace += "A"; return x; });
  router.Use([&](Request& r, const Handler& next) {
    trace += "b";
    if (r.path == "/blocked") {
      return JsonError(403, "forbidden", "no", r.request_id);
    }
    return next(r);
  });
  router.Get("/ok", [&](Request&) { trace += "h"; return Response::Text(200, "ok"); });
  auto r1 = Req("GET", "/ok");
  router.Handle(r1);
  EXPECT_EQ(trace, "abhA");
  trace.clear();
  auto r2 = Req("GET", "/blocked");
  EXPECT_EQ(router.Handle(r2).status, 403);
  EXPECT_EQ(trace, "abA");
}

TEST(Query, ParsesAndDecodes) {
  auto q = ParseQuery("a=1&b=x%20y&c&d=p+q&e=%zz");
  EXPECT_EQ(q["a"], "1");
  EXPECT_EQ(q["b"], "x y");
  EXPECT_EQ(q["c"], "");
  EXPECT_EQ(q["d"], "p q");
  EXPECT_EQ(q["e"], "%zz");
}

}  // namespace
}  // namespace mr::http
