// RESP request parser: turns client bytes into commands (arrays of bulk strings or inline lines).
// Incremental and allocation-light; knows nothing about the engine (src/resp links only std).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mr::resp {

struct ParserLimits {
  // Redis' proto-max-bulk-len (512 MB by default). Redis 7 caps the multibulk count at INT_MAX (6.x
  // used 1024*1024); the count costs nothing up front because argument slots grow as bulks arrive.
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  int64_t max_multibulk_len = INT32_MAX;
  // A line (inline command, `*N` or `$N` header) running longer than this without its terminator is
  // a protocol error (Redis' PROTO_INLINE_MAX_SIZE: 64 KB).
  size_t max_inline_len = 64 * 1024;
};

enum class ParseStatus {
  kCommand,   // one command is in `args`; `consumed` bytes may be dropped from the buffer
  kNeedMore,  // the buffer holds an incomplete command; nothing consumed
  kError,     // protocol error: `error` holds the Redis message; the connection must be closed
};

struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  size_t consumed = 0;  // > 0 on kCommand, 0 otherwise
  std::string error;    // e.g. "Protocol error: invalid multibulk length"
};

/// Parses one command at a time from a caller-owned buffer. `args` views point into that buffer, so
/// they are valid until the caller drops the consumed bytes. Partial progress is remembered between
/// calls so that a large bulk arriving in many reads is not re-scanned from the start.
///
/// After kNeedMore, call Next again with the same bytes plus whatever arrived since (the buffer may
/// have moved in memory; its start must not change). After kCommand, drop `consumed` bytes and call
/// Next again on the rest: this is how a pipeline is drained.
///
/// Follows Redis 7's processInlineBuffer / processMultibulkBuffer, quirks included: the two bytes
/// after a bulk are skipped unchecked, and a NUL byte hides a line terminator (Redis uses strchr).
class Parser {
 public:
  explicit Parser(ParserLimits limits = {}) : limits_(limits) {}

  /// Parses the next command from `buf`. On kCommand, `args` holds its arguments (an empty inline
  /// line, `*0` or `*-1` yields kCommand with empty args, which the caller skips, as Redis does).
  /// Inline arguments that needed unescaping live in the parser and stay valid until the next call.
  ParseResult Next(std::string_view buf, std::vector<std::string_view>* args);

  /// Bytes the parser still expects for the current bulk argument, including its trailing CRLF, as
  /// of the last Next call (lets the reader pre-size buffers). 0 when no bulk is in progress.
  size_t PendingBulkBytes() const;

  /// Redis' authRequired(): until the client authenticates, a command may have at most 10 arguments
  /// of at most 16 KB each ("Protocol error: unauthenticated multibulk length" / "bulk length").
  void set_auth_required(bool required) { auth_required_ = required; }
  bool auth_required() const { return auth_required_; }

  /// Forgets any partially parsed command.
  void Reset();

 private:
  ParseResult ParseInline(std::string_view buf, std::vector<std::string_view>* args);
  ParseResult ParseMultibulk(std::string_view buf, std::vector<std::string_view>* args);
  // Finds `term` in the line starting at `start`; resumes where the previous call stopped.
  bool FindTerminator(std::string_view buf, size_t start, char term, size_t* at);
  bool SplitInline(std::string_view line, std::vector<std::string_view>* args);
  ParseResult Complete(std::string_view buf, std::vector<std::string_view>* args);
  ParseResult Fail(std::string message);
  void ResetLine();

  // An inline token: a view into the request line, or (view == nullptr) bytes in inline_storage_.
  struct InlineToken {
    const char* view;
    size_t offset;
    size_t len;
  };

  ParserLimits limits_;
  bool auth_required_ = false;
  // Resumable state for a partially received multibulk (offsets relative to the buffer start).
  int64_t multibulk_len_ = -1;  // arguments still to read; -1 until the `*N` line is parsed
  int64_t bulk_len_ = -1;       // length of the bulk being read; -1 until its `$N` line is parsed
  size_t pos_ = 0;              // first byte not yet parsed
  size_t scanned_ = 0;          // the line at pos_ has no terminator before this offset
  bool line_blocked_ = false;   // a NUL byte precedes the terminator of the line at pos_
  size_t last_size_ = 0;        // buffer size seen by the last Next call
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // (offset, length) of the bulks read so far
  std::string inline_storage_;
  std::vector<InlineToken> inline_tokens_;
};

}  // namespace mr::resp
