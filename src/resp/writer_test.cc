#include "resp/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace mr::resp {
namespace {

// Runs `write` against a fresh writer of the given protocol and returns the bytes produced.
template <typename F>
std::string Out(Protocol proto, F write) {
  std::string out;
  Writer w(&out, proto);
  write(w);
  return out;
}

constexpr Protocol k2 = Protocol::kResp2;
constexpr Protocol k3 = Protocol::kResp3;

TEST(Writer, SimpleStringAndError) {
  for (Protocol p : {k2, k3}) {
    EXPECT_EQ(Out(p, [](Writer& w) { w.SimpleString("OK"); }), "+OK\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.SimpleString(""); }), "+\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Error("ERR unknown command"); }),
              "-ERR unknown command\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Error("-WRONGTYPE x"); }), "-WRONGTYPE x\r\n");
  }
}

TEST(Writer, LineBreaksCannotEscapeAStatusOrError) {
  EXPECT_EQ(Out(k2, [](Writer& w) { w.Error("ERR bad\r\n+OK"); }), "-ERR bad  +OK\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.SimpleString("a\nb"); }), "+a b\r\n");
}

TEST(Writer, Integer) {
  for (Protocol p : {k2, k3}) {
    EXPECT_EQ(Out(p, [](Writer& w) { w.Integer(0); }), ":0\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Integer(1); }), ":1\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Integer(-42); }), ":-42\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Integer(INT64_MAX); }),
              ":9223372036854775807\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Integer(INT64_MIN); }),
              ":-9223372036854775808\r\n");
  }
}

TEST(Writer, Bulk) {
  for (Protocol p : {k2, k3}) {
    EXPECT_EQ(Out(p, [](Writer& w) { w.Bulk("foo"); }), "$3\r\nfoo\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Bulk(""); }), "$0\r\n\r\n");
    const std::string binary("a\r\n\0b", 5);
    EXPECT_EQ(Out(p, [&](Writer& w) { w.Bulk(binary); }), "$5\r\n" + binary + "\r\n");
    const std::string big(100000, 'z');
    EXPECT_EQ(Out(p, [&](Writer& w) { w.Bulk(big); }), "$100000\r\n" + big + "\r\n");
  }
}

TEST(Writer, Nulls) {
  EXPECT_EQ(Out(k2, [](Writer& w) { w.Null(); }), "$-1\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Null(); }), "_\r\n");
  EXPECT_EQ(Out(k2, [](Writer& w) { w.NullArray(); }), "*-1\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.NullArray(); }), "_\r\n");
}

TEST(Writer, AggregateHeaders) {
  EXPECT_EQ(Out(k2, [](Writer& w) { w.ArrayHeader(0); }), "*0\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.ArrayHeader(12); }), "*12\r\n");
  EXPECT_EQ(Out(k2, [](Writer& w) { w.MapHeader(3); }), "*6\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.MapHeader(3); }), "%3\r\n");
  EXPECT_EQ(Out(k2, [](Writer& w) { w.SetHeader(2); }), "*2\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.SetHeader(2); }), "~2\r\n");
  EXPECT_EQ(Out(k2, [](Writer& w) { w.PushHeader(3); }), "*3\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.PushHeader(3); }), ">3\r\n");
}

TEST(Writer, DoubleResp2IsABulk) {
  auto out = [](double v) { return Out(k2, [v](Writer& w) { w.Double(v); }); };
  EXPECT_EQ(out(1.5), "$3\r\n1.5\r\n");  // ZSCORE of 1.5
  EXPECT_EQ(out(3), "$1\r\n3\r\n");
  EXPECT_EQ(out(-2), "$2\r\n-2\r\n");
  EXPECT_EQ(out(0), "$1\r\n0\r\n");
  EXPECT_EQ(out(0.1), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(out(1e300), "$23\r\n1.0000000000000001e+300\r\n");
  EXPECT_EQ(out(INFINITY), "$3\r\ninf\r\n");
  EXPECT_EQ(out(-INFINITY), "$4\r\n-inf\r\n");
  EXPECT_EQ(out(NAN), "$3\r\nnan\r\n");
}

TEST(Writer, DoubleResp3) {
  auto out = [](double v) { return Out(k3, [v](Writer& w) { w.Double(v); }); };
  EXPECT_EQ(out(1.5), ",1.5\r\n");
  EXPECT_EQ(out(3), ",3\r\n");
  EXPECT_EQ(out(-0.0), ",-0\r\n");
  EXPECT_EQ(out(INFINITY), ",inf\r\n");
  EXPECT_EQ(out(-INFINITY), ",-inf\r\n");
  EXPECT_EQ(out(NAN), ",nan\r\n");
  EXPECT_EQ(out(-NAN), ",nan\r\n");
}

TEST(FormatDouble, MatchesPrintfPercent17g) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  char expected[64];
  char got[kMaxDoubleChars];
  auto check = [&](double v) {
    std::snprintf(expected, sizeof(expected), "%.17g", v);
    ASSERT_EQ(std::string(got, FormatDouble(v, got)), expected) << v;
  };
  for (int i = 0; i < 20000; ++i) {
    check(uniform(rng));
    check(std::trunc(uniform(rng)));
    check(std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 12)));
    uint64_t bits = rng();
    double any;
    std::memcpy(&any, &bits, sizeof(any));
    if (std::isfinite(any)) {
      check(any);
    }
  }
  for (double v : {0.0, -0.0, 1.0, -1.0, 1e17, -1e17, 1e16, 99999999999999984.0, 1e17 - 16, 123456789012345678.0, 5e-324, 1e-5, 0.0001,
                   std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                   std::numeric_limits<double>::min(), -std::numeric_limits<double>::min()}) {
    check(v);
  }
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::min()), "-2.2250738585072014e-308");
  EXPECT_EQ(FormatDouble(2.5), "2.5");
  EXPECT_EQ(FormatDouble(10), "10");
  EXPECT_EQ(FormatDouble(INFINITY), "inf");
  EXPECT_EQ(FormatDouble(-INFINITY), "-inf");
  EXPECT_EQ(FormatDouble(NAN), "nan");
}

TEST(Writer, Boolean) {
  EXPECT_EQ(Out(k2, [](Writer& w) { w.Boolean(true); }), ":1\r\n");
  EXPECT_EQ(Out(k2, [](Writer& w) { w.Boolean(false); }), ":0\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Boolean(true); }), "#t\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Boolean(false); }), "#f\r\n");
}

TEST(Writer, Verbatim) {
  EXPECT_EQ(Out(k2, [](Writer& w) { w.Verbatim("txt", "hello"); }),
            "$5\r\nhello\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Verbatim("txt", "hello"); }),
            "=9\r\ntxt:hello\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Verbatim("mkd", "# a\r\nb"); }),
            "=10\r\nmkd:# a\r\nb\r\n");
  EXPECT_EQ(Out(k3, [](Writer& w) { w.Verbatim("markdown", ""); }), "=4\r\ntxt:\r\n");
}

TEST(Writer, BigNumber) {
  const char* digits = "3492890328409238509324850943850943825024385";
  EXPECT_EQ(Out(k2, [&](Writer& w) { w.BigNumber(digits); }),
            "$43\r\n" + std::string(digits) + "\r\n");
  EXPECT_EQ(Out(k3, [&](Writer& w) { w.BigNumber(digits); }),
            "(" + std::string(digits) + "\r\n");
}

TEST(Writer, BulkArrayAndRaw) {
  for (Protocol p : {k2, k3}) {
    EXPECT_EQ(Out(p, [](Writer& w) { w.BulkArray({"a", "bc", ""}); }),
              "*3\r\n$1\r\na\r\n$2\r\nbc\r\n$0\r\n\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.BulkArray({}); }), "*0\r\n");
    EXPECT_EQ(Out(p, [](Writer& w) { w.Raw("+PONG\r\n"); }), "+PONG\r\n");
  }
}

TEST(Writer, AppendsAndSwitchesProtocol) {
  std::string out = "prefix";
  Writer w(&out);
  EXPECT_EQ(w.protocol(), k2);
  EXPECT_EQ(w.buffer(), &out);
  w.MapHeader(1);
  w.Bulk("k");
  w.Null();
  w.set_protocol(k3);
  EXPECT_EQ(w.protocol(), k3);
  w.MapHeader(1);
  w.Bulk("k");
  w.Null();
  EXPECT_EQ(out, "prefix*2\r\n$1\r\nk\r\n$-1\r\n%1\r\n$1\r\nk\r\n_\r\n");
}

}  // namespace
}  // namespace mr::resp
