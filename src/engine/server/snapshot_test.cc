// Snapshots: save and load round trips of every type and encoding, expiry on both sides, all 16
// databases, replacement of existing keys, saving during an incremental rehash without touching
// the instance, corrupt images, and memory accounting equal to building the data by commands.
#include "engine/server/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/snapshot_test_util.h"
#include "persistence/rdb_writer.h"

namespace mr::engine {
namespace {

using testing::EngineRunner;
using testing::EveryEncodingCommands;
using testing::KeyspaceView;

class SnapshotTest : public EngineTest {
 protected:
  std::string Save(const Instance& inst, SnapshotStats* stats = nullptr) {
    std::string out;
    persistence::StringSink sink(&out);
    Status s = WriteSnapshot(inst, &sink, kStartMs, stats);
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }
  // A fresh instance at the same clock, loaded from `rdb`.
  std::unique_ptr<Instance> Load(std::string_view rdb, persistence::LoadReport* report = nullptr) {
    auto inst = std::make_unique<Instance>();
    inst->clock().SetForTest(inst_.clock().NowMs());
    persistence::LoadReport r = LoadSnapshot(*inst, rdb);
    EXPECT_TRUE(r.clean()) << r.error;
    if (report != nullptr) {
      *report = r;
    }
    return inst;
  }
  void RunAll(const std::vector<std::vector<std::string>>& cmds) {
    for (const auto& c : cmds) {
      RespValue v = Run(c);
      ASSERT_FALSE(v.is_error()) << c[0] << " " << c[1] << ": " << v;
    }
  }
};

TEST_F(SnapshotTest, EveryTypeAndEncodingRoundTrips) {
  RunAll(EveryEncodingCommands(kStartMs));
  Run({"SELECT", "3"});
  RunAll(EveryEncodingCommands(kStartMs));
  Run({"SELECT", "0"});
  SnapshotStats stats;
  const std::string rdb = Save(inst_, &stats);
  EXPECT_EQ(stats.keys, 2 * 20u);
  EXPECT_EQ(stats.bytes, rdb.size());

  persistence::LoadReport report;
  auto loaded = Load(rdb, &report);
  EXPECT_EQ(report.keys_loaded, 2 * 20u);
  Session s2;
  auto want = KeyspaceView(EngineRunner(inst_, session_));
  auto got = KeyspaceView(EngineRunner(*loaded, s2));
  ASSERT_EQ(want.size(), 2u);
  EXPECT_EQ(got, want);
  // Spot-check that the view covers the encodings it claims to.
  std::string all;
  for (const auto& line : want[0].second) all += line.substr(0, line.find('|')) + ",";
  for (const char* enc : {"int", "embstr", "raw", "quicklist", "intset", "hashtable", "listpack",
                          "skiplist"}) {
    EXPECT_NE(all.find(std::string(enc) + ","), std::string::npos) << enc;
  }
}

TEST_F(SnapshotTest, MemoryEqualsBuildingTheSameKeysByCommands) {
  // Everything but skiplists, whose node heights are random (two ZADD runs differ as well).
  std::vector<std::vector<std::string>> cmds;
  for (auto& c : EveryEncodingCommands(kStartMs)) {
    if (c[1] != "zset:large" && c[1] != "zset:longmember") cmds.push_back(c);
  }
  for (int i = 0; i < 5000; ++i) {
    cmds.push_back({"SET", "key:" + std::to_string(i), "value-" + std::to_string(i)});
  }
  for (int i = 0; i < 300; ++i) {
    cmds.push_back({"SET", "ttl:" + std::to_string(i), std::to_string(i), "EX", "1000"});
  }
  RunAll(cmds);
  RunActiveExpiry(inst_);  // ends any resize in flight: the loader sizes tables once
  const std::string rdb = Save(inst_);
  auto loaded = Load(rdb);
  // Exact to the byte but for malloc_usable_size noise: glibc hands out a slightly larger chunk
  // when it has no exact fit, so two command-built copies differ by a few bytes too.
  int64_t diff = loaded->used_memory() - inst_.used_memory();
  EXPECT_LT(std::abs(diff), inst_.used_memory() / 1000) << diff << " of " << inst_.used_memory();

  // The same, with skiplists: within a small margin for node heights.
  Run({"FLUSHALL"});
  RunAll(EveryEncodingCommands(kStartMs));
  auto loaded2 = Load(Save(inst_));
  diff = loaded2->used_memory() - inst_.used_memory();
  EXPECT_LT(std::abs(diff), inst_.used_memory() / 50) << diff << " of " << inst_.used_memory();
}

TEST_F(SnapshotTest, ExpiredKeysAreNeitherSavedNorLoaded) {
  Run({"SET", "soon", "x", "PX", "100"});
  Run({"SET", "later", "y", "PX", "100000"});
  Run({"SET", "never", "z"});
  // Saved at a time after "soon" expired: lazy expiry never ran, WriteSnapshot skips it.
  std::string out;
  persistence::StringSink sink(&out);
  SnapshotStats stats;
  ASSERT_TRUE(WriteSnapshot(inst_, &sink, kStartMs + 101, &stats).ok());
  EXPECT_EQ(stats.keys, 2u);
  EXPECT_EQ(Run({"DBSIZE"}), 3);  // the instance was not touched

  // Loaded at a time after "later" expired.
  auto loaded = std::make_unique<Instance>();
  loaded->clock().SetForTest(kStartMs + 100001);
  persistence::LoadReport r = LoadSnapshot(*loaded, out);
  EXPECT_TRUE(r.clean()) << r.error;
  EXPECT_EQ(r.keys_loaded, 1u);
  EXPECT_EQ(r.keys_skipped, 1u);
  EXPECT_EQ(r.skipped_by_type["expired"], 1u);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].key, "later");
  Session s2;
  auto run = EngineRunner(*loaded, s2);
  EXPECT_EQ(run({"DBSIZE"}), 1);
  EXPECT_EQ(run({"GET", "never"}), "z");

  // Loaded while "later" is still alive: its absolute expiry is kept.
  auto loaded2 = Load(out);
  Session s3;
  EXPECT_EQ(EngineRunner(*loaded2, s3)({"PEXPIRETIME", "later"}), kStartMs + 100000);
}

TEST_F(SnapshotTest, AllSixteenDatabases) {
  for (int db = 0; db < Instance::kDatabases; ++db) {
    Run({"SELECT", std::to_string(db)});
    Run({"SET", "k", "db" + std::to_string(db)});
    Run({"RPUSH", "l" + std::to_string(db), "a", "b"});
  }
  auto loaded = Load(Save(inst_));
  Session s2;
  auto run = EngineRunner(*loaded, s2);
  for (int db = 0; db < Instance::kDatabases; ++db) {
    run({"SELECT", std::to_string(db)});
    EXPECT_EQ(run({"GET", "k"}), "db" + std::to_string(db));
    EXPECT_EQ(run({"DBSIZE"}), 2);
  }
  EXPECT_EQ(loaded->stats().dbs[15].keys, 2u);
}

TEST_F(SnapshotTest, EmptyInstanceGivesALoadableImage) {
  SnapshotStats stats;
  const std::string rdb = Save(inst_, &stats);
  EXPECT_EQ(stats.keys, 0u);
  EXPECT_EQ(rdb.substr(0, 9), "REDIS0010");
  persistence::LoadReport r;
  auto loaded = Load(rdb, &r);
  EXPECT_EQ(r.keys_loaded, 0u);
}

TEST_F(SnapshotTest, LoadReplacesExistingKeys) {
  Run({"SET", "a", "new"});
  Run({"RPUSH", "b", "x"});
  const std::string rdb = Save(inst_);
  Run({"FLUSHALL"});
  Run({"HSET", "a", "f", "v"});
  Run({"SET", "b", "old", "EX", "100"});
  Run({"SET", "c", "kept"});
  persistence::LoadReport r = LoadSnapshot(inst_, rdb);
  EXPECT_TRUE(r.clean()) << r.error;
  EXPECT_EQ(Run({"GET", "a"}), "new");
  EXPECT_EQ(Run({"LRANGE", "b", "0", "-1"}).Strings(), std::vector<std::string>{"x"});
  EXPECT_EQ(Run({"TTL", "b"}), -1);
  EXPECT_EQ(Run({"GET", "c"}), "kept");
  EXPECT_EQ(Run({"DBSIZE"}), 3);
}

// The key table grows by incremental rehash: a save in the middle must see both arrays, write
// each key once, and leave the table exactly as it was (no rehash step, no LRU touch).
TEST_F(SnapshotTest, SaveDuringRehashWritesEachKeyOnceAndChangesNothing) {
  int n = 0;
  while (!inst_.db(0).keys().rehashing() || n < 1000) {
    Run({"SET", "k" + std::to_string(n), std::to_string(n)});
    n++;
    ASSERT_LT(n, 1 << 20);
  }
  ASSERT_TRUE(inst_.db(0).keys().rehashing());
  const int64_t used = inst_.used_memory();
  const size_t capacity = inst_.db(0).keys().capacity();
  Entry* probe = inst_.db(0).keys().Find("k0");
  const uint32_t lru = probe->lru();
  inst_.clock().AdvanceForTest(50000);  // a touch would now change the LRU field

  SnapshotStats stats;
  const std::string rdb = Save(inst_, &stats);
  EXPECT_EQ(stats.keys, static_cast<uint64_t>(n));
  EXPECT_TRUE(inst_.db(0).keys().rehashing());
  EXPECT_EQ(inst_.db(0).keys().capacity(), capacity);
  EXPECT_EQ(inst_.used_memory(), used);
  EXPECT_EQ(probe->lru(), lru);

  persistence::LoadReport r;
  auto loaded = Load(rdb, &r);
  EXPECT_EQ(r.keys_loaded, static_cast<uint64_t>(n));
  EXPECT_EQ(loaded->db(0).size(), static_cast<size_t>(n));
}

// Our own images list keys and big-collection members in hash order; loading them must not
// degrade into quadratic probing (1M keys took minutes before tables were presized/shuffled).
TEST_F(SnapshotTest, HashOrderedImagesLoadInLinearTime) {
  constexpr int kKeys = 200000;
  std::vector<std::string> sadd = {"SADD", "bigset"};
  std::vector<std::string> hset = {"HSET", "bighash"};
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = "key:" + std::to_string(i);
    std::string_view args[] = {"SET", k, "v"};
    std::string out;
    resp::Writer w(&out);
    Dispatch(inst_, session_, args, w);
    if (i % 2 == 0) {
      sadd.push_back("m" + std::to_string(i));
      hset.push_back("f" + std::to_string(i));
      hset.push_back("v");
    }
  }
  RunAll({sadd, hset, {"EXPIRE", "key:1", "1000"}});
  const auto start = std::chrono::steady_clock::now();
  persistence::LoadReport r;
  auto loaded = Load(Save(inst_), &r);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.keys_loaded, kKeys + 2u);
  Session s2;
  auto run = EngineRunner(*loaded, s2);
  EXPECT_EQ(run({"SCARD", "bigset"}), kKeys / 2);
  EXPECT_EQ(run({"HLEN", "bighash"}), kKeys / 2);
  EXPECT_EQ(run({"TTL", "key:1"}), 1000);
  std::printf("saved and loaded %d keys in %lld ms\n", kKeys + 2, static_cast<long long>(ms));
}

TEST_F(SnapshotTest, CorruptOrForeignImagesAreReportedAndLeakNothing) {
  RunAll(EveryEncodingCommands(kStartMs));
  const std::string rdb = Save(inst_);
  Instance empty;
  Session s0;
  EngineRunner(empty, s0)({"PING"});
  const int64_t baseline = empty.used_memory();

  for (size_t cut : {size_t{0}, size_t{5}, size_t{40}, rdb.size() / 2, rdb.size() - 1}) {
    Instance inst;
    Session s;
    auto run = EngineRunner(inst, s);
    run({"PING"});
    persistence::LoadReport r = LoadSnapshot(inst, std::string_view(rdb).substr(0, cut));
    EXPECT_FALSE(r.clean()) << cut;
    EXPECT_FALSE(r.error.empty()) << cut;
    run({"FLUSHALL"});
    EXPECT_EQ(inst.used_memory(), baseline) << cut;
  }
  std::string flipped = rdb;
  flipped[flipped.size() / 2] ^= 0x55;
  Instance inst;
  persistence::LoadReport r = LoadSnapshot(inst, flipped);
  EXPECT_FALSE(r.clean());

  persistence::LoadReport missing = LoadSnapshotFile(inst, "/nonexistent/dir/dump.rdb");
  EXPECT_NE(missing.error.find("cannot open"), std::string::npos) << missing.error;
}

TEST_F(SnapshotTest, DatabaseIndexBeyondSixteenIsAnError) {
  std::string rdb;
  persistence::StringSink sink(&rdb);
  persistence::RdbWriter w(&sink);
  ASSERT_TRUE(w.BeginDb(0, 1, 0).ok());
  ASSERT_TRUE(w.WriteString("ok", "1").ok());
  ASSERT_TRUE(w.BeginDb(16, 1, 0).ok());
  ASSERT_TRUE(w.WriteString("k", "v").ok());
  ASSERT_TRUE(w.Finish().ok());
  Instance inst;
  persistence::LoadReport r = LoadSnapshot(inst, rdb);
  EXPECT_NE(r.error.find("database 16"), std::string::npos) << r.error;
  EXPECT_EQ(r.keys_loaded, 1u);
}

TEST_F(SnapshotTest, FileRoundTrip) {
  RunAll(EveryEncodingCommands(kStartMs));
  const std::string path = ::testing::TempDir() + "/snapshot_test_" + std::to_string(getpid());
  auto sink = persistence::FileSink::Create(path);
  ASSERT_TRUE(sink.ok()) << sink.error();
  ASSERT_TRUE(WriteSnapshot(inst_, sink->get(), kStartMs).ok());
  Instance loaded;
  loaded.clock().SetForTest(kStartMs);
  persistence::LoadReport r = LoadSnapshotFile(loaded, path);
  EXPECT_TRUE(r.clean()) << r.error;
  Session s2;
  EXPECT_EQ(KeyspaceView(EngineRunner(loaded, s2)), KeyspaceView(EngineRunner(inst_, session_)));
  std::remove(path.c_str());
}

// Access hints saved by an LRU/LFU Redis become idle times / counters here.
TEST_F(SnapshotTest, LoadsLruAndLfuHints) {
  // RdbWriter does not write hints: append IDLE / FREQ opcodes by hand before each key.
  auto image = [](uint8_t opcode, uint8_t value) {
    std::string body = "REDIS0010";
    body += static_cast<char>(persistence::kOpSelectDb);
    body += '\0';
    body += static_cast<char>(opcode);
    body += static_cast<char>(value);  // IDLE: 6-bit length; FREQ: one byte
    body += '\0';                      // string type
    body += "\x01k\x01v";
    body += static_cast<char>(persistence::kOpEof);
    body += std::string(8, '\0');  // checksum disabled
    return body;
  };
  Instance lru(InstanceConfig{.policy = EvictionPolicy::kAllKeysLru});
  lru.clock().SetForTest(kStartMs);
  EXPECT_TRUE(LoadSnapshot(lru, image(persistence::kOpIdle, 42)).clean());
  Session s;
  EXPECT_EQ(EngineRunner(lru, s)({"OBJECT", "IDLETIME", "k"}), 42);

  Instance lfu(InstanceConfig{.policy = EvictionPolicy::kAllKeysLfu});
  lfu.clock().SetForTest(kStartMs);
  EXPECT_TRUE(LoadSnapshot(lfu, image(persistence::kOpFreq, 77)).clean());
  Session s2;
  EXPECT_EQ(EngineRunner(lfu, s2)({"OBJECT", "FREQ", "k"}), 77);
}

}  // namespace
}  // namespace mr::engine
