// HyperLogLog compatibility with a live redis-server 7.0: the same PFADD/PFCOUNT/PFMERGE sequence
// gives byte-identical values in both, and values copied either way count the same.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/server/engine_test_base.h"
#include "persistence/redis_process.h"

namespace mr::engine {
namespace {

using persistence::testing::RedisProcess;
using persistence::testing::RespCommand;

class HllRedisTest : public EngineTest {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/hll-redis-" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
    auto r = RedisProcess::Start(dir_, "unused.rdb", {});
    ASSERT_TRUE(r.ok()) << r.status().message();
    redis_ = std::move(*r);
  }
  void TearDown() override {
    redis_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs one command on both servers (Redis through redis-cli --pipe, binary-safe).
  void Both(const std::vector<std::string>& args) {
    RespValue ours = Run(args);
    ASSERT_FALSE(ours.is_error()) << ours;
    std::vector<std::string_view> views(args.begin(), args.end());
    Status st = redis_->Pipe(RespCommand(views));
    ASSERT_TRUE(st.ok()) << st.message();
  }
  std::string RedisGet(const std::string& key) {
    auto out = redis_->Cli({"--raw", "GET", key});
    EXPECT_TRUE(out.ok()) << out.status().message();
    std::string v = out.ok() ? *out : "";
    if (!v.empty() && v.back() == '\n') {
      v.pop_back();  // redis-cli --raw ends the value with a newline
    }
    return v;
  }
  int64_t RedisInt(const std::vector<std::string>& args) {
    auto out = redis_->Cli(args);
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? std::stoll(*out) : -1;
  }
  void ExpectSameValue(const std::string& key) {
    std::string theirs = RedisGet(key);
    std::string ours = Run({"get", key}).str;
    ASSERT_EQ(ours.size(), theirs.size()) << key;
    EXPECT_TRUE(ours == theirs) << key << ": first difference at byte "
                                << std::mismatch(ours.begin(), ours.end(), theirs.begin()).first -
                                       ours.begin();
  }
  void AddElements(const std::string& key, const std::string& prefix, int n) {
    std::vector<std::string> args{"pfadd", key};
    for (int i = 0; i < n; ++i) {
      args.push_back(prefix + std::to_string(i * 7919));
      if (args.size() == 202 || i + 1 == n) {
        Both(args);
        args.resize(2);
      }
    }
  }

  std::string dir_;
  std::unique_ptr<RedisProcess> redis_;
};

TEST_F(HllRedisTest, SameBytesAndCounts) {
  const int sizes[] = {0, 1, 3, 17, 100, 400, 1000, 2000, 3000, 20000};
  for (int n : sizes) {
    std::string key = "h" + std::to_string(n);
    Both({"pfadd", key});
    AddElements(key, "el:", n);
    ExpectSameValue(key);
    // The first PFCOUNT writes the cached cardinality into the value; the second reads it.
    EXPECT_EQ(Run({"pfcount", key}).i, RedisInt({"PFCOUNT", key})) << key;
    ExpectSameValue(key);
    EXPECT_EQ(Run({"pfcount", key}).i, RedisInt({"PFCOUNT", key})) << key;
    AddElements(key, "more:", 5);
    ExpectSameValue(key);
  }
  // Elements of every length (all MurmurHash64A tails) and with binary bytes.
  std::vector<std::string> args{"pfadd", "bin"};
  std::string s;
  for (int i = 0; i < 64; ++i) {
    args.push_back(s);
    s.push_back(static_cast<char>(i * 37));
  }
  Both(args);
  ExpectSameValue("bin");
  EXPECT_EQ(Run({"pfcount", "h100", "h3000", "bin"}).i,
            RedisInt({"PFCOUNT", "h100", "h3000", "bin"}));
}

TEST_F(HllRedisTest, MergeLikeRedis) {
  AddElements("a", "a", 50);
  AddElements("b", "b", 120);
  AddElements("c", "c", 6000);
  Both({"pfmerge", "sparse", "a", "b"});
  ExpectSameValue("sparse");
  Both({"pfmerge", "a", "b"});  // the destination is also a source
  ExpectSameValue("a");
  Both({"pfmerge", "dense", "a", "c"});
  ExpectSameValue("dense");
  Both({"pfcount", "b"});
  Both({"pfmerge", "b", "nokey"});  // keeps the cached bytes, sets the invalid bit
  ExpectSameValue("b");
  EXPECT_EQ(Run({"pfcount", "dense"}).i, RedisInt({"PFCOUNT", "dense"}));
}

TEST_F(HllRedisTest, ValuesCopiedFromRedisCount) {
  for (int n : {5, 700, 9000}) {
    std::string key = "r" + std::to_string(n);
    std::vector<std::string> args{"PFADD", key};
    for (int i = 0; i < n; ++i) {
      args.push_back("redis-only:" + std::to_string(i));
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    ASSERT_TRUE(redis_->Pipe(RespCommand(views)).ok());
    std::string v = RedisGet(key);
    Run({"set", key, v});
    EXPECT_EQ(Run({"pfcount", key}).i, RedisInt({"PFCOUNT", key})) << key;
    // And back: our value (cache now written) is read by Redis as the same HLL.
    std::string ours = Run({"get", key}).str;
    std::vector<std::string_view> set = {"SET", "back", ours};
    ASSERT_TRUE(redis_->Pipe(RespCommand(set)).ok());
    EXPECT_EQ(RedisInt({"PFCOUNT", "back"}), Run({"pfcount", key}).i);
    Both({"pfadd", key, "one more element"});
    ExpectSameValue(key);
  }
}

}  // namespace
}  // namespace mr::engine
