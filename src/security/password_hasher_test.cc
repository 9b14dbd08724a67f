#include "security/password_hasher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <semaphore>

namespace mr::security {
namespace {

PasswordHasher::Options FastOptions(size_t threads, size_t queue) {
  return {threads, queue, PasswordCost::Minimal()};
}

TEST(PasswordHash, Argon2idRoundTrip) {
  auto hash = HashPassword("correct horse", PasswordCost::Minimal());
  ASSERT_TRUE(hash.ok()) << hash.error();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword("correct horse", *hash, PasswordCost::Minimal()).match);
  EXPECT_FALSE(VerifyPassword("correct horsE", *hash, PasswordCost::Minimal()).match);
  EXPECT_FALSE(VerifyPassword("correct horse", "", PasswordCost::Minimal()).match);
  EXPECT_FALSE(VerifyPassword("correct horse", "$argon2id$garbage", PasswordCost::Minimal()).match);
  EXPECT_NE(*hash, *HashPassword("correct horse", PasswordCost::Minimal()));  // salted
}

TEST(PasswordHash, NeedsRehashWhenCostChanges) {
  auto cheap = HashPassword("pw", PasswordCost::Minimal());
  ASSERT_TRUE(cheap.ok());
  PasswordCheck same = VerifyPassword("pw", *cheap, PasswordCost::Minimal());
  EXPECT_TRUE(same.match);
  EXPECT_FALSE(same.needs_rehash);
  PasswordCost stronger = PasswordCost::Minimal();
  stronger.ops_limit += 1;
  PasswordCheck raised = VerifyPassword("pw", *cheap, stronger);
  EXPECT_TRUE(raised.match);
  EXPECT_TRUE(raised.needs_rehash);
}

TEST(PasswordHasher, FutureApi) {
  PasswordHasher hasher(FastOptions(2, 8));
  auto hashed = hasher.Hash("s3cret-passw0rd");
  ASSERT_EQ(hashed.admission, Admission::kAccepted);
  Result<std::string> h = hashed.result.get();
  ASSERT_TRUE(h.ok());
  auto ok = hasher.Verify("s3cret-passw0rd", *h);
  ASSERT_EQ(ok.admission, Admission::kAccepted);
  EXPECT_TRUE(ok.result.get()->match);
  auto bad = hasher.Verify("wrong", *h);
  ASSERT_EQ(bad.admission, Admission::kAccepted);
  EXPECT_FALSE(bad.result.get()->match);
}

TEST(PasswordHasher, UnknownAccountStillCostsAHash) {
  PasswordHasher hasher(FastOptions(1, 4));
  auto check = hasher.Verify("anything", "");
  ASSERT_EQ(check.admission, Admission::kAccepted);
  Result<PasswordCheck> r = check.result.get();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->match);
}

TEST(PasswordHasher, FullQueueFailsFast) {
  PasswordHasher hasher(FastOptions(1, 2));
  std::binary_semaphore release(0);
  std::latch running(1);
  // Park the only worker inside a callback so the queue state is deterministic.
  ASSERT_EQ(hasher.Hash("block", [&](Result<std::string>) {
    running.count_down();
    release.acquire();
  }), Admission::kAccepted);
  running.wait();
  std::atomic<int> done{0};
  auto count = [&](Result<std::string> r) { done += r.ok() ? 1 : 0; };
  EXPECT_EQ(hasher.Hash("q1", count), Admission::kAccepted);
  EXPECT_EQ(hasher.Hash("q2", count), Admission::kAccepted);
  EXPECT_EQ(hasher.queued(), 2u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hasher.Hash("q3", count), Admission::kQueueFull);
  auto refused = hasher.Verify("q4", "x");
  EXPECT_EQ(refused.admission, Admission::kQueueFull);
  EXPECT_FALSE(refused.result.valid());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  release.release();
  while (done.load() < 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(done.load(), 2);  // the refused job's callback never ran
}

TEST(PasswordHasher, ConcurrentSubmittersAllGetAnswers) {
  PasswordHasher hasher(FastOptions(2, 64));
  std::atomic<int> accepted{0}, answered{0}, matched{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string pw = "user-" + std::to_string(t) + "-" + std::to_string(i);
        auto h = hasher.Hash(pw);
        if (h.admission != Admission::kAccepted) {
          continue;
        }
        ++accepted;
        Result<std::string> stored = h.result.get();
        ++answered;
        auto v = hasher.Verify(pw, *stored);
        if (v.admission == Admission::kAccepted && v.result.get()->match) {
          ++matched;
        }
      }
    });
  }
  for (auto& c : clients) {
    c.join();
  }
  EXPECT_EQ(accepted.load(), 40);
  EXPECT_EQ(answered.load(), 40);
  EXPECT_EQ(matched.load(), 40);
}

TEST(PasswordHasher, ShutdownAnswersQueuedJobs) {
  std::binary_semaphore release(0);
  std::latch running(1);
  std::atomic<int> cancelled{0};
  {
    PasswordHasher hasher(FastOptions(1, 4));
    ASSERT_EQ(hasher.Hash("block", [&](Result<std::string>) {
      running.count_down();
      release.acquire();
    }), Admission::kAccepted);
    running.wait();
    // The worker is parked, so "queued" can only end by cancellation, which then frees the worker.
    ASSERT_EQ(hasher.Hash("queued", [&](Result<std::string> r) {
      cancelled += r.ok() ? 0 : 1;
      release.release();
    }), Admission::kAccepted);
  }
  EXPECT_EQ(cancelled.load(), 1);
}

}  // namespace
}  // namespace mr::security
