#include "resp/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace mr::resp {
namespace {

using Args = std::vector<std::string>;

struct Drained {
  std::vector<Args> commands;
  ParseStatus last = ParseStatus::kNeedMore;
  std::string error;
  size_t leftover = 0;  // bytes not consumed at the end

  bool operator==(const Drained&) const = default;
};

Args Copy(const std::vector<std::string_view>& views) { return Args(views.begin(), views.end()); }

// Parses every command in `buf`, as a connection would with one read holding all of it.
Drained DrainWhole(std::string_view buf, ParserLimits limits = {}) {
  Parser parser(limits);
  Drained d;
  std::vector<std::string_view> args;
  for (;;) {
    ParseResult r = parser.Next(buf, &args);
    d.last = r.status;
    if (r.status != ParseStatus::kCommand) {
      d.error = r.error;
      EXPECT_EQ(r.consumed, 0u);
      break;
    }
    EXPECT_GT(r.consumed, 0u);
    EXPECT_LE(r.consumed, buf.size());
    d.commands.push_back(Copy(args));
    buf.remove_prefix(r.consumed);
  }
  d.leftover = buf.size();
  return d;
}

// Feeds `input` in reads of the given sizes (the last size repeats), dropping consumed bytes from a
// growing std::string the way the connection reader does, so views must survive reallocation.
Drained DrainChunked(std::string_view input, const std::vector<size_t>& sizes,
                     ParserLimits limits = {}) {
  Parser parser(limits);
  Drained d;
  std::string buf;
  std::vector<std::string_view> args;
  size_t fed = 0;
  size_t step = 0;
  while (fed < input.size()) {
    const size_t n = std::min(sizes[std::min(step, sizes.size() - 1)], input.size() - fed);
    ++step;
    buf.append(input.substr(fed, n));
    fed += n;
    for (;;) {
      ParseResult r = parser.Next(buf, &args);
      d.last = r.status;
      if (r.status == ParseStatus::kError) {
        d.error = r.error;
        d.leftover = buf.size() + (input.size() - fed);
        return d;
      }
      if (r.status == ParseStatus::kNeedMore) {
        EXPECT_EQ(r.consumed, 0u);
        break;
      }
      d.commands.push_back(Copy(args));
      buf.erase(0, r.consumed);
    }
  }
  d.leftover = buf.size();
  return d;
}

ParseResult ParseOne(std::string_view buf, Args* out = nullptr, ParserLimits limits = {}) {
  Parser parser(limits);
  std::vector<std::string_view> args;
  ParseResult r = parser.Next(buf, &args);
  if (out != nullptr) {
    *out = Copy(args);
  }
  return r;
}

std::string ErrorOf(std::string_view buf, ParserLimits limits = {}) {
  ParseResult r = ParseOne(buf, nullptr, limits);
  EXPECT_EQ(r.status, ParseStatus::kError) << buf;
  EXPECT_EQ(r.consumed, 0u);
  return r.error;
}

// --- Multibulk -----------------------------------------------------------------------------------

TEST(ParserMultibulk, ParsesOneCommand) {
  const std::string buf = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  Args args;
  ParseResult r = ParseOne(buf, &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, buf.size());
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(args, (Args{"SET", "key", "value"}));
}

TEST(ParserMultibulk, ArgsAreViewsIntoTheBuffer) {
  const std::string buf = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next(buf, &args).status, ParseStatus::kCommand);
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0].data(), buf.data() + 8);
  EXPECT_EQ(args[1].data(), buf.data() + 18);
}

TEST(ParserMultibulk, BinarySafePayload) {
  const std::string payload("a\r\nb\0c*$", 8);
  const std::string buf = "*1\r\n$8\r\n" + payload + "\r\n";
  Args args;
  EXPECT_EQ(ParseOne(buf, &args).status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{payload}));
}

TEST(ParserMultibulk, EmptyBulk) {
  Args args;
  ParseResult r = ParseOne("*2\r\n$0\r\n\r\n$1\r\nx\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"", "x"}));
}

TEST(ParserMultibulk, ZeroAndNegativeCountsAreEmptyCommands) {
  for (std::string_view buf : {"*0\r\n", "*-1\r\n", "*-10\r\n"}) {
    Args args{"stale"};
    ParseResult r = ParseOne(buf, &args);
    EXPECT_EQ(r.status, ParseStatus::kCommand) << buf;
    EXPECT_EQ(r.consumed, buf.size());
    EXPECT_TRUE(args.empty());
  }
}

TEST(ParserMultibulk, EveryPrefixNeedsMore) {
  const std::string buf = "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n";
  for (size_t i = 0; i < buf.size(); ++i) {
    ParseResult r = ParseOne(std::string_view(buf).substr(0, i));
    EXPECT_EQ(r.status, ParseStatus::kNeedMore) << i;
    EXPECT_EQ(r.consumed, 0u);
  }
}

TEST(ParserMultibulk, TrailingBytesAfterBulkAreNotChecked) {
  // Redis skips the two bytes after a payload without looking at them.
  Args args;
  ParseResult r = ParseOne("*1\r\n$1\r\naXY*1\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, 11u);
  EXPECT_EQ(args, (Args{"a"}));
}

TEST(ParserMultibulk, ByteAfterCarriageReturnIsTakenAsNewline) {
  Args args;
  ParseResult r = ParseOne("*1\rX$1\rYa\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"a"}));
  EXPECT_EQ(ParseOne("*1\r").status, ParseStatus::kNeedMore);
  EXPECT_EQ(ParseOne("*1\r\n$1\r").status, ParseStatus::kNeedMore);
}

TEST(ParserMultibulk, NulBeforeTerminatorHidesIt) {
  // Redis scans with strchr(), which stops at NUL: the header never completes.
  EXPECT_EQ(ParseOne(std::string_view("*1\0\r\n$1\r\na\r\n", 12)).status, ParseStatus::kNeedMore);
  EXPECT_EQ(ParseOne(std::string_view("*1\r\n$1\0\r\na\r\n", 12)).status, ParseStatus::kNeedMore);
  ParserLimits small;
  small.max_inline_len = 8;
  EXPECT_EQ(ErrorOf(std::string_view("*1\0\r\n$1\r\na\r\n", 12), small),
            "Protocol error: too big mbulk count string");
}

TEST(ParserMultibulk, LargestCountIsAcceptedAndAllocatesNothingUpFront) {
  ParseResult r = ParseOne("*2147483647\r\n$1\r\na\r\n");
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(ErrorOf("*2147483648\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(ErrorOf("*3000000000\r\n"), "Protocol error: invalid multibulk length");
}

// --- Errors --------------------------------------------------------------------------------------

TEST(ParserErrors, InvalidMultibulkLength) {
  for (std::string_view buf : {"*\r\n", "*abc\r\n", "*01\r\n", "*+1\r\n", "*-0\r\n", "*1 \r\n",
                               "* 1\r\n", "*-\r\n", "*100000000000000000000\r\n",
                               "*99999999999999999999\r\n", "*1x\r\n"}) {
    EXPECT_EQ(ErrorOf(buf), "Protocol error: invalid multibulk length") << buf;
  }
  ParserLimits limits;
  limits.max_multibulk_len = 5;
  EXPECT_EQ(ErrorOf("*6\r\n", limits), "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseOne("*5\r\n", nullptr, limits).status, ParseStatus::kNeedMore);
}

TEST(ParserErrors, InvalidBulkLength) {
  for (std::string_view buf :
       {"*1\r\n$\r\n", "*1\r\n$-1\r\n", "*1\r\n$abc\r\n", "*1\r\n$01\r\n", "*1\r\n$+1\r\n",
        "*1\r\n$-0\r\n", "*1\r\n$1 \r\n", "*1\r\n$9223372036854775808\r\n",
        "*1\r\n$536870913\r\n"}) {
    EXPECT_EQ(ErrorOf(buf), "Protocol error: invalid bulk length") << buf;
  }
  // Exactly proto-max-bulk-len is allowed.
  EXPECT_EQ(ParseOne("*1\r\n$536870912\r\n").status, ParseStatus::kNeedMore);
  ParserLimits limits;
  limits.max_bulk_len = 10;
  EXPECT_EQ(ErrorOf("*1\r\n$11\r\n", limits), "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseOne("*1\r\n$10\r\n0123456789\r\n", nullptr, limits).status,
            ParseStatus::kCommand);
}

TEST(ParserErrors, ExpectedDollar) {
  // The case from Redis' tests/unit/protocol.tcl.
  EXPECT_EQ(ErrorOf("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
            "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(ErrorOf("*1\r\n:1\r\n"), "Protocol error: expected '$', got ':'");
  EXPECT_EQ(ErrorOf("*1\r\n\r\n"), "Protocol error: expected '$', got '\r'");
  // Checked only once the header line is complete, as in Redis.
  EXPECT_EQ(ParseOne("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz").status, ParseStatus::kNeedMore);
}

TEST(ParserErrors, TooBigMbulkCountString) {
  const std::string at_limit = "*" + std::string(64 * 1024 - 1, '1');
  EXPECT_EQ(ParseOne(at_limit).status, ParseStatus::kNeedMore);
  EXPECT_EQ(ErrorOf(at_limit + "1"), "Protocol error: too big mbulk count string");
  // Same answer when the terminator is already there, whatever the read sizes were.
  EXPECT_EQ(ErrorOf(at_limit + "11\r\n"), "Protocol error: too big mbulk count string");
}

TEST(ParserErrors, TooBigBulkCountString) {
  ParserLimits limits;
  limits.max_inline_len = 16;
  const std::string head = "*1\r\n$";
  EXPECT_EQ(ParseOne(head + std::string(15, '1'), nullptr, limits).status, ParseStatus::kNeedMore);
  EXPECT_EQ(ErrorOf(head + std::string(16, '1'), limits),
            "Protocol error: too big bulk count string");
  EXPECT_EQ(ErrorOf(head + std::string(16, '1') + "\r\n", limits),
            "Protocol error: too big bulk count string");
  EXPECT_EQ(ErrorOf("*1\r\n" + std::string(64 * 1024 + 1, 'x')),
            "Protocol error: too big bulk count string");
}

TEST(ParserErrors, TooBigInlineRequest) {
  const std::string at_limit(64 * 1024, 'A');
  EXPECT_EQ(ParseOne(at_limit).status, ParseStatus::kNeedMore);
  Args args;
  EXPECT_EQ(ParseOne(at_limit + "\n", &args).status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{at_limit}));
  EXPECT_EQ(ErrorOf(at_limit + "A"), "Protocol error: too big inline request");
  EXPECT_EQ(ErrorOf(at_limit + "A\r\n"), "Protocol error: too big inline request");
  // A NUL hides the newline (strchr in Redis), so the line keeps growing until the limit.
  ParserLimits limits;
  limits.max_inline_len = 8;
  EXPECT_EQ(ParseOne(std::string_view("PI\0NG\r\n", 7), nullptr, limits).status,
            ParseStatus::kNeedMore);
  EXPECT_EQ(ErrorOf(std::string_view("PI\0NG\r\nPING\r\n", 13), limits),
            "Protocol error: too big inline request");
}

TEST(ParserErrors, UnbalancedQuotes) {
  for (std::string_view buf : {"SET \"a b\r\n", "SET 'a b\r\n", "SET \"a\"b\r\n", "SET 'a'b\r\n",
                               "\"\\\"\r\n", "'\\'\r\n", "ECHO \"x\\\"\n", "a\"b\"c\n"}) {
    EXPECT_EQ(ErrorOf(buf), "Protocol error: unbalanced quotes in request") << buf;
  }
}

TEST(ParserErrors, UnauthenticatedLimits) {
  Parser parser;
  parser.set_auth_required(true);
  EXPECT_TRUE(parser.auth_required());
  std::vector<std::string_view> args;
  ParseResult r = parser.Next("*11\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.error, "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(parser.Next("*10\r\n", &args).status, ParseStatus::kNeedMore);
  parser.Reset();
  r = parser.Next("*1\r\n$16385\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.error, "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(parser.Next("*1\r\n$16384\r\n", &args).status, ParseStatus::kNeedMore);
  parser.Reset();
  parser.set_auth_required(false);
  EXPECT_EQ(parser.Next("*11\r\n$16385\r\n", &args).status, ParseStatus::kNeedMore);
}

TEST(ParserErrors, ParserIsUsableAfterAnError) {
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next("*1\r\n$x\r\n", &args).status, ParseStatus::kError);
  ParseResult r = parser.Next("*1\r\n$4\r\nPING\r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(Copy(args), (Args{"PING"}));
}

// --- Inline --------------------------------------------------------------------------------------

TEST(ParserInline, SplitsOnBlanks) {
  Args args;
  ParseResult r = ParseOne("SET  key\tvalue \r\n", &args);
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, 17u);
  EXPECT_EQ(args, (Args{"SET", "key", "value"}));
  // A bare '\n' ends a line too; a '\r' inside it separates arguments.
  r = ParseOne("GET a\rb\nrest", &args);
  EXPECT_EQ(r.consumed, 8u);
  EXPECT_EQ(args, (Args{"GET", "a", "b"}));
}

TEST(ParserInline, EmptyLinesAreEmptyCommands) {
  for (std::string_view buf : {"\r\n", "\n", "   \r\n", "\t \x0b\x0c\n"}) {
    Args args{"stale"};
    ParseResult r = ParseOne(buf, &args);
    EXPECT_EQ(r.status, ParseStatus::kCommand);
    EXPECT_EQ(r.consumed, buf.size());
    EXPECT_TRUE(args.empty()) << buf;
  }
}

TEST(ParserInline, VerticalTabAndFormFeedOnlySeparateBetweenArguments) {
  // sdssplitargs skips isspace() before an argument but ends one only on ' ', \t, \r, \n.
  Args args;
  EXPECT_EQ(ParseOne("\x0b" "a\x0b" "b\x0c" "c\n", &args).status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"a\x0b" "b\x0c" "c"}));
}

TEST(ParserInline, DoubleQuoteEscapes) {
  Args args;
  ASSERT_EQ(ParseOne(R"(SET "a b" "\n\r\t\b\a\\\"\q" "\x41\x7a\xZZ\x4")" "\r\n", &args).status,
            ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"SET", "a b", "\n\r\t\b\a\\\"q", "AzxZZx4"}));
  ASSERT_EQ(ParseOne(R"("\x00\xff" "" "\xAb")" "\n", &args).status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{std::string("\0\xff", 2), "", "\xab"}));
}

TEST(ParserInline, SingleQuoteEscapes) {
  Args args;
  ASSERT_EQ(ParseOne(R"(ECHO 'it\'s' 'a\nb' '' 'x"y')" "\n", &args).status,
            ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"ECHO", "it's", "a\\nb", "", "x\"y"}));
}

TEST(ParserInline, QuotesMayStartInsideAnArgument) {
  Args args;
  ASSERT_EQ(ParseOne("a\"b c\" d'e f'\n", &args).status, ParseStatus::kCommand);
  EXPECT_EQ(args, (Args{"ab c", "de f"}));
}

TEST(ParserInline, PlainArgumentsAreViewsEscapedOnesAreOwned) {
  const std::string buf = "SET \"plain quoted\" \"esc\\taped\" bare\r\n";
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next(buf, &args).status, ParseStatus::kCommand);
  ASSERT_EQ(args.size(), 4u);
  auto in_buf = [&](std::string_view a) {
    return a.data() >= buf.data() && a.data() + a.size() <= buf.data() + buf.size();
  };
  EXPECT_TRUE(in_buf(args[0]));
  EXPECT_TRUE(in_buf(args[1]));
  EXPECT_FALSE(in_buf(args[2]));
  EXPECT_TRUE(in_buf(args[3]));
  EXPECT_EQ(args[1], "plain quoted");
  EXPECT_EQ(args[2], "esc\taped");
  EXPECT_EQ(args[3], "bare");
}

TEST(ParserInline, OwnedArgumentsSurviveUntilTheNextCall) {
  Parser parser;
  std::vector<std::string_view> args;
  std::string buf = "\"" + std::string(100, 'x') + "\\n\" \"\\ty\"\n";
  ASSERT_EQ(parser.Next(buf, &args).status, ParseStatus::kCommand);
  buf.assign(buf.size(), '#');  // the caller drops the consumed bytes
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], std::string(100, 'x') + "\n");
  EXPECT_EQ(args[1], "\ty");
}

TEST(ParserInline, EveryPrefixNeedsMore) {
  const std::string buf = "SET \"a b\" 'c'\r\n";
  for (size_t i = 0; i + 1 < buf.size(); ++i) {
    EXPECT_EQ(ParseOne(std::string_view(buf).substr(0, i)).status, ParseStatus::kNeedMore) << i;
  }
}

// --- Pipelining and split reads ------------------------------------------------------------------

const std::string& Pipeline() {
  static const std::string kBuf =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"
      "PING\r\n"
      "\r\n"
      "*0\r\n"
      "ECHO \"a\\x41\\n\" 'b c'\n"
      "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
      "*-1\r\n"
      "*1\r\n$12\r\nhello\r\nworld\r\n";
  return kBuf;
}

const std::vector<Args>& PipelineCommands() {
  static const std::vector<Args> kCommands = {
      {"SET", "key", "value"}, {"PING"}, {}, {}, {"ECHO", "aA\n", "b c"}, {"GET", ""}, {},
      {"hello\r\nworld"}};
  return kCommands;
}

TEST(ParserPipeline, DrainsAllCommandsFromOneBuffer) {
  Drained d = DrainWhole(Pipeline());
  EXPECT_EQ(d.commands, PipelineCommands());
  EXPECT_EQ(d.last, ParseStatus::kNeedMore);
  EXPECT_EQ(d.leftover, 0u);
}

TEST(ParserPipeline, SplitAtEveryByteBoundary) {
  const Drained whole = DrainWhole(Pipeline());
  for (size_t i = 1; i < Pipeline().size(); ++i) {
    EXPECT_EQ(DrainChunked(Pipeline(), {i, Pipeline().size()}), whole) << "split at " << i;
  }
}

TEST(ParserPipeline, SplitAtEveryPairOfBoundaries) {
  const Drained whole = DrainWhole(Pipeline());
  const size_t n = Pipeline().size();
  for (size_t i = 1; i < n; ++i) {
    for (size_t j = 1; i + j < n; ++j) {
      ASSERT_EQ(DrainChunked(Pipeline(), {i, j, n}), whole) << i << "," << j;
    }
  }
}

TEST(ParserPipeline, OneByteAtATime) {
  EXPECT_EQ(DrainChunked(Pipeline(), {1}), DrainWhole(Pipeline()));
}

TEST(ParserPipeline, ErrorsAreTheSameHoweverTheBytesArrive) {
  ParserLimits limits;
  limits.max_inline_len = 10;
  for (std::string_view tail : {"*2\r\n$3\r\nfoo\r\n:x\r\n", "*1\r\n$123456789012\r\n",
                                "0123456789012\r\n", "*1\r\n$x\r\n", "\"abc\n"}) {
    const std::string input = std::string("PING\r\n") + std::string(tail);
    const Drained whole = DrainWhole(input, limits);
    EXPECT_EQ(whole.last, ParseStatus::kError) << tail;
    for (size_t i = 1; i < input.size(); ++i) {
      EXPECT_EQ(DrainChunked(input, {i, 1}, limits).error, whole.error) << tail << " @" << i;
    }
  }
}

TEST(ParserPipeline, BufferMayMoveBetweenCalls) {
  const std::string full = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  Parser parser;
  std::vector<std::string_view> args;
  auto first = std::make_unique<std::string>(full.substr(0, 20));
  ASSERT_EQ(parser.Next(*first, &args).status, ParseStatus::kNeedMore);
  auto second = std::make_unique<std::string>(full);
  first.reset();
  ASSERT_EQ(parser.Next(*second, &args).status, ParseStatus::kCommand);
  EXPECT_EQ(Copy(args), (Args{"ECHO", "hello"}));
  EXPECT_EQ(args[1].data(), second->data() + 18);
}

TEST(ParserPipeline, ResetForgetsAPartialCommand) {
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next("*2\r\n$3\r\nGET\r\n$1", &args).status, ParseStatus::kNeedMore);
  parser.Reset();
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);
  ASSERT_EQ(parser.Next("*1\r\n$4\r\nPING\r\n", &args).status, ParseStatus::kCommand);
  EXPECT_EQ(Copy(args), (Args{"PING"}));
}

TEST(ParserPipeline, ShrunkenBufferRestartsInsteadOfReadingStaleOffsets) {
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next("*2\r\n$3\r\nGET\r\n$1", &args).status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.Next("*2\r\n", &args).status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.Next("PING\n", &args).status, ParseStatus::kCommand);
}

// --- Big bulks -----------------------------------------------------------------------------------

TEST(ParserBigBulk, ArrivesInManyChunks) {
  const size_t len = 3 * 1024 * 1024 + 17;
  std::string payload(len, 'x');
  for (size_t i = 0; i < len; i += 4093) {
    payload[i] = static_cast<char>('a' + i % 26);
  }
  const std::string header = "*2\r\n$3\r\nSET\r\n$" + std::to_string(len) + "\r\n";
  const std::string input = header + payload + "\r\n";

  Parser parser;
  std::vector<std::string_view> args;
  std::string buf;
  size_t fed = 0;
  const size_t chunk = 1000;
  int calls = 0;
  ParseResult r;
  while (fed < input.size()) {
    const size_t n = std::min(chunk, input.size() - fed);
    buf.append(input, fed, n);
    fed += n;
    r = parser.Next(buf, &args);
    ++calls;
    if (r.status == ParseStatus::kCommand) {
      break;
    }
    ASSERT_EQ(r.status, ParseStatus::kNeedMore);
    if (buf.size() >= header.size()) {
      EXPECT_EQ(parser.PendingBulkBytes(), input.size() - buf.size());
    } else {
      EXPECT_EQ(parser.PendingBulkBytes(), 0u);
    }
  }
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_EQ(calls, static_cast<int>((input.size() + chunk - 1) / chunk));
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "SET");
  EXPECT_TRUE(args[1] == payload);
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);
}

TEST(ParserBigBulk, PendingCountsTheTrailingCrlf) {
  Parser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Next("*1\r\n$10\r\n0123", &args).status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.PendingBulkBytes(), 8u);
  ASSERT_EQ(parser.Next("*1\r\n$10\r\n0123456789\r", &args).status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.PendingBulkBytes(), 1u);
}

TEST(ParserBigBulk, ManyArgumentsOneByteAtATime) {
  std::string input = "*5000\r\n";
  for (int i = 0; i < 5000; ++i) {
    input += "$1\r\nx\r\n";
  }
  Drained d = DrainChunked(input, {1});
  ASSERT_EQ(d.commands.size(), 1u);
  EXPECT_EQ(d.commands[0].size(), 5000u);
  EXPECT_EQ(d.leftover, 0u);
}

// Feeding one byte per call must stay linear: a parser that rescanned from the start of the command
// on every call would need ~2*10^9 steps for the line and the bulk below.
TEST(ParserBigBulk, OneByteReadsDoNotRescan) {
  Parser parser;
  std::vector<std::string_view> args;
  std::string line(60000, 'a');
  line += "\n";
  std::string buf;
  ParseResult r;
  for (char c : line) {
    buf.push_back(c);
    r = parser.Next(buf, &args);
  }
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  const std::string bulk = "*1\r\n$1000000\r\n" + std::string(1000000, 'b') + "\r\n";
  buf.clear();
  for (char c : bulk) {
    buf.push_back(c);
    r = parser.Next(buf, &args);
  }
  EXPECT_EQ(r.status, ParseStatus::kCommand);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].size(), 1000000u);
}

}  // namespace
}  // namespace mr::resp
