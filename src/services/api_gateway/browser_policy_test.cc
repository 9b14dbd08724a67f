#include "services/api_gateway/browser_policy.h"

#include <gtest/gtest.h>

namespace mr::services::gateway {
namespace {

http::Response Apply(http::Request req, bool* reached = nullptr) {
  http::Middleware policy = BrowserPolicy({"http://localhost:5173"});
  return policy(req, [&](http::Request&) {
    if (reached) {
      *reached = true;
    }
    http::Response r = http::Response::Json(200, "{}");
    return r;
  });
}

http::Request Req(std::string method, std::string path, std::string origin = "") {
  http::Request r;
  r.method = std::move(method);
  r.path = r.target = std::move(path);
  if (!origin.empty()) {
    r.headers["Origin"] = origin;
  }
  return r;
}

TEST(BrowserPolicyTest, EveryAnswerCarriesSecurityHeaders) {
  http::Response r = Apply(Req("GET", "/api/v1/instances"));
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.headers["X-Frame-Options"], "DENY");
  EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  EXPECT_NE(r.headers["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r.headers.count("Access-Control-Allow-Origin"), 0u);
}

TEST(BrowserPolicyTest, TheConsoleOriginMayCallAndPreflight) {
  http::Response r = Apply(Req("GET", "/api/v1/instances", "http://localhost:5173"));
  EXPECT_EQ(r.headers["Access-Control-Allow-Origin"], "http://localhost:5173");
  EXPECT_EQ(r.headers["Vary"], "Origin");
  http::Request pre = Req("OPTIONS", "/api/v1/instances", "http://localhost:5173");
  pre.headers["Access-Control-Request-Method"] = "POST";
  bool reached = false;
  http::Response p = Apply(pre, &reached);
  EXPECT_FALSE(reached);  // answered here, not by a route
  EXPECT_EQ(p.status, 204);
  EXPECT_NE(p.headers["Access-Control-Allow-Headers"].find("Authorization"), std::string::npos);
}

TEST(BrowserPolicyTest, OtherOriginsAreRefusedExceptOnTheRestDataApi) {
  http::Request pre = Req("OPTIONS", "/api/v1/instances", "https://evil.example");
  pre.headers["Access-Control-Request-Method"] = "POST";
  http::Response p = Apply(pre);
  EXPECT_EQ(p.status, 403);
  EXPECT_EQ(p.headers.count("Access-Control-Allow-Origin"), 0u);
  http::Response get = Apply(Req("GET", "/api/v1/instances", "https://evil.example"));
  EXPECT_EQ(get.headers.count("Access-Control-Allow-Origin"), 0u);
  http::Response rest = Apply(Req("POST", "/rest/db-x", "https://app.example"));
  EXPECT_EQ(rest.headers["Access-Control-Allow-Origin"], "https://app.example");
}

}  // namespace
}  // namespace mr::services::gateway
