// The per-instance commands-per-second quota (Dispatch) and the latency histogram behind the
// stats' p50/p99/p99.9.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

InstanceConfig Limited(int64_t ops) {
  InstanceConfig c;
  c.id = "tenant-1";
  c.max_ops_per_sec = ops;
  return c;
}

class QuotaTest : public EngineTest {
 protected:
  QuotaTest() : EngineTest(Limited(3)) { inst_.set_now_ms(kStartMs); }
};

TEST_F(QuotaTest, RefusesCommandsBeyondTheQuotaUntilTheNextSecond) {
  EXPECT_EQ(Run({"set", "k", "1"}), "OK");
  EXPECT_EQ(Run({"incr", "k"}), 2);
  EXPECT_EQ(Run({"incr", "k"}), 3);
  EXPECT_EQ(Run({"incr", "k"}),
            "ERR rate limit exceeded: instance 'tenant-1' allows 3 commands per second");
  EXPECT_EQ(inst_.stats().rejected_commands, 1u);
  AdvanceMs(1000);
  EXPECT_EQ(Run({"get", "k"}), "3");  // the refused INCR did not run
  EXPECT_EQ(inst_.stats().total_commands_processed, 4u);
}

TEST_F(QuotaTest, ARefusedQueuedCommandAbortsTheTransaction) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"set", "a", "1"}), "QUEUED");
  EXPECT_EQ(Run({"set", "b", "1"}), "QUEUED");
  EXPECT_TRUE(Run({"set", "c", "1"}).is_error());  // MULTI and two SETs used the quota
  AdvanceMs(1000);
  EXPECT_EQ(Run({"exec"}),
            "EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(Run({"exists", "a"}), 0);
}

TEST_F(QuotaTest, ChangesApplyToTheNextCommand) {
  for (int i = 0; i < 3; ++i) {
    Run({"ping"});
  }
  EXPECT_TRUE(Run({"ping"}).is_error());
  inst_.config().max_ops_per_sec = 0;
  EXPECT_EQ(Run({"ping"}), "PONG");
}

TEST(LatencyHistogramTest, BucketsAreLogLinear) {
  for (int64_t us : {0, 1, 15, 16, 17, 100, 1000, 12345, 1000000}) {
    int b = LatencyHistogram::Bucket(us);
    double v = LatencyHistogram::BucketValue(b);
    EXPECT_NEAR(v, static_cast<double>(us), us * 0.07 + 1.0) << us;  // half a 12.5% bucket
  }
  EXPECT_EQ(LatencyHistogram::Bucket(-5), 0);
  EXPECT_EQ(LatencyHistogram::Bucket(int64_t{1} << 40), LatencyHistogram::kBuckets - 1);
  for (int64_t us = 1; us < (int64_t{1} << 26); us = us * 3 / 2 + 1) {
    EXPECT_LE(LatencyHistogram::Bucket(us - 1), LatencyHistogram::Bucket(us));
  }
}

TEST(LatencyHistogramTest, PercentilesOverTheLastWindows) {
  LatencyHistogram h;
  EXPECT_EQ(h.Read(0).samples, 0u);
  const int64_t t0 = 1'000'000'000;
  for (int i = 0; i < 1000; ++i) {
    h.Record(t0 + i, i < 989 ? 10 : (i < 998 ? 1000 : 100000));
  }
  LatencyHistogram::Percentiles p = h.Read(t0 + 1000);
  EXPECT_EQ(p.samples, 1000u);
  EXPECT_EQ(p.p50_us, 10);
  EXPECT_NEAR(p.p99_us, 1000, 70);
  EXPECT_NEAR(p.p999_us, 100000, 7000);
  // One window later the samples are still reported (previous window), two windows later not.
  h.Record(t0 + LatencyHistogram::kWindowUs + 5, 3);
  EXPECT_EQ(h.Read(t0 + LatencyHistogram::kWindowUs + 10).samples, 1001u);
  EXPECT_EQ(h.Read(t0 + 3 * LatencyHistogram::kWindowUs).samples, 1u);
  EXPECT_EQ(h.Read(t0 + 5 * LatencyHistogram::kWindowUs).samples, 0u);
}

TEST_F(QuotaTest, DispatchFeedsTheLatencyHistogram) {
  Run({"ping"});
  Run({"ping"});
  EXPECT_EQ(inst_.latency().Read(inst_.clock().NowUs()).samples, 2u);
}

}  // namespace
}  // namespace mr::engine
