// libFuzzer target for the RESP parser: besides memory errors (ASan/UBSan), checks that results
// stay inside the buffer and that the same bytes give the same commands however the network splits
// them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "resp/parser.h"

namespace {

using mr::resp::ParseResult;
using mr::resp::Parser;
using mr::resp::ParserLimits;
using mr::resp::ParseStatus;

// Fuzzing builds may define NDEBUG; these checks must stay on.
#define FUZZ_CHECK(cond)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  ParseStatus last = ParseStatus::kNeedMore;
  std::string error;
  size_t leftover = 0;

  bool operator==(const Outcome&) const = default;
};

// Small limits reach every "too big" and "invalid length" path with short inputs.
ParserLimits LimitsFor(uint8_t flags) {
  ParserLimits limits;
  if (flags & 1) {
    limits.max_inline_len = 32;
    limits.max_bulk_len = 64;
    limits.max_multibulk_len = 8;
  }
  return limits;
}

// Runs one Next call and checks the invariants every result must hold.
ParseResult Step(Parser* parser, std::string_view buf, const ParserLimits& limits,
                 std::vector<std::string_view>* args) {
  ParseResult r = parser->Next(buf, args);
  FUZZ_CHECK(r.consumed <= buf.size());
  FUZZ_CHECK(parser->PendingBulkBytes() <= static_cast<size_t>(limits.max_bulk_len) + 2);
  switch (r.status) {
    case ParseStatus::kCommand:
      FUZZ_CHECK(r.consumed > 0);
      FUZZ_CHECK(r.error.empty());
      for (std::string_view a : *args) {
        const bool in_command =
            a.data() >= buf.data() && a.data() + a.size() <= buf.data() + r.consumed;
        // Only unescaped inline arguments may live in the parser's own storage.
        FUZZ_CHECK(a.empty() || in_command || buf[0] != '*');
      }
      FUZZ_CHECK(buf[0] != '*' || args->size() <= static_cast<size_t>(limits.max_multibulk_len));
      break;
    case ParseStatus::kNeedMore:
      FUZZ_CHECK(r.consumed == 0);
      FUZZ_CHECK(args->empty());
      break;
    case ParseStatus::kError:
      FUZZ_CHECK(r.consumed == 0);
      FUZZ_CHECK(r.error.rfind("Protocol error: ", 0) == 0);
      break;
  }
  return r;
}

std::vector<std::string> Copy(const std::vector<std::string_view>& args) {
  return std::vector<std::string>(args.begin(), args.end());
}

Outcome FeedWhole(std::string_view buf, uint8_t flags) {
  const ParserLimits limits = LimitsFor(flags);
  Parser parser(limits);
  parser.set_auth_required(flags & 2);
  std::vector<std::string_view> args;
  Outcome out;
  for (;;) {
    ParseResult r = Step(&parser, buf, limits, &args);
    out.last = r.status;
    if (r.status != ParseStatus::kCommand) {
      out.error = std::move(r.error);
      break;
    }
    out.commands.push_back(Copy(args));
    buf.remove_prefix(r.consumed);
  }
  out.leftover = out.last == ParseStatus::kError ? 0 : buf.size();
  return out;
}

// Feeds `data` in pseudo-random reads into a buffer that drops consumed bytes, as a connection
// does.
Outcome FeedSplit(std::string_view data, uint8_t flags, uint64_t seed, size_t max_chunk) {
  const ParserLimits limits = LimitsFor(flags);
  Parser parser(limits);
  parser.set_auth_required(flags & 2);
  std::vector<std::string_view> args;
  std::string buf;
  Outcome out;
  size_t fed = 0;
  while (fed < data.size()) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    const size_t n = std::min<size_t>(1 + seed % max_chunk, data.size() - fed);
    buf.append(data.substr(fed, n));
    fed += n;
    for (;;) {
      ParseResult r = Step(&parser, buf, limits, &args);
      out.last = r.status;
      if (r.status == ParseStatus::kError) {
        out.error = std::move(r.error);
        return out;
      }
      if (r.status == ParseStatus::kNeedMore) {
        break;
      }
      out.commands.push_back(Copy(args));
      buf.erase(0, r.consumed);
    }
  }
  out.leftover = buf.size();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte picks the limits and the auth mode; the rest is what the client sent.
  const uint8_t flags = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Outcome whole = FeedWhole(input, flags);
  const uint64_t seed = 0x9e3779b97f4a7c15ULL ^ (size * 0x100000001b3ULL) ^ flags;
  FUZZ_CHECK(FeedSplit(input, flags, seed, 1) == whole);
  FUZZ_CHECK(FeedSplit(input, flags, seed, 7) == whole);
  FUZZ_CHECK(FeedSplit(input, flags, seed, input.size() + 1) == whole);
  return 0;
}
