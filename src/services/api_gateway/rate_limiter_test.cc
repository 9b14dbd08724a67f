#include "services/api_gateway/rate_limiter.h"

#include <gtest/gtest.h>

namespace mr::services::gateway {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, AllowsABurstThenTheRate) {
  RateLimiter limiter(10, 5);
  auto t = RateLimiter::Clock::now();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.Admit("u1", t), 0) << i;
  }
  int64_t wait = limiter.Admit("u1", t);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 100);
  EXPECT_EQ(limiter.Admit("u2", t), 0);  // keys are independent
  EXPECT_EQ(limiter.Admit("u1", t + milliseconds(100)), 0);
  EXPECT_GT(limiter.Admit("u1", t + milliseconds(100)), 0);
}

TEST(RateLimiterTest, ZeroRateDisables) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.Admit("x"), 0);
  }
}

TEST(RateLimiterTest, ManyKeysStayBounded) {
  RateLimiter limiter(1, 1, 4);
  auto t = RateLimiter::Clock::now();
  for (int i = 0; i < 10000; ++i) {
    limiter.Admit("k" + std::to_string(i), t);
  }
  // A key seen long ago may have been dropped; it starts again with a full bucket.
  EXPECT_EQ(limiter.Admit("k0", t + std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace mr::services::gateway
