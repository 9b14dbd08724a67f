// maxmemory enforcement: OOM under noeviction, every eviction policy keeping used_memory under the
// limit, LRU/LFU/TTL choosing the right victims, and the size of empty instances.
#include <memory>

#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

// Fills an instance past maxmemory under `policy`; returns the instance for inspection.
class EvictionTest : public EngineTest {
 protected:
  // Eviction stops after ~1 ms per command (like Redis' tenacity); the cron finishes the job.
  void Drain() {
    for (int i = 0; i < 10000 && inst_.OverMaxmemory(); ++i) {
      RunActiveExpiry(inst_);
    }
  }
  void Fill(int n, bool volatile_half) {
    for (int i = 0; i < n; ++i) {
      std::string k = "key:" + std::to_string(i);
      if (volatile_half && i % 2 == 0) {
        Run({"set", k, std::string(100, 'v'), "ex", std::to_string(1000 + i)});
      } else {
        Run({"set", k, std::string(100, 'v')});
      }
    }
  }
};

TEST_F(EvictionTest, NoEvictionRefusesWrites) {
  Fill(100, false);
  Run({"config", "set", "maxmemory", std::to_string(UsedMemory() / 2)});
  EXPECT_EQ(Run({"set", "x", "y"}), "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(Run({"get", "key:1"}), std::string(100, 'v'));
  EXPECT_EQ(Run({"del", "key:1"}), 1);
  EXPECT_EQ(inst_.stats().evicted_keys, 0u);
}

TEST_F(EvictionTest, AllKeysPoliciesStayUnderLimit) {
  for (const char* policy : {"allkeys-lru", "allkeys-lfu", "allkeys-random"}) {
    Run({"flushall"});
    Run({"config", "set", "maxmemory", "0"});
    Fill(2000, false);
    int64_t limit = UsedMemory() / 2;
    Run({"config", "set", "maxmemory", std::to_string(limit), "maxmemory-policy", policy});
    EXPECT_EQ(Run({"set", "new", "v"}), "OK") << policy;
    Drain();
    EXPECT_LE(UsedMemory(), limit + 512) << policy;
    EXPECT_GT(inst_.stats().evicted_keys, 0u) << policy;
    EXPECT_EQ(Run({"get", "new"}), "v") << policy;
  }
}

TEST_F(EvictionTest, LruKeepsRecentlyUsed) {
  Fill(2000, false);
  AdvanceMs(100000);
  for (int i = 0; i < 200; ++i) {
    Run({"get", "key:" + std::to_string(i)});
  }
  Run({"config", "set", "maxmemory", std::to_string(UsedMemory() / 2), "maxmemory-policy",
       "allkeys-lru"});
  Run({"set", "trigger", "x"});
  Drain();
  int kept = 0;
  for (int i = 0; i < 200; ++i) {
    kept += Run({"exists", "key:" + std::to_string(i)}).i;
  }
  EXPECT_GT(kept, 180);
}

TEST_F(EvictionTest, LfuKeepsFrequentlyUsed) {
  Run({"config", "set", "maxmemory-policy", "allkeys-lfu"});
  Fill(2000, false);
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 100; ++i) {
      Run({"get", "key:" + std::to_string(i)});
    }
  }
  EXPECT_GT(Run({"object", "freq", "key:1"}).i, 5);
  Run({"config", "set", "maxmemory", std::to_string(UsedMemory() / 2)});
  Run({"set", "trigger", "x"});
  Drain();
  int kept = 0;
  for (int i = 0; i < 100; ++i) {
    kept += Run({"exists", "key:" + std::to_string(i)}).i;
  }
  EXPECT_GT(kept, 90);
}

TEST_F(EvictionTest, VolatilePoliciesOnlyEvictVolatileKeys) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    Run({"flushall"});
    Run({"config", "set", "maxmemory", "0"});
    Fill(2000, true);
    Run({"config", "set", "maxmemory", std::to_string(UsedMemory() * 3 / 4), "maxmemory-policy",
         policy});
    EXPECT_EQ(Run({"set", "new", "v"}), "OK") << policy;
    Drain();
    for (int i = 1; i < 2000; i += 2) {
      ASSERT_EQ(Run({"exists", "key:" + std::to_string(i)}), 1) << policy << " " << i;
    }
  }
  Run({"config", "set", "maxmemory", std::to_string(UsedMemory() / 4)});
  Drain();  // evicts every volatile key, then cannot free more
  EXPECT_EQ(Run({"set", "x", std::string(1000, 'x')}),
            "OOM command not allowed when used memory > 'maxmemory'.");
}

TEST_F(EvictionTest, VolatileTtlEvictsSoonestFirst) {
  Fill(2000, true);
  Run({"config", "set", "maxmemory", std::to_string(UsedMemory() * 9 / 10), "maxmemory-policy",
       "volatile-ttl"});
  Run({"set", "trigger", "x"});
  Drain();
  int evicted_late = 0;
  for (int i = 1800; i < 2000; i += 2) {
    evicted_late += 1 - Run({"exists", "key:" + std::to_string(i)}).i;
  }
  EXPECT_LT(evicted_late, 10);
}

TEST_F(EvictionTest, EmptyInstanceIsSmall) {
  std::vector<std::unique_ptr<Instance>> many;
  for (int i = 0; i < 1000; ++i) {
    many.push_back(std::make_unique<Instance>());
    Session s;
    std::string out;
    resp::Writer w(&out);
    std::vector<std::string_view> args{"set", "k", "v"};
    Dispatch(*many.back(), s, args, w);
    EXPECT_LT(many.back()->used_memory(), 1024);
  }
  EXPECT_LT(sizeof(Instance), 4096u);
}

}  // namespace
}  // namespace mr::engine
