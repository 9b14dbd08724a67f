// DUMP payloads: RdbWriter's kDumpPayload framing and DecodeDumpPayload. Round trips of every
// type, the footer (version, CRC64) checks in Redis' order, and the one-value rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "persistence/byte_order.h"
#include "persistence/crc64.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"

namespace mr::persistence {
namespace {

using testing::CollectingVisitor;

RdbWriterOptions PayloadOptions() {
  RdbWriterOptions o;
  o.framing = RdbFraming::kDumpPayload;
  return o;
}

template <typename F>
std::string Encode(F write) {
  std::string out;
  StringSink sink(&out);
  RdbWriter w(&sink, PayloadOptions());
  EXPECT_TRUE(write(w).ok());
  EXPECT_TRUE(w.Finish().ok());
  return out;
}

TEST(DumpPayload, StringLayoutMatchesRedis) {
  const std::string p = Encode([](RdbWriter& w) { return w.WriteString("ignored", "hello", 42); });
  std::string body("\x00\x05hello\x0a\x00", 9);  // type, length, bytes, version 10 (LE)
  std::string crc;
  AppendLe(&crc, Crc64(0, body), 8);
  EXPECT_EQ(p, body + crc);
}

TEST(DumpPayload, EveryTypeRoundTrips) {
  std::vector<std::string_view> items = {"a", "1", "", "-7"};
  std::vector<std::pair<std::string_view, double>> zset = {{"m", 1.5}, {"n", -2}};
  std::vector<std::pair<std::string_view, std::string_view>> hash = {{"f", "v"}, {"g", ""}};
  std::vector<std::string> big;
  for (int i = 0; i < 1000; ++i) big.push_back("element-" + std::to_string(i));
  std::vector<std::string_view> big_views(big.begin(), big.end());
  const std::string payloads[] = {
      Encode([](RdbWriter& w) { return w.WriteString("", std::string(1000, 'z')); }),
      Encode([&](RdbWriter& w) { return w.WriteList("", items); }),
      Encode([&](RdbWriter& w) { return w.WriteList("", big_views); }),
      Encode([&](RdbWriter& w) { return w.WriteSet("", items); }),
      Encode([&](RdbWriter& w) { return w.WriteSet("", big_views); }),
      Encode([&](RdbWriter& w) { return w.WriteZSet("", zset); }),
      Encode([&](RdbWriter& w) { return w.WriteHash("", hash); }),
  };
  const char* kinds[] = {"string", "list", "list", "set", "set", "zset", "hash"};
  for (size_t i = 0; i < std::size(payloads); ++i) {
    CollectingVisitor v;
    DumpPayloadReport r = DecodeDumpPayload(payloads[i], &v);
    ASSERT_TRUE(r.ok()) << i << ": " << r.detail;
    EXPECT_EQ(r.rdb_version, 10);
    ASSERT_EQ(v.keys.size(), 1u) << i;
    EXPECT_EQ(v.keys.begin()->second.kind, kinds[i]);
    EXPECT_EQ(v.keys.begin()->second.key.name, "");
    EXPECT_EQ(v.keys.begin()->second.key.expire_ms, kNoExpiry);
  }
  CollectingVisitor v;
  ASSERT_TRUE(DecodeDumpPayload(payloads[2], &v).ok());
  EXPECT_EQ(v.keys.begin()->second.items, big);
}

TEST(DumpPayload, OneValueOnly) {
  std::string out;
  StringSink sink(&out);
  RdbWriter w(&sink, PayloadOptions());
  EXPECT_FALSE(w.BeginDb(0, 1, 0).ok());
  EXPECT_FALSE(w.Finish().ok());  // no value yet
  ASSERT_TRUE(w.WriteString("", "a").ok());
  EXPECT_FALSE(w.WriteString("", "b").ok());
  EXPECT_TRUE(w.Finish().ok());
}

TEST(DumpPayload, FooterChecks) {
  const std::string p = Encode([](RdbWriter& w) { return w.WriteString("", "v"); });
  auto error = [](std::string_view payload) {
    CollectingVisitor v;
    DumpPayloadReport r = DecodeDumpPayload(payload, &v);
    EXPECT_EQ(v.keys.size(), r.ok() ? 1u : 0u);
    return r.error;
  };
  auto with_version = [&](uint16_t version) {
    std::string q = p.substr(0, p.size() - 10);
    AppendLe(&q, version, 2);
    AppendLe(&q, Crc64(0, q), 8);
    return q;
  };
  EXPECT_EQ(error(p), DumpPayloadError::kNone);
  EXPECT_EQ(error(""), DumpPayloadError::kVersionOrChecksum);
  EXPECT_EQ(error(p.substr(0, 9)), DumpPayloadError::kVersionOrChecksum);
  std::string bad_crc = p;
  bad_crc.back() ^= 1;
  EXPECT_EQ(error(bad_crc), DumpPayloadError::kVersionOrChecksum);
  EXPECT_EQ(error(with_version(11)), DumpPayloadError::kVersionOrChecksum);
  EXPECT_EQ(error(with_version(9)), DumpPayloadError::kNone);
  // The footer alone: a valid CRC over no value at all.
  std::string empty_body;
  AppendLe(&empty_body, 10, 2);
  AppendLe(&empty_body, Crc64(0, empty_body), 8);
  EXPECT_EQ(error(empty_body), DumpPayloadError::kBadData);
}

}  // namespace
}  // namespace mr::persistence
