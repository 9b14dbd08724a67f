#include "services/node_manager/instance_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace mr::services {
namespace {
namespace fs = std::filesystem;

class InstanceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mr-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  InstanceRecord Sample(const std::string& id) {
    InstanceRecord r;
    r.id = id;
    r.spec.memory_limit_mb = 32;
    r.spec.eviction_policy = "allkeys-lfu";
    r.spec.persistence = Persistence::kSnapshot;
    r.password_hash = HashInstancePassword("pw");
    r.port = 16001;
    r.running = false;
    r.created_at_ms = 1700000000000;
    r.updated_at_ms = 1700000000500;
    return r;
  }
  fs::path dir_;
};

TEST_F(InstanceStoreTest, SaveAndLoadRoundTrip) {
  InstanceStore store(dir_);
  ASSERT_TRUE(store.Save(Sample("a1")).ok());
  ASSERT_TRUE(store.Save(Sample("b2")).ok());
  auto loaded = store.LoadAll();
  EXPECT_TRUE(loaded.problems.empty());
  ASSERT_EQ(loaded.records.size(), 2u);
  const auto& r = loaded.records[0].id == "a1" ? loaded.records[0] : loaded.records[1];
  EXPECT_EQ(r.spec.eviction_policy, "allkeys-lfu");
  EXPECT_EQ(r.spec.persistence, Persistence::kSnapshot);
  EXPECT_EQ(r.port, 16001);
  EXPECT_FALSE(r.running);
  EXPECT_TRUE(VerifyInstancePassword("pw", r.password_hash));
  EXPECT_FALSE(fs::exists(dir_ / "a1" / "instance.json.tmp"));
}

TEST_F(InstanceStoreTest, CorruptRecordsAreReportedNotDropped) {
  InstanceStore store(dir_);
  ASSERT_TRUE(store.Save(Sample("good")).ok());
  fs::create_directories(dir_ / "bad");
  std::ofstream(dir_ / "bad" / "instance.json") << "{\"id\": \"bad\", \"memory_limit_mb\": ";
  fs::create_directories(dir_ / "moved");
  std::ofstream(dir_ / "moved" / "instance.json") << RecordToJson(Sample("other"));
  fs::create_directories(dir_ / "empty");
  auto loaded = store.LoadAll();
  ASSERT_EQ(loaded.records.size(), 1u);
  EXPECT_EQ(loaded.records[0].id, "good");
  EXPECT_EQ(loaded.problems.size(), 3u);
}

TEST_F(InstanceStoreTest, RemoveDeletesDataAndRefusesBadIds) {
  InstanceStore store(dir_);
  ASSERT_TRUE(store.Save(Sample("gone")).ok());
  std::ofstream(dir_ / "gone" / "appendonly.aof") << "data";
  ASSERT_TRUE(store.Remove("gone").ok());
  EXPECT_FALSE(fs::exists(dir_ / "gone"));
  EXPECT_FALSE(store.Remove("../x").ok());
}

}  // namespace
}  // namespace mr::services
