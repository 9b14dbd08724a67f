// Interop with Debian's redis-server 7.0: DUMP payloads move both ways (same value and encoding
// after RESTORE), our snapshot loads in redis-server, and redis-server's SAVE loads here. Both
// sides are compared through the same commands (snapshot_test_util.h).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/server/snapshot.h"
#include "engine/server/snapshot_test_util.h"
#include "persistence/redis_process.h"

namespace mr::engine {
namespace {

using persistence::testing::RedisProcess;
using persistence::testing::RespCommand;
using testing::DbView;
using testing::EngineRunner;
using testing::EveryEncodingCommands;
using testing::Hex;
using testing::KeyspaceView;
using testing::Runner;
using testing::ValueView;

// Where the reply starting at `pos` ends, if `data` holds all of it.
std::optional<size_t> ReplyEnd(std::string_view data, size_t pos) {
  size_t eol = data.find("\r\n", pos);
  if (eol == std::string_view::npos) return std::nullopt;
  const char t = data[pos];
  const std::string line(data.substr(pos + 1, eol - pos - 1));
  size_t next = eol + 2;
  if (t == '$') {
    const long long n = std::stoll(line);
    if (n < 0) return next;
    if (data.size() < next + static_cast<size_t>(n) + 2) return std::nullopt;
    return next + static_cast<size_t>(n) + 2;
  }
  if (t == '*') {
    for (long long i = 0, n = std::stoll(line); i < n; ++i) {
      std::optional<size_t> end = ReplyEnd(data, next);
      if (!end) return std::nullopt;
      next = *end;
    }
  }
  return next;  // + - :
}

// A blocking RESP2 client for one redis-server: binary-safe, unlike redis-cli arguments.
class RespClient {
 public:
  explicit RespClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RespClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  RespValue Run(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    const std::string req = RespCommand(views);
    for (size_t sent = 0; sent < req.size();) {
      ssize_t n = send(fd_, req.data() + sent, req.size() - sent, 0);
      if (n <= 0) return RespValue{RespValue::kError, "send failed"};
      sent += static_cast<size_t>(n);
    }
    std::string in;
    char buf[65536];
    while (in.empty() || !ReplyEnd(in, 0)) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return RespValue{RespValue::kError, "connection closed"};
      in.append(buf, static_cast<size_t>(n));
    }
    size_t pos = 0;
    return ParseResp(in, &pos);
  }
  Runner runner() {
    return [this](const std::vector<std::string>& a) { return Run(a); };
  }

 private:
  int fd_ = -1;
};

class SnapshotRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/snapshot-redis-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    client_.reset();
    redis_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);  // kept for a post-mortem otherwise
  }
  void StartRedis(const std::string& dbfilename = "dump.rdb") {
    client_.reset();
    redis_.reset();
    auto r = RedisProcess::Start(dir_, dbfilename, {"--enable-debug-command", "local"});
    ASSERT_TRUE(r.ok()) << r.error();
    redis_ = std::move(r.value());
    client_ = std::make_unique<RespClient>(redis_->port());
    ASSERT_TRUE(client_->connected());
  }
  // Fills a runner (engine or redis) with every encoding in databases 0 and 7.
  static void Fill(const Runner& run, int64_t now_ms) {
    for (const char* db : {"7", "0"}) {
      run({"SELECT", db});
      for (const auto& c : EveryEncodingCommands(now_ms)) {
        RespValue v = run(c);
        ASSERT_FALSE(v.is_error()) << c[0] << " " << c[1] << ": " << v;
      }
    }
    run({"SET", "db0:only", "x"});
  }

  std::string dir_;
  std::unique_ptr<RedisProcess> redis_;
  std::unique_ptr<RespClient> client_;
  Instance inst_;  // on the real clock, like redis-server
  Session session_;
};

TEST_F(SnapshotRedisTest, RedisDumpsRestoreHere) {
  StartRedis();
  const Runner redis = client_->runner();
  const Runner engine = EngineRunner(inst_, session_);
  Fill(redis, Clock::RealNowMs());
  size_t n = 0;
  for (const RespValue& k : redis({"KEYS", "*"}).arr) {
    const RespValue payload = redis({"DUMP", k.str});
    ASSERT_EQ(payload.type, RespValue::kBulk) << k.str;
    ASSERT_EQ(engine({"RESTORE", k.str, "0", payload.str}), "OK") << k.str;
    EXPECT_EQ(ValueView(engine, k.str), ValueView(redis, k.str)) << k.str;
    EXPECT_EQ(engine({"OBJECT", "ENCODING", k.str}), redis({"OBJECT", "ENCODING", k.str}).str)
        << k.str;
    n++;
  }
  EXPECT_EQ(n, 21u);
}

TEST_F(SnapshotRedisTest, OurDumpsRestoreInRedis) {
  StartRedis();
  const Runner redis = client_->runner();
  const Runner engine = EngineRunner(inst_, session_);
  Fill(engine, Clock::RealNowMs());
  // Deep sanitization: redis-server validates every listpack, intset and quicklist node.
  ASSERT_EQ(redis({"CONFIG", "SET", "sanitize-dump-payload", "yes"}), "OK");
  size_t identical = 0;
  std::vector<std::string> keys;
  for (const RespValue& k : engine({"KEYS", "*"}).arr) keys.push_back(k.str);
  for (const std::string& k : keys) {
    const RespValue payload = engine({"DUMP", k});
    ASSERT_EQ(payload.type, RespValue::kBulk) << k;
    ASSERT_EQ(redis({"RESTORE", k, "0", payload.str}), "OK") << k;
    EXPECT_EQ(ValueView(redis, k), ValueView(engine, k)) << k;
    EXPECT_EQ(redis({"OBJECT", "ENCODING", k}), engine({"OBJECT", "ENCODING", k}).str) << k;
    // Same RDB type; and where no string in it is long enough for LZF, the very same bytes.
    // (Redis' LZF and ours pick different back-references: both decode to the same bytes, so
    // compressed payloads are compared by value.)
    const std::string theirs = redis({"DUMP", k}).str;
    EXPECT_EQ(theirs.substr(0, 1), payload.str.substr(0, 1)) << k;
    if ((k.starts_with("str:") && k != "str:raw") || k == "list:small" || k == "hash:small") {
      EXPECT_EQ(Hex(theirs), Hex(payload.str)) << k;
      identical++;
    }
  }
  EXPECT_EQ(identical, 9u);
}

TEST_F(SnapshotRedisTest, RedisLoadsOurSnapshot) {
  const Runner engine = EngineRunner(inst_, session_);
  Fill(engine, Clock::RealNowMs());
  engine({"SET", "expired", "gone", "PX", "1"});
  usleep(5000);
  {
    auto sink = persistence::FileSink::Create(dir_ + "/ours.rdb");
    ASSERT_TRUE(sink.ok()) << sink.error();
    SnapshotStats stats;
    Status s = WriteSnapshot(inst_, sink->get(), Clock::RealNowMs(), &stats);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(stats.keys, 41u);  // "expired" is not written
  }
  StartRedis("ours.rdb");
  EXPECT_NE(redis_->Log().find("Done loading RDB"), std::string::npos) << redis_->Log();
  const Runner redis = client_->runner();
  engine({"DEL", "expired"});
  EXPECT_EQ(KeyspaceView(redis), KeyspaceView(engine));
  // DEBUG RELOAD: redis saves what it loaded and loads it again; nothing changes.
  ASSERT_EQ(redis({"DEBUG", "RELOAD"}).is_error(), false);
  EXPECT_EQ(KeyspaceView(redis), KeyspaceView(engine));
}

TEST_F(SnapshotRedisTest, RedisSaveLoadsHere) {
  StartRedis();
  const Runner redis = client_->runner();
  Fill(redis, Clock::RealNowMs());
  ASSERT_EQ(redis({"SAVE"}), "OK");
  Instance loaded;
  persistence::LoadReport r = LoadSnapshotFile(loaded, dir_ + "/dump.rdb");
  EXPECT_TRUE(r.clean()) << r.error;
  EXPECT_EQ(r.keys_loaded, 41u);
  Session s;
  EXPECT_EQ(KeyspaceView(EngineRunner(loaded, s)), KeyspaceView(redis));
}

}  // namespace
}  // namespace mr::engine
