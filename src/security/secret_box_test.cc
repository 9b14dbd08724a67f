#include "security/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "security/base64url.h"

namespace mr::security {
namespace {

namespace fs = std::filesystem;

SecretBox::Key KeyOf(unsigned char fill) {
  SecretBox::Key k;
  k.fill(fill);
  return k;
}

// The box part of a sealed value, as bytes (nonce || ciphertext || tag).
std::string BoxBytes(const std::string& sealed) {
  auto raw = Base64UrlDecode(std::string_view(sealed).substr(3));
  EXPECT_TRUE(raw.has_value());
  return raw.value_or("");
}

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mr_secret_box_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void WriteFile(const fs::path& p, const std::string& text, fs::perms mode = fs::perms(0600)) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    fs::permissions(p, mode);
  }
  fs::path dir_;
  SecretBox box_{KeyOf(7)};
};

TEST_F(SecretBoxTest, RoundTrips) {
  for (std::string plain : {std::string(), std::string("p@ssw0rd"), std::string("\0\xff\n", 3),
                            std::string(10000, 'x')}) {
    std::string sealed = box_.Seal(plain, "inst-1");
    EXPECT_EQ(sealed.rfind("v1.", 0), 0u);
    EXPECT_EQ(BoxBytes(sealed).size(), 24 + plain.size() + 16);
    auto opened = box_.Open(sealed, "inst-1");
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(*opened, plain);
  }
  // A fresh nonce each time: equal secrets do not give equal texts.
  EXPECT_NE(box_.Seal("same", "a"), box_.Seal("same", "a"));
}

TEST_F(SecretBoxTest, WrongAssociatedDataDoesNotOpen) {
  std::string sealed = box_.Seal("secret", "inst-1");
  EXPECT_FALSE(box_.Open(sealed, "inst-2").ok());
  EXPECT_FALSE(box_.Open(sealed, "").ok());
  EXPECT_FALSE(box_.Open(sealed, "inst-1 ").ok());
  EXPECT_TRUE(box_.Open(box_.Seal("secret", ""), "").ok());
}

TEST_F(SecretBoxTest, AnyFlippedBitInNonceCiphertextOrTagIsRefused) {
  std::string sealed = box_.Seal("a secret of some length", "ad");
  std::string bytes = BoxBytes(sealed);
  for (size_t i = 0; i < bytes.size(); ++i) {  // nonce 0..23, ciphertext, tag (last 16)
    for (int bit : {0, 7}) {
      std::string t = bytes;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      auto opened = box_.Open("v1." + Base64UrlEncode(t), "ad");
      EXPECT_FALSE(opened.ok()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(SecretBoxTest, MalformedTextsAreRefusedWithOneGenericError) {
  std::string sealed = box_.Seal("secret", "ad");
  const std::string generic = box_.Open("", "ad").error();
  EXPECT_EQ(generic.find("secret"), std::string::npos);
  std::vector<std::string> bad = {
      "", "v1.", "v1", "v2." + sealed.substr(3), "V1." + sealed.substr(3), sealed.substr(3),
      sealed + "=", sealed + "A", " " + sealed, sealed + "\n",
      "v1." + Base64UrlEncode(std::string(39, 'x')),  // one byte short of nonce + tag
  };
  for (size_t cut = 0; cut < sealed.size(); ++cut) {
    bad.push_back(sealed.substr(0, cut));
  }
  for (const auto& b : bad) {
    auto opened = box_.Open(b, "ad");
    ASSERT_FALSE(opened.ok()) << b;
    EXPECT_EQ(opened.error(), generic);
  }
  // 40 bytes (nonce + tag, empty plaintext) is the shortest valid box.
  EXPECT_TRUE(box_.Open(box_.Seal("", "ad"), "ad").ok());
}

TEST_F(SecretBoxTest, AnotherKeyDoesNotOpen) {
  SecretBox other(KeyOf(8));
  EXPECT_FALSE(other.Open(box_.Seal("secret", "ad"), "ad").ok());
  SecretBox same(KeyOf(7));
  EXPECT_TRUE(same.Open(box_.Seal("secret", "ad"), "ad").ok());
}

TEST_F(SecretBoxTest, MovedBoxKeepsWorking) {
  SecretBox a(KeyOf(9));
  std::string sealed = a.Seal("x", "ad");
  SecretBox b(std::move(a));
  EXPECT_EQ(*b.Open(sealed, "ad"), "x");
}

TEST_F(SecretBoxTest, KeyFileIsCreated0600AndReused) {
  fs::path file = dir_ / "keys" / "secret_box.key";
  auto first = SecretBox::LoadOrCreate(file);
  ASSERT_TRUE(first.ok()) << first.error();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 44);  // 43 base64url characters and a newline
  std::string sealed = first->Seal("pw", "inst-1");
  auto second = SecretBox::LoadOrCreate(file);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(*second->Open(sealed, "inst-1"), "pw");
}

TEST_F(SecretBoxTest, ConcurrentLoadOrCreateAgreeOnOneKey) {
  for (int round = 0; round < 20; ++round) {
    fs::path file = dir_ / ("race" + std::to_string(round)) / "secret_box.key";
    std::vector<std::optional<Result<SecretBox>>> boxes(4);
    std::vector<std::thread> threads;
    for (auto& slot : boxes) {
      threads.emplace_back([&slot, &file] { slot.emplace(SecretBox::LoadOrCreate(file)); });
    }
    for (auto& t : threads) {
      t.join();
    }
    ASSERT_TRUE((*boxes[0]).ok()) << (*boxes[0]).error();
    std::string sealed = (*boxes[0])->Seal("shared", "ad");
    for (auto& b : boxes) {
      ASSERT_TRUE(b->ok()) << b->error();
      EXPECT_TRUE((*b)->Open(sealed, "ad").ok()) << "round " << round;
    }
  }
}

TEST_F(SecretBoxTest, BadKeyFilesAreErrorsNamingTheFileNotItsContent) {
  const std::string key43 = Base64UrlEncode(std::string(32, 'k'));
  struct Case {
    std::string name, text;
  };
  for (const Case& c : std::vector<Case>{
           {"empty", ""},
           {"short", Base64UrlEncode(std::string(31, 'k')) + "\n"},
           {"long", Base64UrlEncode(std::string(33, 'k')) + "\n"},
           {"padded", key43 + "=\n"},
           {"two_newlines", key43 + "\n\n"},
           {"spaces", " " + key43 + "\n"},
           {"not_base64", "SECRET-CONTENT-" + std::string(28, '*') + "\n"},
       }) {
    fs::path file = dir_ / c.name;
    WriteFile(file, c.text);
    auto box = SecretBox::LoadOrCreate(file);
    ASSERT_FALSE(box.ok()) << c.name;
    EXPECT_NE(box.error().find(file.string()), std::string::npos) << box.error();
    if (!c.text.empty()) {
      EXPECT_EQ(box.error().find(c.text.substr(0, 10)), std::string::npos) << box.error();
    }
  }
  // A key that is fine but readable by anyone is refused; one without the newline is accepted.
  WriteFile(dir_ / "open", key43 + "\n", fs::perms(0644));
  EXPECT_FALSE(SecretBox::LoadOrCreate(dir_ / "open").ok());
  WriteFile(dir_ / "bare", key43);
  EXPECT_TRUE(SecretBox::LoadOrCreate(dir_ / "bare").ok());
  fs::create_directories(dir_ / "a_directory");
  EXPECT_FALSE(SecretBox::LoadOrCreate(dir_ / "a_directory").ok());
}

}  // namespace
}  // namespace mr::security
