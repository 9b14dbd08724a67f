// SLOWLOG, LATENCY and LASTSAVE: thresholds via CONFIG SET, entry format, trimming, resets.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class SlowlogFamilyTest : public EngineTest {};

TEST_F(SlowlogFamilyTest, LogsCommandsAtOrAboveTheThreshold) {
  EXPECT_EQ(Run({"slowlog", "len"}), 0);
  Run({"config", "set", "slowlog-log-slower-than", "0"});  // log everything
  Run({"set", "k", std::string(200, 'v')});
  Run({"get", "k"});
  EXPECT_EQ(Run({"slowlog", "len"}), 3);  // CONFIG SET itself, SET, GET
  // Newest first; the SLOWLOG LEN above was logged too (id 3), as Redis does.
  RespValue got = Run({"slowlog", "get", "2"});
  ASSERT_EQ(got.arr.size(), 2u);
  EXPECT_EQ(got.arr[0].arr[0], 3);
  const RespValue& e = got.arr[1];
  ASSERT_EQ(e.arr.size(), 6u);
  EXPECT_EQ(e.arr[0], 2);
  EXPECT_EQ(e.arr[3].Strings(), (std::vector<std::string>{"get", "k"}));
  RespValue set_entry = Run({"slowlog", "get", "-1"}).arr[3];
  EXPECT_EQ(set_entry.arr[3].arr[2].str, std::string(128, 'v') + "... (72 more bytes)");
  EXPECT_EQ(Run({"slowlog", "get", "-2"}), "ERR count should be greater than or equal to -1");
  EXPECT_EQ(Run({"slowlog", "reset"}), "OK");
  EXPECT_EQ(Run({"slowlog", "len"}), 1);  // the RESET itself was slow enough
}

TEST_F(SlowlogFamilyTest, DisabledAndTrimmed) {
  Run({"config", "set", "slowlog-log-slower-than", "-1"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"slowlog", "len"}), 0);
  Run({"config", "set", "slowlog-log-slower-than", "0"});
  Run({"config", "set", "slowlog-max-len", "2"});
  for (int i = 0; i < 5; ++i) {
    Run({"incr", "n"});
  }
  EXPECT_EQ(Run({"slowlog", "len"}), 2);
  EXPECT_EQ(Run({"config", "get", "slowlog-max-len"}).Strings(),
            (std::vector<std::string>{"slowlog-max-len", "2"}));
  EXPECT_EQ(Run({"slowlog", "nope"}),
            "ERR unknown subcommand or wrong number of arguments for 'nope'. Try SLOWLOG HELP.");
}

TEST_F(SlowlogFamilyTest, LatencyIsOffByDefaultLikeRedis) {
  EXPECT_EQ(Run({"latency", "latest"}).arr.size(), 0u);
  EXPECT_EQ(Run({"config", "get", "latency-monitor-threshold"}).Strings(),
            (std::vector<std::string>{"latency-monitor-threshold", "0"}));
  EXPECT_EQ(Run({"latency", "history", "command"}).arr.size(), 0u);
  EXPECT_EQ(Run({"latency", "reset"}), 0);
}

TEST_F(SlowlogFamilyTest, LastSaveIsAUnixTime) {
  RespValue t = Run({"lastsave"});
  EXPECT_GE(t.i, 0);
}

}  // namespace
}  // namespace mr::engine
