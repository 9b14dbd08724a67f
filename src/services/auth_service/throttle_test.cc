#include "services/auth_service/throttle.h"

#include <gtest/gtest.h>

namespace mr::services::auth {
namespace {

ThrottleRule Rule() {
  return ThrottleRule{.free_failures = 3,
                      .base_delay = std::chrono::milliseconds(1000),
                      .max_delay = std::chrono::milliseconds(8000),
                      .forget_after = std::chrono::milliseconds(60000)};
}

TEST(LoginThrottleTest, FreeFailuresThenExponentialBackOffUpToTheCap) {
  LoginThrottle t(Rule());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.RecordFailure("k", 100), 0);
  }
  EXPECT_EQ(t.RetryAfter("k", 100), 0);
  EXPECT_EQ(t.RecordFailure("k", 100), 1000);
  EXPECT_EQ(t.RetryAfter("k", 600), 500);
  EXPECT_EQ(t.RetryAfter("k", 1100), 0);
  EXPECT_EQ(t.RecordFailure("k", 1100), 2000);
  EXPECT_EQ(t.RecordFailure("k", 3100), 4000);
  EXPECT_EQ(t.RecordFailure("k", 7100), 8000);
  EXPECT_EQ(t.RecordFailure("k", 15100), 8000);  // capped
  EXPECT_EQ(t.RetryAfter("other", 15100), 0);
}

TEST(LoginThrottleTest, ResetAndQuietTimeForget) {
  LoginThrottle t(Rule());
  for (int i = 0; i < 4; ++i) {
    t.RecordFailure("k", 0);
  }
  EXPECT_GT(t.RetryAfter("k", 0), 0);
  t.Reset("k");
  EXPECT_EQ(t.RetryAfter("k", 0), 0);
  for (int i = 0; i < 3; ++i) {
    t.RecordFailure("k", 0);
  }
  EXPECT_EQ(t.RecordFailure("k", 60000), 0);  // a quiet minute started a new count
}

TEST(LoginThrottleTest, BoundedKeysFailOpen) {
  LoginThrottle t(Rule(), 2);
  t.RecordFailure("a", 0);
  t.RecordFailure("b", 0);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(t.RecordFailure("c", 0), 0);
  }
  EXPECT_EQ(t.size(), 2u);
  t.RecordFailure("c", 60000);  // a and b are quiet by now: swept
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace mr::services::auth
