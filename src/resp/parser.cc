#include "resp/parser.h"

#include <algorithm>
#include <limits>

namespace mr::resp {
namespace {

constexpr char kTooBigInline[] = "Protocol error: too big inline request";
constexpr char kTooBigMbulk[] = "Protocol error: too big mbulk count string";
constexpr char kTooBigBulk[] = "Protocol error: too big bulk count string";
constexpr char kInvalidMbulk[] = "Protocol error: invalid multibulk length";
constexpr char kInvalidBulk[] = "Protocol error: invalid bulk length";
constexpr char kUnauthMbulk[] = "Protocol error: unauthenticated multibulk length";
constexpr char kUnauthBulk[] = "Protocol error: unauthenticated bulk length";
constexpr char kUnbalanced[] = "Protocol error: unbalanced quotes in request";

// Redis' authRequired() limits: a client that has not authenticated cannot make the server buffer
// more than a few small arguments.
constexpr int64_t kUnauthMaxArgs = 10;
constexpr int64_t kUnauthMaxBulk = 16 * 1024;
// Redis pre-sizes argv to at most this many slots; a huge `*N` must not allocate before data
// arrives.
constexpr int64_t kInitialArgSlots = 1024;
// A command with more arguments than this does not pin its span vector for the connection's life.
constexpr size_t kMaxRetainedSpans = 64 * 1024;

// Same acceptance rules as Redis' string2ll, so that the same headers are rejected: optional '-',
// no '+', no leading zeros (except "0" itself), no spaces, fewer than 21 characters, no overflow.
bool ParseLength(const char* p, size_t len, int64_t* out) {
  if (len == 0 || len >= 21) {
    return false;
  }
  if (len == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  const bool negative = p[0] == '-';
  size_t i = negative ? 1 : 0;
  if (i == len || p[i] < '1' || p[i] > '9') {
    return false;
  }
  uint64_t v = 0;
  for (; i < len; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9 || v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return false;
    }
    v = v * 10 + d;
  }
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (v > kMax + 1) {
      return false;
    }
    *out = static_cast<int64_t>(0 - v);  // wraps to INT64_MIN for kMax + 1, as intended
  } else {
    if (v > kMax) {
      return false;
    }
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// C isspace() in the "C" locale: what sdssplitargs skips between arguments.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c <= '9') {
    return c - '0';
  }
  return (c | 0x20) - 'a' + 10;
}

char UnescapeChar(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// One inline argument under construction: a view into the line while its bytes are a contiguous run
// of the line, copied into `storage` from the first escape or quote boundary on.
class InlineArg {
 public:
  explicit InlineArg(std::string* storage) : storage_(storage) {}

  // Appends `c`, which is the line byte at `src`, or the result of an escape when src is null.
  void Append(const char* src, char c) {
    if (!owned_) {
      if (len_ == 0 && src != nullptr) {
        view_ = src;
      }
      if (src != nullptr && *src == c && view_ + len_ == src) {
        ++len_;
        return;
      }
      owned_ = true;
      offset_ = storage_->size();
      if (len_ > 0) {
        storage_->append(view_, len_);
      }
    }
    storage_->push_back(c);
    ++len_;
  }

  // Appends n plain line bytes starting at src (the common unquoted token, in one step).
  void AppendRun(const char* src, size_t n) {
    if (n == 0) {
      return;
    }
    if (!owned_) {
      if (len_ == 0) {
        view_ = src;
      }
      if (view_ + len_ == src) {
        len_ += n;
        return;
      }
      owned_ = true;
      offset_ = storage_->size();
      if (len_ > 0) {
        storage_->append(view_, len_);
      }
    }
    storage_->append(src, n);
    len_ += n;
  }

  const char* view() const { return owned_ ? nullptr : view_; }
  size_t offset() const { return offset_; }
  size_t len() const { return len_; }

 private:
  std::string* storage_;
  const char* view_ = nullptr;
  size_t offset_ = 0;
  size_t len_ = 0;
  bool owned_ = false;
};

// A closing quote must be followed by a blank or the end of the line.
bool ClosesArg(const char* quote, const char* end) {
  return quote + 1 == end || IsSpace(quote[1]);
}

// Reads the body of a "..." quote starting after the opening quote; *p ends on the closing one.
bool ReadDoubleQuoted(const char** p, const char* end, InlineArg* arg) {
  for (const char* q = *p; q < end; ++q) {
    if (*q == '\\' && end - q >= 4 && q[1] == 'x' && IsHex(q[2]) && IsHex(q[3])) {
      arg->Append(nullptr, static_cast<char>(HexValue(q[2]) * 16 + HexValue(q[3])));
      q += 3;
    } else if (*q == '\\' && q + 1 < end) {
      ++q;
      arg->Append(q, UnescapeChar(*q));
    } else if (*q == '"') {
      *p = q;
      return ClosesArg(q, end);
    } else {
      arg->Append(q, *q);
    }
  }
  return false;
}

// Reads the body of a '...' quote, where only \' is an escape.
bool ReadSingleQuoted(const char** p, const char* end, InlineArg* arg) {
  for (const char* q = *p; q < end; ++q) {
    if (*q == '\\' && q + 1 < end && q[1] == '\'') {
      ++q;
      arg->Append(q, '\'');
    } else if (*q == '\'') {
      *p = q;
      return ClosesArg(q, end);
    } else {
      arg->Append(q, *q);
    }
  }
  return false;
}

// Reads one argument starting at *p (not a blank) up to and including the byte that ends it, as
// sdssplitargs does: unquoted bytes end at ' ', \t, \r or \n (not \v or \f); a quote may open in
// the middle of an argument (a"b c" is `ab c`) and closes it. False on unbalanced quotes.
bool ReadInlineArg(const char** p, const char* end, InlineArg* arg) {
  const char* q = *p;
  const char* run = q;  // plain bytes not yet appended (measured: per-byte appends cost ~1k
                        // instructions per inline command)
  for (; q < end; ++q) {
    const char c = *q;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      break;
    }
    if (c == '"' || c == '\'') {
      arg->AppendRun(run, static_cast<size_t>(q - run));
      run = nullptr;
      ++q;
      if (!(c == '"' ? ReadDoubleQuoted(&q, end, arg) : ReadSingleQuoted(&q, end, arg))) {
        return false;
      }
      break;
    }
  }
  if (run != nullptr) {
    arg->AppendRun(run, static_cast<size_t>(q - run));
  }
  *p = q < end ? q + 1 : end;
  return true;
}

}  // namespace

ParseResult Parser::Next(std::string_view buf, std::vector<std::string_view>* args) {
  args->clear();
  last_size_ = buf.size();
  if (buf.empty()) {
    Reset();
    return {};
  }
  // A caller that shrank or replaced the buffer mid-command broke the contract; starting over is
  // safe, reading stale offsets is not.
  if (pos_ > buf.size() || scanned_ > buf.size() || (buf[0] != '*' && multibulk_len_ >= 0)) {
    Reset();
  }
  if (buf[0] == '*') {
    return ParseMultibulk(buf, args);
  }
  return ParseInline(buf, args);
}

size_t Parser::PendingBulkBytes() const {
  if (multibulk_len_ <= 0 || bulk_len_ < 0) {
    return 0;
  }
  const size_t need = static_cast<size_t>(bulk_len_) + 2;
  const size_t have = last_size_ - pos_;
  return need > have ? need - have : 0;
}

void Parser::Reset() {
  multibulk_len_ = -1;
  bulk_len_ = -1;
  pos_ = 0;
  ResetLine();
  arg_spans_.clear();
}

void Parser::ResetLine() {
  scanned_ = 0;
  line_blocked_ = false;
}

// Redis looks for line ends with strchr() on its NUL-terminated query buffer, so a NUL byte before
// the terminator hides it: the line then counts as unterminated until it exceeds max_inline_len. We
// keep that behaviour so that clients see the same errors as from Redis.
bool Parser::FindTerminator(std::string_view buf, size_t start, char term, size_t* at) {
  if (line_blocked_) {
    return false;
  }
  const char* const data = buf.data();
  const char* p = data + std::max(start, scanned_);
  const char* const end = data + buf.size();
  for (; p < end; ++p) {
    if (*p == term) {
      *at = static_cast<size_t>(p - data);
      return true;
    }
    if (*p == '\0') {
      line_blocked_ = true;
      return false;
    }
  }
  scanned_ = buf.size();
  return false;
}

ParseResult Parser::Fail(std::string message) {
  Reset();
  ParseResult r;
  r.status = ParseStatus::kError;
  r.error = std::move(message);
  return r;
}

ParseResult Parser::Complete(std::string_view buf, std::vector<std::string_view>* args) {
  ParseResult r;
  r.status = ParseStatus::kCommand;
  r.consumed = pos_;
  args->reserve(arg_spans_.size());
  for (const auto& [offset, len] : arg_spans_) {
    args->emplace_back(buf.data() + offset, len);
  }
  if (arg_spans_.capacity() > kMaxRetainedSpans) {
    std::vector<std::pair<size_t, size_t>>().swap(arg_spans_);
  }
  Reset();
  return r;
}

// The line-length checks compare the terminator's offset, not just the bytes at hand, so a command
// gets the same answer however the network splits it (Redis would have seen the over-long prefix).
ParseResult Parser::ParseMultibulk(std::string_view buf, std::vector<std::string_view>* args) {
  const char* const data = buf.data();
  const size_t size = buf.size();
  if (multibulk_len_ < 0) {
    size_t cr = 0;
    if (!FindTerminator(buf, 0, '\r', &cr)) {
      return size > limits_.max_inline_len ? Fail(kTooBigMbulk) : ParseResult{};
    }
    if (cr > limits_.max_inline_len) {
      return Fail(kTooBigMbulk);
    }
    // Like Redis, the byte after '\r' is taken as the '\n' without looking at it.
    if (cr + 2 > size) {
      return {};
    }
    int64_t count = 0;
    if (!ParseLength(data + 1, cr - 1, &count) || count > limits_.max_multibulk_len) {
      return Fail(kInvalidMbulk);
    }
    if (count > kUnauthMaxArgs && auth_required_) {
      return Fail(kUnauthMbulk);
    }
    pos_ = cr + 2;
    ResetLine();
    if (count <= 0) {
      return Complete(buf, args);
    }
    multibulk_len_ = count;
    arg_spans_.clear();
    arg_spans_.reserve(static_cast<size_t>(std::min(count, kInitialArgSlots)));
  }

  while (multibulk_len_ > 0) {
    if (bulk_len_ < 0) {
      size_t cr = 0;
      if (!FindTerminator(buf, pos_, '\r', &cr)) {
        return size - pos_ > limits_.max_inline_len ? Fail(kTooBigBulk) : ParseResult{};
      }
      if (cr - pos_ > limits_.max_inline_len) {
        return Fail(kTooBigBulk);
      }
      if (cr + 2 > size) {
        return {};
      }
      if (data[pos_] != '$') {
        std::string msg = "Protocol error: expected '$', got ' '";
        msg[msg.size() - 2] = data[pos_];
        return Fail(std::move(msg));
      }
      int64_t len = 0;
      if (!ParseLength(data + pos_ + 1, cr - pos_ - 1, &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail(kInvalidBulk);
      }
      if (len > kUnauthMaxBulk && auth_required_) {
        return Fail(kUnauthBulk);
      }
      pos_ = cr + 2;
      ResetLine();
      bulk_len_ = len;
    }
    // The two bytes after the payload are skipped unchecked, as Redis does.
    if (size - pos_ < static_cast<size_t>(bulk_len_) + 2) {
      return {};
    }
    arg_spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(bulk_len_) + 2;
    bulk_len_ = -1;
    --multibulk_len_;
  }
  return Complete(buf, args);
}

ParseResult Parser::ParseInline(std::string_view buf, std::vector<std::string_view>* args) {
  size_t nl = 0;
  if (!FindTerminator(buf, 0, '\n', &nl)) {
    return buf.size() > limits_.max_inline_len ? Fail(kTooBigInline) : ParseResult{};
  }
  if (nl > limits_.max_inline_len) {
    return Fail(kTooBigInline);
  }
  size_t line_len = nl;
  if (line_len > 0 && buf[line_len - 1] == '\r') {
    --line_len;
  }
  if (!SplitInline(buf.substr(0, line_len), args)) {
    return Fail(kUnbalanced);
  }
  Reset();
  ParseResult r;
  r.status = ParseStatus::kCommand;
  r.consumed = nl + 1;
  return r;
}

// Splits an inline line with the rules of Redis' sdssplitargs. An argument that is a plain run of
// line bytes stays a view into the line; only one that needs unescaping or joining is copied.
bool Parser::SplitInline(std::string_view line, std::vector<std::string_view>* args) {
  inline_storage_.clear();
  inline_tokens_.clear();
  const char* p = line.data();
  const char* const end = p + line.size();
  for (;;) {
    while (p < end && IsSpace(*p)) {
      ++p;
    }
    if (p == end) {
      break;
    }
    InlineArg arg(&inline_storage_);
    if (!ReadInlineArg(&p, end, &arg)) {
      return false;
    }
    inline_tokens_.push_back({arg.view(), arg.offset(), arg.len()});
  }
  args->reserve(inline_tokens_.size());
  for (const InlineToken& t : inline_tokens_) {
    args->emplace_back(t.view != nullptr ? t.view : inline_storage_.data() + t.offset, t.len);
  }
  return true;
}

}  // namespace mr::resp
