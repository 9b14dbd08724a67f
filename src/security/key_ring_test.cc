#include "security/key_ring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "security/jwt.h"
#include "security/secret_file.h"

namespace mr::security {
namespace {

namespace fs = std::filesystem;

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mr_key_ring_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path File() const { return dir_ / "keys" / KeyRing::kFileName; }
  fs::path dir_;
};

TEST_F(KeyRingTest, CreatesThenLoadsTheSameKeys) {
  auto created = KeyRing::LoadOrCreate(dir_ / "keys", 100);
  ASSERT_TRUE(created.ok()) << created.error();
  struct stat st {};
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  std::string token = SignAccessToken(*(*created)->current(), {"u", "s", "i", "a", "", 100, 200});
  auto loaded = KeyRing::LoadOrCreate(dir_ / "keys", 999);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ((*loaded)->current()->kid(), (*created)->current()->kid());
  JwtVerifier v((*loaded)->PublicKeys(), {"i", "a"});
  EXPECT_TRUE(v.VerifyAt(token, 150).ok());
}

TEST_F(KeyRingTest, RotationAndDropArePersisted) {
  auto ring = KeyRing::LoadOrCreate(dir_ / "keys", 100);
  ASSERT_TRUE(ring.ok());
  std::string first = (*ring)->current()->kid();
  auto second = (*ring)->Rotate(200);
  ASSERT_TRUE(second.ok());
  auto reloaded = KeyRing::LoadOrCreate(dir_ / "keys", 300);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ((*reloaded)->kids(), (std::vector<std::string>{*second, first}));
  ASSERT_TRUE((*reloaded)->Drop(first).ok());
  EXPECT_FALSE((*reloaded)->Drop(first).ok());
  auto again = KeyRing::LoadOrCreate(dir_ / "keys", 400);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->kids(), std::vector<std::string>{*second});
}

TEST_F(KeyRingTest, SecretFileKeepModeNeverOverwrites) {
  fs::path f = dir_ / "s" / "secret";
  ASSERT_TRUE(WriteSecretFile(f, "first", IfExists::kKeep).ok());
  bool kept = false;
  EXPECT_FALSE(WriteSecretFile(f, "second", IfExists::kKeep, &kept).ok());
  EXPECT_TRUE(kept);
  EXPECT_EQ(*ReadSecretFile(f), "first");
  ASSERT_TRUE(WriteSecretFile(f, "third").ok());
  EXPECT_EQ(*ReadSecretFile(f), "third");
  EXPECT_EQ(std::distance(fs::directory_iterator(f.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(KeyRingTest, RefusesWorldReadableFile) {
  ASSERT_TRUE(KeyRing::LoadOrCreate(dir_ / "keys", 100).ok());
  ::chmod(File().c_str(), 0644);
  auto loaded = KeyRing::LoadOrCreate(dir_ / "keys", 100);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("chmod 600"), std::string::npos);
}

TEST_F(KeyRingTest, RefusesCorruptFileWithoutLeakingIt) {
  ASSERT_TRUE(KeyRing::LoadOrCreate(dir_ / "keys", 100).ok());
  std::string text;
  {
    std::ifstream in(File());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t seed = text.find("\"seed\":\"") + 8;
  std::string tampered = text;
  tampered[seed] = tampered[seed] == 'A' ? 'B' : 'A';
  {
    std::ofstream out(File(), std::ios::trunc);
    out << tampered;
  }
  auto loaded = KeyRing::LoadOrCreate(dir_ / "keys", 100);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("kid does not match"), std::string::npos) << loaded.error();
  EXPECT_EQ(loaded.error().find(tampered.substr(seed, 43)), std::string::npos);
  {
    std::ofstream out(File(), std::ios::trunc);
    out << "{\"version\":2}";
  }
  EXPECT_FALSE(KeyRing::LoadOrCreate(dir_ / "keys", 100).ok());
}

}  // namespace
}  // namespace mr::security
