#include "persistence/compact_encodings.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "persistence/crc64.h"
#include "persistence/lzf.h"

namespace mr::persistence {
namespace {

using Strings = std::vector<std::string>;

TEST(Crc64, MatchesRedisCheckValues) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64(0, ""), 0u);
  // Incremental updates agree with one pass, whatever the split (exercises the 8-byte path).
  const std::string text =
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor";
  const uint64_t whole = Crc64(0, text);
  for (size_t split = 0; split <= text.size(); ++split) {
    EXPECT_EQ(Crc64(Crc64(0, text.substr(0, split)), text.substr(split)), whole) << split;
  }
}

TEST(Lzf, RoundTripsAndRefusesWhenNoGain) {
  const std::string repetitive = std::string(1000, 'a') + "hello world hello world hello world";
  std::string compressed;
  ASSERT_TRUE(LzfCompress(repetitive, repetitive.size() - 4, &compressed));
  EXPECT_LT(compressed.size(), 100u);
  std::string back;
  ASSERT_TRUE(LzfDecompress(compressed, repetitive.size(), &back));
  EXPECT_EQ(back, repetitive);
  EXPECT_FALSE(LzfDecompress(compressed, repetitive.size() + 1, &back));
  EXPECT_FALSE(LzfDecompress(compressed, repetitive.size() - 1, &back));

  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 300; ++i) {
    x = x * 1103515245 + 12345;
    noise.push_back(static_cast<char>(x >> 24));
  }
  EXPECT_FALSE(LzfCompress(noise, noise.size() - 4, &compressed));
}

TEST(Lzf, DecompressRejectsBadReferences) {
  std::string out;
  // A back reference before any output.
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x00", 2), 3, &out));
  // A literal run longer than the input.
  EXPECT_FALSE(LzfDecompress(std::string("\x05" "ab"), 6, &out));
  // A declared length beyond what LZF can expand to.
  EXPECT_FALSE(LzfDecompress("ab", 1000, &out));
}

TEST(Int64, OnlyCanonicalSpellings) {
  int64_t v = 0;
  EXPECT_TRUE(ParseCanonicalInt64("0", &v));
  EXPECT_TRUE(ParseCanonicalInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(ParseCanonicalInt64("9223372036854775807", &v));
  for (const char* bad : {"", "-0", "007", "+1", " 1", "1 ", "9223372036854775808", "1e3", "-"}) {
    EXPECT_FALSE(ParseCanonicalInt64(bad, &v)) << bad;
  }
}

TEST(Listpack, RoundTripsEveryEncoding) {
  const Strings values = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767",
                          "8388607", "-8388608", "2147483647", "-2147483648", "2147483648",
                          "9223372036854775807", "-9223372036854775808", "007", "-0", "",
                          std::string(63, 'x'), std::string(64, 'y'), std::string(4095, 'z'),
                          std::string(4096, 'w'), std::string(70000, 'v'), std::string("a\0b", 3)};
  ListpackBuilder builder;
  for (const auto& v : values) {
    builder.Append(v);
  }
  const size_t expected_bytes = builder.bytes();
  const std::string lp = builder.Finish();
  EXPECT_EQ(lp.size(), expected_bytes);
  Strings decoded;
  ASSERT_TRUE(DecodeListpack(lp, &decoded).ok());
  EXPECT_EQ(decoded, values);

  size_t sum = 7;
  for (const auto& v : values) {
    sum += ListpackBuilder::EntryBytes(v);
  }
  EXPECT_EQ(sum, lp.size());
}

TEST(Listpack, RejectsCorruption) {
  ListpackBuilder builder;
  builder.Append("hello");
  builder.Append("12345");
  const std::string lp = builder.Finish();
  Strings out;
  for (size_t cut = 0; cut < lp.size(); ++cut) {
    EXPECT_FALSE(DecodeListpack(lp.substr(0, cut), &out).ok()) << cut;
  }
  std::string wrong_count = lp;
  wrong_count[4] = 3;
  EXPECT_FALSE(DecodeListpack(wrong_count, &out).ok());
  std::string bad_backlen = lp;
  bad_backlen[6 + 6] = 9;  // "hello" entry is 6 bytes; its backlen follows
  EXPECT_FALSE(DecodeListpack(bad_backlen, &out).ok());
}

TEST(Intset, EncodesNarrowestWidthAndDecodes) {
  const std::vector<int64_t> small = {-5, 0, 7, 32767};
  std::string blob = EncodeIntset(small);
  EXPECT_EQ(blob.size(), 8u + 2 * small.size());
  Strings out;
  ASSERT_TRUE(DecodeIntset(blob, &out).ok());
  EXPECT_EQ(out, (Strings{"-5", "0", "7", "32767"}));

  const std::vector<int64_t> wide = {std::numeric_limits<int64_t>::min(), 1, 70000};
  blob = EncodeIntset(wide);
  EXPECT_EQ(blob.size(), 8u + 8 * wide.size());
  out.clear();
  ASSERT_TRUE(DecodeIntset(blob, &out).ok());
  EXPECT_EQ(out, (Strings{"-9223372036854775808", "1", "70000"}));

  std::string unsorted = EncodeIntset(std::vector<int64_t>{1, 2});
  std::swap(unsorted[8], unsorted[10]);
  EXPECT_FALSE(DecodeIntset(unsorted, &out).ok());
  EXPECT_FALSE(DecodeIntset(blob.substr(0, blob.size() - 1), &out).ok());
}

// Hand-built ziplist: "ab", 5 (4-bit immediate), -300 (int16), 100000 (int24? no: int32).
TEST(Ziplist, DecodesStringsAndIntegers) {
  std::string body;
  body += std::string("\x00\x02" "ab", 4);       // prevlen 0, 6-bit string of 2
  body += std::string("\x04\xf6", 2);            // prevlen 4, immediate 5
  body += std::string("\x02\xc0\xd4\xfe", 4);    // prevlen 2, int16 -300
  body += std::string("\x04\xf0\xa0\x86\x01", 5);  // prevlen 4, int24 100000
  std::string zl;
  const uint32_t total = 10 + body.size() + 1;
  zl.append(reinterpret_cast<const char*>(&total), 4);  // tests run on little-endian hosts
  const uint32_t tail = 10 + 4 + 2 + 4;
  zl.append(reinterpret_cast<const char*>(&tail), 4);
  zl += std::string("\x04\x00", 2);
  zl += body;
  zl.push_back('\xff');
  Strings out;
  ASSERT_TRUE(DecodeZiplist(zl, &out).ok()) << DecodeZiplist(zl, &out).message();
  EXPECT_EQ(out, (Strings{"ab", "5", "-300", "100000"}));
  for (size_t cut = 0; cut < zl.size(); ++cut) {
    Strings partial;
    EXPECT_FALSE(DecodeZiplist(zl.substr(0, cut), &partial).ok()) << cut;
  }
}

TEST(Zipmap, DecodesPairsWithFreeBytes) {
  // count 2; "foo" => "bar" with 2 free bytes; "k" => "" ; end.
  const std::string zm("\x02\x03" "foo" "\x03\x02" "barXX" "\x01k\x00\x00\xff", 17);
  Strings out;
  ASSERT_TRUE(DecodeZipmap(zm, &out).ok());
  EXPECT_EQ(out, (Strings{"foo", "bar", "k", ""}));
  for (size_t cut = 0; cut < zm.size(); ++cut) {
    Strings partial;
    EXPECT_FALSE(DecodeZipmap(zm.substr(0, cut), &partial).ok()) << cut;
  }
}

}  // namespace
}  // namespace mr::persistence
