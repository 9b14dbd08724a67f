#include "services/frontend/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mr::services {
namespace {
namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("mr-site-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "assets");
    Write("index.html", "<html>app</html>");
    Write("assets/app-abc123.js", "console.log(1)");
    Write("assets/app-abc123.js.gz", "GZ");
    Write("favicon.ico", "ico");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& body) {
    std::ofstream(root_ / rel) << body;
  }
  http::Request Get(const std::string& path) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    return r;
  }
  fs::path root_;
};

TEST_F(StaticSiteTest, ServesIndexWithNoCacheAndCsp) {
  auto site = StaticSite::Load(root_.string(), "http://localhost:8080");
  ASSERT_TRUE(site.ok()) << site.error();
  auto r = site->Serve(Get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>app</html>");
  EXPECT_EQ(r.headers["Cache-Control"], "no-cache");
  EXPECT_NE(r.headers["Content-Security-Policy"].find("connect-src 'self' http://localhost:8080"),
            std::string::npos);
  EXPECT_EQ(r.headers["X-Frame-Options"], "DENY");
}

TEST_F(StaticSiteTest, HashedAssetsAreImmutableAndGzipNegotiated) {
  auto site = StaticSite::Load(root_.string(), "http://x");
  auto plain = site->Serve(Get("/assets/app-abc123.js"));
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.headers["Cache-Control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.headers["Content-Type"], "text/javascript; charset=utf-8");
  auto req = Get("/assets/app-abc123.js");
  req.headers["Accept-Encoding"] = "gzip, br";
  auto gz = site->Serve(req);
  EXPECT_EQ(gz.body, "GZ");
  EXPECT_EQ(gz.headers["Content-Encoding"], "gzip");
}

TEST_F(StaticSiteTest, SpaFallbackAndMissingFiles) {
  auto site = StaticSite::Load(root_.string(), "http://x");
  EXPECT_EQ(site->Serve(Get("/instances/abc")).body, "<html>app</html>");
  EXPECT_EQ(site->Serve(Get("/missing.js")).status, 404);
  EXPECT_EQ(site->Serve(Get("/../../etc/passwd")).status, 200);  // fallback page, not the file
  EXPECT_EQ(site->Serve(Get("/../../etc/passwd")).body, "<html>app</html>");
  EXPECT_EQ(site->Serve(Get("/%2e%2e/%2e%2e/etc/hosts")).status, 200);
  auto post = Get("/");
  post.method = "POST";
  EXPECT_EQ(site->Serve(post).status, 405);
}

TEST_F(StaticSiteTest, MissingIndexIsAnError) {
  fs::remove(root_ / "index.html");
  auto site = StaticSite::Load(root_.string(), "http://x");
  ASSERT_FALSE(site.ok());
  EXPECT_NE(site.error().find("index.html not found"), std::string::npos);
}

}  // namespace
}  // namespace mr::services
