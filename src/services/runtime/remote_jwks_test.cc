#include "services/runtime/remote_jwks.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "http/server.h"
#include "security/jwks.h"
#include "security/key_ring.h"

namespace mr::services {
namespace {

using namespace std::chrono_literals;
using security::TokenError;

const security::JwtRules kRules{"miniredis-auth", "miniredis-api"};

std::string TokenBy(const security::SigningKey& key) {
  int64_t now = security::UnixNow();
  return security::SignAccessToken(key, {"42", "7", "miniredis-auth", "miniredis-api", "", now,
                                         now + 300});
}

// auth-service's JWKS endpoint, serving whatever keys the test's ring holds.
class RemoteJwksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = security::KeyRing::Generate(security::UnixNow());
    auto router = std::make_shared<http::Router>();
    router->Get("/.well-known/jwks.json", [this](http::Request&) {
      hits_.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      return http::Response::Json(200, security::ToJwks(ring_->PublicKeys()));
    });
    http::ServerOptions o;
    o.service = "jwks";
    o.workers = 16;
    server_ = std::make_unique<http::Server>(o, router);
    ASSERT_TRUE(server_->Start().ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port()) + "/.well-known/jwks.json";
  }
  void TearDown() override { server_->Stop(1s); }

  std::unique_ptr<security::KeyRing> ring_;
  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::atomic<int> hits_{0};
  std::atomic<int> delay_ms_{0};
  http::ClientPool pool_;
};

TEST_F(RemoteJwksTest, VerifiesAfterTheFirstFetch) {
  RemoteJwks jwks(&pool_, url_, kRules);
  EXPECT_FALSE(jwks.has_keys());
  std::string token = TokenBy(*ring_->current());
  security::TokenCheck c = jwks.Verify(token);
  ASSERT_TRUE(c.ok()) << security::Describe(c.error);
  EXPECT_EQ(c.claims.sub, "42");
  EXPECT_TRUE(jwks.has_keys());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(jwks.Verify(token).ok());
  }
  EXPECT_EQ(jwks.fetches(), 1u);
  // Malformed tokens and bad signatures are refused without a call to auth-service.
  EXPECT_EQ(jwks.Verify("not.a.token").error, TokenError::kMalformed);
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'Q' : 'A';
  EXPECT_EQ(jwks.Verify(forged).error, TokenError::kBadSignature);
  EXPECT_EQ(jwks.fetches(), 1u);
  EXPECT_TRUE(jwks.Refresh().ok());  // explicit: not rate limited
  EXPECT_EQ(jwks.fetches(), 2u);
  EXPECT_EQ(hits_.load(), 2);
}

TEST_F(RemoteJwksTest, ATokenOfANewKeyMakesExactlyOneRefetch) {
  RemoteJwks jwks(&pool_, url_, kRules, 100ms);
  ASSERT_TRUE(jwks.Refresh().ok());
  std::string old_token = TokenBy(*ring_->current());
  std::this_thread::sleep_for(150ms);
  ASSERT_TRUE(ring_->Rotate(security::UnixNow()).ok());  // the server now serves two keys
  std::string new_token = TokenBy(*ring_->current());
  EXPECT_TRUE(jwks.Verify(new_token).ok());
  EXPECT_EQ(jwks.fetches(), 2u);
  EXPECT_TRUE(jwks.Verify(new_token).ok());
  EXPECT_TRUE(jwks.Verify(old_token).ok());
  EXPECT_TRUE(jwks.Verify(TokenBy(*ring_->current())).ok());
  EXPECT_EQ(jwks.fetches(), 2u);
}

TEST_F(RemoteJwksTest, ForgedKidsRefetchAtMostOncePerInterval) {
  RemoteJwks jwks(&pool_, url_, kRules, 1s);
  ASSERT_TRUE(jwks.Refresh().ok());
  auto stranger = security::KeyRing::Generate(security::UnixNow());  // a kid the server lacks
  std::string forged = TokenBy(*stranger->current());
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(jwks.Verify(forged).error, TokenError::kUnknownKey);
  }
  EXPECT_EQ(jwks.fetches(), 1u);  // the start-up fetch was less than 1 s ago
  std::this_thread::sleep_for(1100ms);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(jwks.Verify(forged).error, TokenError::kUnknownKey);
  }
  EXPECT_EQ(jwks.fetches(), 2u);
  EXPECT_TRUE(jwks.Verify(TokenBy(*ring_->current())).ok());
}

TEST_F(RemoteJwksTest, ConcurrentCallersShareOneFetch) {
  delay_ms_ = 300;
  RemoteJwks jwks(&pool_, url_, kRules, 0ms);  // no rate limit: only single flight saves us
  std::string token = TokenBy(*ring_->current());
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] { ok += jwks.Verify(token).ok() ? 1 : 0; });
  }
  for (auto& t : callers) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(jwks.fetches(), 1u);
  EXPECT_EQ(hits_.load(), 1);
}

TEST_F(RemoteJwksTest, AStoppedServerIsAnErrorNotAHang) {
  std::string url = url_;
  server_->Stop(1s);
  RemoteJwks jwks(&pool_, url, kRules);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(jwks.Verify(TokenBy(*ring_->current())).error, TokenError::kUnknownKey);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);  // refused: no waiting
  Status s = jwks.Refresh();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(url), std::string::npos) << s.message();
  EXPECT_FALSE(jwks.has_keys());
}

// A peer that accepts the connection (the kernel does, from the backlog) but never answers.
TEST_F(RemoteJwksTest, ASilentServerTimesOutWithinTwoSeconds) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/jwks";

  RemoteJwks jwks(&pool_, url, kRules);
  std::string token = TokenBy(*ring_->current());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(jwks.Verify(token).error, TokenError::kUnknownKey);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 3000ms);
  // Within min_refetch the next caller fails at once instead of waiting again.
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(jwks.Verify(token).error, TokenError::kUnknownKey);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_EQ(jwks.fetches(), 1u);
  ::close(fd);
}

}  // namespace
}  // namespace mr::services
