// Writer -> reader round trips for every type and encoding boundary, plus hand-made files in the
// legacy encodings (Redis 2.x - 6.x) that the writer never produces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "persistence/compact_encodings.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"

namespace mr::persistence {
namespace {

using testing::CollectingVisitor;
using testing::LoadedKey;
using testing::MakeZiplist;
using testing::RdbBytes;
using Strings = std::vector<std::string>;
using Views = std::vector<std::string_view>;

constexpr double kInf = std::numeric_limits<double>::infinity();

Views ViewsOf(const Strings& s) { return Views(s.begin(), s.end()); }

std::string Noise(size_t n, uint32_t seed) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245 + 12345;
    out.push_back(static_cast<char>(seed >> 24));
  }
  return out;
}

Strings Sorted(Strings v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Reads `dump` and insists that it is clean.
CollectingVisitor ReadClean(const std::string& dump) {
  CollectingVisitor visitor;
  const LoadReport report = ReadRdb(dump, &visitor);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.bytes_consumed, dump.size());
  EXPECT_EQ(report.keys_skipped, 0u);
  return visitor;
}

const LoadedKey& Get(const CollectingVisitor& v, const std::string& key, uint32_t db = 0) {
  const LoadedKey* k = v.Find(db, key);
  static const LoadedKey kMissing;
  EXPECT_NE(k, nullptr) << "missing key '" << key << "' in db " << db;
  return k ? *k : kMissing;
}

const Strings kStrings = {
    "", "0", "-1", "127", "128", "-128", "-129", "32767", "32768", "-32769", "2147483647",
    "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
    "99999999999999999999", "007", "-0", "+1", " 1", "1.5", "12345678901",
    std::string("nul\0inside\0", 11), std::string(21, 'a'), Noise(21, 1), std::string(4096, 'b'),
    Noise(200 * 1024, 2), std::string(3 * 1024 * 1024, 'c'), "h\xc3\xa9llo"};

TEST(RdbRoundTrip, StringsWithEveryEncoding) {
  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  ASSERT_TRUE(writer.BeginDb(0, kStrings.size(), 1).ok());
  for (size_t i = 0; i < kStrings.size(); ++i) {
    ASSERT_TRUE(writer.WriteString("k" + std::to_string(i), kStrings[i]).ok());
  }
  ASSERT_TRUE(writer.WriteString("", "empty key", 1700000000123).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.bytes_written(), dump.size());
  // 3 MB of 'c' and 4 KB of 'b' must have been compressed.
  EXPECT_LT(dump.size(), 300 * 1024u);

  CollectingVisitor v = ReadClean(dump);
  ASSERT_EQ(v.keys.size(), kStrings.size() + 1);
  for (size_t i = 0; i < kStrings.size(); ++i) {
    const LoadedKey& k = Get(v, "k" + std::to_string(i));
    EXPECT_EQ(k.kind, "string");
    EXPECT_EQ(k.str, kStrings[i]) << i;
    EXPECT_EQ(k.key.expire_ms, kNoExpiry);
  }
  EXPECT_EQ(Get(v, "").str, "empty key");
  EXPECT_EQ(Get(v, "").key.expire_ms, 1700000000123);
  EXPECT_EQ(v.aux.find("redis-ver")->second, "7.0.15");
  EXPECT_EQ(v.aux.find("redis-bits")->second, "64");
  EXPECT_EQ(v.aux.find("aof-base")->second, "0");
  EXPECT_EQ(v.aux.count("ctime"), 1u);
  EXPECT_EQ(v.aux.count("used-mem"), 1u);
}

TEST(RdbRoundTrip, IntegerAndLzfEncodingsAreUsed) {
  auto dump_of = [](std::string_view value, bool compress) {
    std::string dump;
    StringSink sink(&dump);
    RdbWriterOptions options;
    options.compress = compress;
    options.ctime_seconds = 0;
    RdbWriter writer(&sink, options);
    EXPECT_TRUE(writer.WriteString("k", value).ok());
    EXPECT_TRUE(writer.Finish().ok());
    return dump;
  };
  // 0xC1 = 16-bit integer encoding, little endian 12345.
  EXPECT_NE(dump_of("12345", true).find("\x00\x01k\xc1\x39\x30", 0, 6), std::string::npos);
  // 0xC3 = LZF.
  EXPECT_NE(dump_of(std::string(100, 'x'), true).find("\x00\x01k\xc3", 0, 4), std::string::npos);
  EXPECT_NE(dump_of(std::string(100, 'x'), false).find(std::string("\x00\x01k\x40\x64", 5)),
            std::string::npos);
  // Incompressible data is stored raw.
  const std::string noise = Noise(100, 9);
  EXPECT_NE(dump_of(noise, true).find(std::string("\x01k\x40\x64", 4) + noise), std::string::npos);
}

TEST(RdbRoundTrip, ListsSmallLargeAndPlainNodes) {
  Strings small = {"a", "", "1", "-5000", "9223372036854775807", std::string("\0\1", 2), "a"};
  Strings many;
  for (int i = 0; i < 20000; ++i) {
    many.push_back(i % 3 ? std::to_string(i * 7919) : "item-" + std::to_string(i));
  }
  Strings big = {"x", std::string(10000, 'y'), Noise(70000, 3), "z", std::string(200, 'w')};
  std::string dump;
  StringSink sink(&dump);
  RdbWriterOptions options;
  options.list_plain_threshold = 150;  // make "w"*200 and the larger ones plain nodes
  RdbWriter writer(&sink, options);
  ASSERT_TRUE(writer.BeginDb(0, 3, 1).ok());
  ASSERT_TRUE(writer.WriteList("small", ViewsOf(small), 4102444800000).ok());
  ASSERT_TRUE(writer.WriteList("many", ViewsOf(many)).ok());
  ASSERT_TRUE(writer.WriteList("big", ViewsOf(big)).ok());
  ASSERT_TRUE(writer.Finish().ok());

  CollectingVisitor v = ReadClean(dump);
  EXPECT_EQ(Get(v, "small").items, small);
  EXPECT_EQ(Get(v, "small").key.expire_ms, 4102444800000);
  EXPECT_EQ(Get(v, "small").key.type, RdbType::kListQuicklist2);
  EXPECT_EQ(Get(v, "many").items, many);
  EXPECT_EQ(Get(v, "big").items, big);
}

TEST(RdbRoundTrip, SetsPickIntsetOrHashtable) {
  Strings ints;
  for (int i = -256; i < 256; ++i) ints.push_back(std::to_string(i * 1000003LL));
  Strings ints513 = ints;
  ints513.push_back("123456789012345");
  const Strings extremes = {"-9223372036854775808", "9223372036854775807", "0"};
  const Strings mixed = {"1", "2", "three", std::string("\0", 1), ""};
  const Strings not_canonical = {"1", "007"};

  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  ASSERT_TRUE(writer.BeginDb(0, 5, 0).ok());
  ASSERT_TRUE(writer.WriteSet("ints", ViewsOf(ints)).ok());
  ASSERT_TRUE(writer.WriteSet("ints513", ViewsOf(ints513)).ok());
  ASSERT_TRUE(writer.WriteSet("extremes", ViewsOf(extremes)).ok());
  ASSERT_TRUE(writer.WriteSet("mixed", ViewsOf(mixed), 1).ok());
  ASSERT_TRUE(writer.WriteSet("not_canonical", ViewsOf(not_canonical)).ok());
  ASSERT_TRUE(writer.Finish().ok());

  CollectingVisitor v = ReadClean(dump);
  EXPECT_EQ(Get(v, "ints").key.type, RdbType::kSetIntset);
  EXPECT_EQ(Get(v, "ints").items, Sorted(ints));
  EXPECT_EQ(Get(v, "ints513").key.type, RdbType::kSet);
  EXPECT_EQ(Get(v, "ints513").items, Sorted(ints513));
  EXPECT_EQ(Get(v, "extremes").key.type, RdbType::kSetIntset);
  EXPECT_EQ(Get(v, "extremes").items, Sorted(extremes));
  EXPECT_EQ(Get(v, "mixed").key.type, RdbType::kSet);
  EXPECT_EQ(Get(v, "mixed").items, Sorted(mixed));
  EXPECT_EQ(Get(v, "mixed").key.expire_ms, 1);
  EXPECT_EQ(Get(v, "not_canonical").key.type, RdbType::kSet);
  EXPECT_EQ(Get(v, "not_canonical").items, Sorted(not_canonical));
}

TEST(RdbRoundTrip, SortedSetsKeepExactScores) {
  using Entries = std::vector<std::pair<std::string_view, double>>;
  const Entries small = {{"inf", kInf},      {"-inf", -kInf},      {"zero", 0.0},
                         {"negzero", -0.0},  {"tenth", 0.1},       {"tiny", 1e-300},
                         {"huge", 1e300},    {"int", 3},           {"neg", -42},
                         {"p52", 4503599627370496.0}, {"p53", 9007199254740993.0},
                         {"", 1.5},          {std::string_view("a\0b", 3), 2}};
  Entries large;
  std::vector<std::string> names;
  for (int i = 0; i < 129; ++i) names.push_back("m" + std::to_string(i));
  for (int i = 0; i < 129; ++i) large.emplace_back(names[i], i * 0.5 - 10);
  const std::string long_member(65, 'L');
  const Entries long_members = {{long_member, 1}, {"short", 2}};

  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  ASSERT_TRUE(writer.WriteZSet("small", small).ok());
  ASSERT_TRUE(writer.WriteZSet("large", large).ok());
  ASSERT_TRUE(writer.WriteZSet("long", long_members, 5).ok());
  ASSERT_TRUE(writer.Finish().ok());

  CollectingVisitor v = ReadClean(dump);
  auto expect_same = [&](const std::string& key, const Entries& want, RdbType type) {
    const LoadedKey& k = Get(v, key);
    EXPECT_EQ(k.key.type, type) << key;
    RdbZSetEntries expected;
    for (const auto& [m, s] : want) expected.emplace_back(std::string(m), s);
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(k.zset.size(), expected.size()) << key;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(k.zset[i].first, expected[i].first);
      EXPECT_EQ(k.zset[i].second, expected[i].second) << expected[i].first;
      EXPECT_EQ(std::signbit(k.zset[i].second), std::signbit(expected[i].second));
    }
  };
  expect_same("small", small, RdbType::kZSetListpack);
  expect_same("large", large, RdbType::kZSet2);
  expect_same("long", long_members, RdbType::kZSet2);
}

TEST(RdbRoundTrip, HashesPickListpackOrHashtable) {
  using Fields = std::vector<std::pair<std::string_view, std::string_view>>;
  const std::string v64(64, 'v');
  const std::string v65(65, 'v');
  const Fields small = {{"f", "1"}, {"", ""}, {"n", "-9223372036854775808"}, {"v64", v64},
                        {std::string_view("\0k", 2), std::string_view("\0v", 2)}};
  const Fields long_value = {{"f", v65}};
  std::vector<std::string> names;
  for (int i = 0; i < 513; ++i) names.push_back("field:" + std::to_string(i));
  Fields many;
  for (const auto& n : names) many.emplace_back(n, n);

  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  ASSERT_TRUE(writer.BeginDb(3, 3, 0).ok());
  ASSERT_TRUE(writer.WriteHash("small", small).ok());
  ASSERT_TRUE(writer.WriteHash("long", long_value).ok());
  ASSERT_TRUE(writer.WriteHash("many", many, 99).ok());
  ASSERT_TRUE(writer.Finish().ok());

  CollectingVisitor v = ReadClean(dump);
  EXPECT_EQ(v.dbs, std::vector<uint32_t>{3});
  auto expect_same = [&](const std::string& key, const Fields& want, RdbType type) {
    const LoadedKey& k = Get(v, key, 3);
    EXPECT_EQ(k.key.type, type) << key;
    RdbHashFields expected;
    for (const auto& [f, val] : want) expected.emplace_back(std::string(f), std::string(val));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(k.hash, expected) << key;
  };
  expect_same("small", small, RdbType::kHashListpack);
  expect_same("long", long_value, RdbType::kHash);
  expect_same("many", many, RdbType::kHash);
  EXPECT_EQ(Get(v, "many", 3).key.expire_ms, 99);
}

TEST(RdbRoundTrip, SeveralDatabasesAndChecksumModes) {
  for (bool checksum : {true, false}) {
    std::string dump;
    StringSink sink(&dump);
    RdbWriterOptions options;
    options.checksum = checksum;
    RdbWriter writer(&sink, options);
    for (uint32_t db : {0u, 1u, 15u, 1000u}) {
      ASSERT_TRUE(writer.BeginDb(db, 1, 0).ok());
      ASSERT_TRUE(writer.WriteString("db", std::to_string(db)).ok());
    }
    ASSERT_TRUE(writer.Finish().ok());
    CollectingVisitor v;
    const LoadReport report = ReadRdb(dump, &v);
    EXPECT_TRUE(report.clean()) << report.error;
    EXPECT_EQ(report.rdb_version, 10);
    EXPECT_EQ(report.checksum, checksum ? ChecksumState::kVerified : ChecksumState::kDisabled);
    EXPECT_EQ(v.dbs, (std::vector<uint32_t>{0, 1, 15, 1000}));
    EXPECT_EQ(Get(v, "db", 1000).str, "1000");
  }
}

TEST(RdbWriter, RejectsBadArgumentsAndStaysUsable) {
  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  const Views dup = {"a", "b", "a"};
  const std::vector<std::pair<std::string_view, double>> nan = {{"m", std::nan("")}};
  const std::vector<std::pair<std::string_view, std::string_view>> dup_fields = {{"f", "1"},
                                                                                 {"f", "2"}};
  EXPECT_FALSE(writer.WriteList("l", Views{}).ok());
  EXPECT_FALSE(writer.WriteSet("s", dup).ok());
  EXPECT_FALSE(writer.WriteSet("s", Views{}).ok());
  EXPECT_FALSE(writer.WriteZSet("z", nan).ok());
  EXPECT_FALSE(writer.WriteHash("h", dup_fields).ok());
  ASSERT_TRUE(writer.WriteString("ok", "1").ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_FALSE(writer.WriteString("late", "1").ok());
  CollectingVisitor v = ReadClean(dump);
  EXPECT_EQ(v.keys.size(), 1u);
}

TEST(FileSink, ReplacesTargetOnlyOnFinish) {
  const std::string dir = ::testing::TempDir() + "/filesink-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/dump.rdb";
  {
    auto sink = FileSink::Create(path);
    ASSERT_TRUE(sink.ok()) << sink.error();
    RdbWriter writer(sink->get());
    ASSERT_TRUE(writer.WriteString("k", "first").ok());
    ASSERT_TRUE(writer.Finish().ok());
  }
  {
    auto sink = FileSink::Create(path);
    ASSERT_TRUE(sink.ok());
    RdbWriter writer(sink->get());
    ASSERT_TRUE(writer.WriteString("k", "abandoned").ok());
    // Destroyed without Finish: the first dump must survive and no temporary file remain.
  }
  CollectingVisitor v;
  const LoadReport report = ReadRdbFile(path, &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(Get(v, "k").str, "first");
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_FALSE(FileSink::Create(dir + "/no/such/dir/dump.rdb").ok());
  EXPECT_FALSE(ReadRdbFile(dir + "/missing.rdb", &v).error.empty());
  std::filesystem::remove_all(dir);
}

// Redis 2.x-6.x encodings, built by hand: the writer only produces Redis 7.0's.
TEST(RdbReaderLegacy, Version4TypesWithoutChecksum) {
  RdbBytes b(4);
  b.Byte(kOpSelectDb).Len(2);
  b.Byte(kOpExpireTime).Le(1300000000, 4).Byte(0).Str("str").Str("v");
  b.Byte(1).Str("list").Len(2).Str("a").Str("b");
  b.Byte(2).Str("set").Len(2).Str("x").Str("y");
  b.Byte(3).Str("zset").Len(4).Str("a").Byte(3).Raw("1.5").Str("b").Byte(254).Str("c").Byte(255);
  b.Str("d").Byte(2).Raw("-3");
  b.Byte(4).Str("hash").Len(1).Str("f").Str("v");
  // Zipmap (type 9): "f" => "vv" with one free byte.
  b.Byte(9).Str("zipmap").Str(std::string("\x01\x01" "f\x02\x01vvX\xff", 9));
  const std::string dump = b.Finish();
  CollectingVisitor v;
  const LoadReport report = ReadRdb(dump, &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.checksum, ChecksumState::kAbsent);
  EXPECT_EQ(report.keys_loaded, 6u);
  EXPECT_EQ(Get(v, "str", 2).key.expire_ms, 1300000000000);
  EXPECT_EQ(Get(v, "list", 2).items, (Strings{"a", "b"}));
  EXPECT_EQ(Get(v, "set", 2).items, (Strings{"x", "y"}));
  EXPECT_EQ(Get(v, "zset", 2).zset,
            (RdbZSetEntries{{"a", 1.5}, {"b", kInf}, {"c", -kInf}, {"d", -3}}));
  EXPECT_EQ(Get(v, "hash", 2).hash, (RdbHashFields{{"f", "v"}}));
  EXPECT_EQ(Get(v, "zipmap", 2).hash, (RdbHashFields{{"f", "vv"}}));
}

TEST(RdbReaderLegacy, ZiplistAndQuicklistTypes) {
  RdbBytes b(9);
  b.Byte(kOpAux).Str("redis-ver").Str("6.2.14");
  b.Byte(kOpSelectDb).Len(0).Byte(kOpResizeDb).Len(4).Len(0);
  b.Byte(kOpIdle).Len(77).Byte(10).Str("zl-list").Str(MakeZiplist({"a", "b", "c"}));
  b.Byte(kOpFreq).Byte(5).Byte(12).Str("zl-zset").Str(MakeZiplist({"m1", "2.5", "m2", "10"}));
  b.Byte(13).Str("zl-hash").Str(MakeZiplist({"f1", "v1", "f2", "v2"}));
  b.Byte(14).Str("quicklist").Len(2).Str(MakeZiplist({"1", "2"})).Str(MakeZiplist({"3"}));
  const std::string dump = b.Finish();
  CollectingVisitor v;
  const LoadReport report = ReadRdb(dump, &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.checksum, ChecksumState::kVerified);
  EXPECT_EQ(Get(v, "zl-list").items, (Strings{"a", "b", "c"}));
  EXPECT_EQ(Get(v, "zl-list").key.lru_idle_seconds, 77u);
  EXPECT_EQ(Get(v, "zl-zset").zset, (RdbZSetEntries{{"m1", 2.5}, {"m2", 10}}));
  EXPECT_EQ(Get(v, "zl-zset").key.lfu_freq, 5);
  EXPECT_EQ(Get(v, "zl-hash").hash, (RdbHashFields{{"f1", "v1"}, {"f2", "v2"}}));
  EXPECT_EQ(Get(v, "quicklist").items, (Strings{"1", "2", "3"}));
  EXPECT_EQ(v.aux.find("redis-ver")->second, "6.2.14");
}

// A module value (type 7) and module aux data can be stepped over; a pre-GA module value cannot.
TEST(RdbReaderLegacy, ModulesAndFunctionsAreSkippedAndReported) {
  const uint64_t module_id = 0x1234567890ULL << 10;
  RdbBytes b(10);
  b.Byte(kOpModuleAux).Len(module_id).Len(2).Len(2).Len(5).Str("aux").Len(0);
  b.Byte(kOpFunction2).Str("#!lua name=lib\nredis.register_function('f', function() end)");
  b.Byte(7).Str("mod").Len(module_id);
  b.Len(1).Len(5).Len(2).Len(7).Len(3).Raw("abcd").Len(4).Raw("abcdefgh").Len(5).Str("s").Len(0);
  b.Byte(0).Str("after").Str("ok");
  CollectingVisitor v;
  LoadReport report = ReadRdb(b.Finish(), &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.keys_loaded, 1u);
  EXPECT_EQ(report.keys_skipped, 1u);
  ASSERT_EQ(report.skipped.size(), 3u);
  EXPECT_EQ(report.skipped[0].type.rfind("module-aux:", 0), 0u);
  EXPECT_EQ(report.skipped[1].type, "function-library");
  EXPECT_EQ(report.skipped[2].key, "mod");
  EXPECT_EQ(report.skipped[2].type.rfind("module:", 0), 0u);
  EXPECT_EQ(Get(v, "after").str, "ok");

  RdbBytes pre_ga(9);
  pre_ga.Byte(0).Str("before").Str("ok").Byte(6).Str("mod").Len(module_id).Raw("opaque");
  report = ReadRdb(pre_ga.Finish(), &v);
  EXPECT_FALSE(report.error.empty());
  EXPECT_NE(report.error.find("cannot be skipped"), std::string::npos) << report.error;
  EXPECT_EQ(report.keys_loaded, 1u);
  EXPECT_EQ(report.keys_skipped, 1u);
  EXPECT_EQ(report.skipped_by_type.count("module-pre-ga"), 1u);

  RdbBytes pre_ga_function(10);
  pre_ga_function.Byte(kOpFunctionPreGa).Str("lib").Str("LUA").Str("code");
  report = ReadRdb(pre_ga_function.Finish(), &v);
  EXPECT_NE(report.error.find("release-candidate"), std::string::npos) << report.error;
  EXPECT_EQ(report.skipped_by_type.count("function-library-pre-ga"), 1u);
}

// Redis 5-6 streams (type 15) and 7.2's (type 21, consumers with an active time) are stepped
// over; 7.0's (type 19) are covered by the test against real Redis.
TEST(RdbReaderLegacy, StreamsAreSkippedInEveryVersion) {
  const std::string id(16, '\x01');
  for (uint8_t type : {15, 19, 21}) {
    RdbBytes b(type == 21 ? 11 : 10);
    b.Byte(type).Str("stream").Len(1).Str(id).Str("listpack bytes");
    b.Len(3).Len(1700000000000ULL).Len(0);  // length, last ID
    if (type >= 19) b.Len(1).Len(0).Len(0).Len(0).Len(3);  // first ID, max deleted ID, added
    b.Len(1).Str("group").Len(1).Len(0);                     // one group and its last ID
    if (type >= 19) b.Len(2);                                // entries read
    b.Len(1).Raw(id).Le(1700000000000ULL, 8).Len(1);         // one pending entry
    b.Len(1).Str("alice").Le(1700000000000ULL, 8);           // one consumer
    if (type >= 21) b.Le(1700000000000ULL, 8);               // its active time
    b.Len(1).Raw(id);                                        // its pending entry
    b.Byte(0).Str("after").Str("ok");
    CollectingVisitor v;
    const LoadReport report = ReadRdb(b.Finish(), &v);
    EXPECT_TRUE(report.clean()) << int{type} << ": " << report.error;
    EXPECT_EQ(report.keys_skipped, 1u);
    EXPECT_EQ(report.skipped_by_type.count("stream"), 1u);
    EXPECT_EQ(Get(v, "after").str, "ok");
  }
}

TEST(RdbReaderLegacy, Redis72SetListpack) {
  ListpackBuilder lp;
  for (const char* m : {"a", "1", "b"}) lp.Append(m);
  RdbBytes b(11);
  b.Byte(20).Str("set").Str(lp.Finish());
  CollectingVisitor v;
  const LoadReport report = ReadRdb(b.Finish(), &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(Get(v, "set").items, (Strings{"1", "a", "b"}));
  EXPECT_EQ(Get(v, "set").key.type, RdbType::kSetListpack);
}

TEST(RdbReader, SkipsInvalidValuesButKeepsReading) {
  RdbBytes b(10);
  b.Byte(2).Str("dup-set").Len(2).Str("a").Str("a");
  b.Byte(5).Str("nan-zset").Len(1).Str("m").Le(0x7ff8000000000000ULL, 8);
  b.Byte(1).Str("empty-list").Len(0);
  b.Byte(16).Str("bad-listpack").Str("garbage");
  b.Byte(18).Str("bad-container").Len(1).Len(9).Str("x");
  b.Byte(0).Str("good").Str("1");
  CollectingVisitor v;
  const LoadReport report = ReadRdb(b.Finish(), &v);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.keys_loaded, 1u);
  EXPECT_EQ(report.keys_skipped, 5u);
  ASSERT_EQ(report.skipped.size(), 5u);
  EXPECT_EQ(report.skipped[0].reason, "duplicate set member");
  EXPECT_EQ(report.skipped[1].reason, "NaN score");
  EXPECT_EQ(report.skipped[2].reason, "empty collection");
  EXPECT_EQ(report.skipped[3].type, "hash-listpack");
  EXPECT_NE(report.skipped[4].reason.find("container"), std::string::npos);
  EXPECT_EQ(Get(v, "good").str, "1");
}

TEST(RdbReader, VisitorErrorStopsReading) {
  class Refusing : public CollectingVisitor {
    Status OnString(RdbKey key, std::string value) override {
      return Status::Error("out of memory");
    }
  };
  std::string dump;
  StringSink sink(&dump);
  RdbWriter writer(&sink);
  ASSERT_TRUE(writer.WriteString("k", "v").ok());
  ASSERT_TRUE(writer.Finish().ok());
  Refusing visitor;
  const LoadReport report = ReadRdb(dump, &visitor);
  EXPECT_EQ(report.error, "loading key 'k': out of memory");
  EXPECT_EQ(report.keys_loaded, 0u);
}

TEST(RdbReader, RejectsOtherFilesAndVersions) {
  CollectingVisitor v;
  EXPECT_NE(ReadRdb("", &v).error, "");
  EXPECT_NE(ReadRdb("REDIS", &v).error, "");
  EXPECT_NE(ReadRdb("NOTREDIS0010", &v).error, "");
  EXPECT_NE(ReadRdb(RdbBytes(12).Finish(), &v).error.find("version 12"), std::string::npos);
  EXPECT_NE(ReadRdb(RdbBytes(0).Finish(), &v).error, "");
  EXPECT_TRUE(ReadRdb(RdbBytes(11).Finish(), &v).clean());
}

}  // namespace
}  // namespace mr::persistence
