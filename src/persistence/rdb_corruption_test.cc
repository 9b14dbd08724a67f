// Damaged input: every truncation point and many flipped bytes must give a partial report (never a
// crash, an overread or a huge allocation), and the keys reported as loaded must be exactly right.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"

namespace mr::persistence {
namespace {

using testing::CollectingVisitor;
using testing::RdbBytes;

// A dump with every type and encoding the writer produces, small enough to cut at every offset.
std::string SampleDump() {
  std::string dump;
  StringSink sink(&dump);
  RdbWriterOptions options;
  options.list_plain_threshold = 300;
  options.ctime_seconds = 1700000000;
  RdbWriter writer(&sink, options);
  std::vector<std::string> list;
  for (int i = 0; i < 40; ++i) list.push_back(i % 2 ? std::to_string(i) : "el" + std::to_string(i));
  list.push_back(std::string(400, 'p'));  // a plain node
  const std::vector<std::string_view> list_views(list.begin(), list.end());
  const std::vector<std::string_view> ints = {"1", "2", "-70000"};
  const std::vector<std::string_view> strs = {"a", "b", "c"};
  const std::vector<std::pair<std::string_view, double>> zset = {{"a", 1}, {"b", 2.5}};
  const std::string long_member(70, 'm');
  const std::vector<std::pair<std::string_view, double>> zset2 = {{long_member, 1}, {"x", -1}};
  const std::vector<std::pair<std::string_view, std::string_view>> hash = {{"f", "v"}, {"g", "1"}};
  const std::string long_value(70, 'v');
  const std::vector<std::pair<std::string_view, std::string_view>> hash2 = {{"f", long_value}};
  EXPECT_TRUE(writer.BeginDb(0, 9, 1).ok());
  EXPECT_TRUE(writer.WriteString("s:int", "123").ok());
  EXPECT_TRUE(writer.WriteString("s:lzf", std::string(200, 'z') + "end", 1700000000000).ok());
  EXPECT_TRUE(writer.WriteList("list", list_views).ok());
  EXPECT_TRUE(writer.WriteSet("intset", ints).ok());
  EXPECT_TRUE(writer.WriteSet("set", strs).ok());
  EXPECT_TRUE(writer.WriteZSet("zlp", zset).ok());
  EXPECT_TRUE(writer.WriteZSet("zsl", zset2).ok());
  EXPECT_TRUE(writer.WriteHash("hlp", hash).ok());
  EXPECT_TRUE(writer.WriteHash("hht", hash2).ok());
  EXPECT_TRUE(writer.BeginDb(2, 1, 0).ok());
  EXPECT_TRUE(writer.WriteString("s:db2", "two").ok());
  EXPECT_TRUE(writer.Finish().ok());
  return dump;
}

TEST(RdbCorruption, EveryTruncationGivesACorrectPrefix) {
  const std::string dump = SampleDump();
  CollectingVisitor full;
  const LoadReport full_report = ReadRdb(dump, &full);
  ASSERT_TRUE(full_report.clean()) << full_report.error;
  ASSERT_EQ(full_report.keys_loaded, 10u);

  for (size_t cut = 0; cut < dump.size(); ++cut) {
    // A copy of exactly `cut` bytes, so that ASan sees any read past the end.
    const std::string partial = dump.substr(0, cut);
    CollectingVisitor v;
    const LoadReport report = ReadRdb(partial, &v);
    ASSERT_FALSE(report.error.empty()) << cut;
    EXPECT_FALSE(report.checksum_ok) << cut;
    EXPECT_LE(report.bytes_consumed, cut);
    EXPECT_LE(report.keys_loaded, full_report.keys_loaded);
    EXPECT_EQ(report.keys_loaded, v.keys.size());
    for (const auto& [id, key] : v.keys) {
      const testing::LoadedKey* want = full.Find(id.first, id.second);
      ASSERT_NE(want, nullptr);
      EXPECT_EQ(key.str, want->str);
      EXPECT_EQ(key.items, want->items);
      EXPECT_EQ(key.zset, want->zset);
      EXPECT_EQ(key.hash, want->hash);
      EXPECT_EQ(key.key.expire_ms, want->key.expire_ms);
    }
  }
}

TEST(RdbCorruption, ErrorsNameTheKeyAndOffset) {
  const std::string dump = SampleDump();
  const size_t list_at = dump.find("\x04list");
  ASSERT_NE(list_at, std::string::npos);
  CollectingVisitor v;
  const LoadReport report = ReadRdb(dump.substr(0, list_at + 20), &v);
  EXPECT_EQ(report.keys_loaded, 2u);
  EXPECT_EQ(report.error.rfind("key 'list' (list-quicklist2): unexpected end of file", 0), 0u)
      << report.error;
  EXPECT_NE(report.error.find("(at offset "), std::string::npos) << report.error;
  EXPECT_EQ(report.bytes_consumed, list_at - 1);  // up to the type byte of the broken key
}

TEST(RdbCorruption, FlippedBytesNeverPassUnnoticed) {
  const std::string dump = SampleDump();
  for (size_t pos = 0; pos < dump.size(); ++pos) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string damaged = dump;
      damaged[pos] = static_cast<char>(damaged[pos] ^ mask);
      CollectingVisitor v;
      const LoadReport report = ReadRdb(damaged, &v);
      // CRC-64 catches every single-byte change; the framing may catch it first.
      EXPECT_FALSE(report.clean()) << "byte " << pos << " mask " << int{mask};
      EXPECT_LE(report.bytes_consumed, damaged.size());
    }
  }
}

TEST(RdbCorruption, DamagedPayloadLoadsButFailsTheChecksum) {
  std::string dump;
  StringSink sink(&dump);
  RdbWriterOptions options;
  options.compress = false;
  RdbWriter writer(&sink, options);
  ASSERT_TRUE(writer.WriteString("k", "hello world").ok());
  ASSERT_TRUE(writer.Finish().ok());
  dump[dump.find("hello")] = 'j';
  CollectingVisitor v;
  const LoadReport report = ReadRdb(dump, &v);
  EXPECT_EQ(report.keys_loaded, 1u);
  EXPECT_EQ(report.checksum, ChecksumState::kMismatch);
  EXPECT_FALSE(report.checksum_ok);
  EXPECT_NE(report.error.find("wrong RDB checksum"), std::string::npos) << report.error;
  EXPECT_EQ(report.bytes_consumed, dump.size());
}

TEST(RdbCorruption, HugeLengthFieldsAreRefusedWithoutAllocating) {
  const std::vector<std::string> bodies = {
      // 64-bit string length.
      std::string("\x00\x01k\x81\x7f\xff\xff\xff\xff\xff\xff\xff", 12),
      // 32-bit element count for a list.
      std::string("\x01\x01k\x80\xff\xff\xff\xff\x01x", 10),
      // LZF claiming 4 GB from 2 bytes.
      std::string("\x00\x01k\xc3\x02\x80\xff\xff\xff\xff\x00x", 12),
      // Quicklist with a huge node count.
      std::string("\x12\x01k\x80\x10\x00\x00\x00\x02", 9),
      // Sorted set (binary scores) with more entries than bytes.
      std::string("\x05\x01k\x40\xff\x01m", 7),
  };
  for (const std::string& body : bodies) {
    RdbBytes b(10);
    b.Raw(body);
    CollectingVisitor v;
    const LoadReport report = ReadRdb(b.Finish(), &v);
    EXPECT_FALSE(report.error.empty());
    EXPECT_EQ(report.keys_loaded, 0u);
  }
}

TEST(RdbCorruption, ChecksumTruncatedOrMissing) {
  std::string dump = SampleDump();
  dump.resize(dump.size() - 3);
  CollectingVisitor v;
  LoadReport report = ReadRdb(dump, &v);
  EXPECT_EQ(report.keys_loaded, 10u);
  EXPECT_NE(report.error.find("checksum missing"), std::string::npos) << report.error;
  EXPECT_EQ(report.checksum, ChecksumState::kNotReached);
}

}  // namespace
}  // namespace mr::persistence
