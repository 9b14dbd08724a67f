#include "services/node_manager/reply_json.h"

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdlib>

namespace mr::services {
namespace json = boost::json;

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates or code points
// beyond U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8SequenceAt(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char d = b(i + 1);
    if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char d = b(i + 1);
    if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceAt(s, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out.append(s.substr(copied, i - copied));
    out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for each byte that is not text
    copied = ++i;
  }
  if (copied == 0) {
    return std::string(s);
  }
  out.append(s.substr(copied));
  return out;
}

namespace {

constexpr int kMaxDepth = 64;  // deeper nesting is malformed for our purposes

class Decoder {
 public:
  Decoder(std::string_view in, ReplyOptions options) : in_(in), options_(options) {}

  size_t pos() const { return pos_; }

  // The item count of an array reply at the current position; -1 when there is none.
  int64_t ArrayHeader() {
    std::string_view line;
    if (pos_ >= in_.size() || in_[pos_] != '*') {
      return -1;
    }
    ++pos_;
    int64_t n = -1;
    if (!Line(&line)) {
      return -1;
    }
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
    return ec == std::errc() && p == line.data() + line.size() ? n : -1;
  }

  bool Value(json::value* out, bool* is_error, int depth) {
    if (depth > kMaxDepth || pos_ >= in_.size()) {
      return false;
    }
    char type = in_[pos_++];
    std::string_view line;
    if (!Line(&line)) {
      return false;
    }
    switch (type) {
      case '+':
        *out = String(line, line != "OK");
        return true;
      case '-':
      case '!':  // RESP3 blob error carries its length; treat its line as the length below
        if (type == '!') {
          std::string_view blob;
          if (!Blob(line, &blob)) return false;
          line = blob;
        }
        *out = json::object{{"error", json::string(ToValidUtf8(line))}};
        *is_error = true;
        return true;
      case ':':
      case '(': {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
        if (ec == std::errc() && p == line.data() + line.size()) {
          *out = v;
        } else {
          *out = String(line, true);  // a big number beyond int64 stays exact as a string
        }
        return true;
      }
      case ',':
        return Double(line, out);
      case '#':
        *out = line == "t";
        return true;
      case '_':
        *out = nullptr;
        return true;
      case '$':
      case '=': {
        if (line == "-1") {
          *out = nullptr;
          return true;
        }
        std::string_view blob;
        if (!Blob(line, &blob)) return false;
        if (type == '=' && blob.size() >= 4) {
          blob.remove_prefix(4);  // "txt:" format prefix
        }
        *out = String(blob, true);
        return true;
      }
      case '*':
      case '~':
      case '>':
        return Aggregate(line, 1, out, depth);
      case '%':
      case '|':
        return Aggregate(line, 2, out, depth);
      default:
        return false;
    }
  }

 private:
  json::string String(std::string_view s, bool encodable) const {
    return options_.base64 && encodable ? json::string(Base64Encode(s))
                                        : json::string(ToValidUtf8(s));
  }

  bool Line(std::string_view* out) {
    size_t end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) {
      return false;
    }
    *out = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }

  bool Blob(std::string_view len_text, std::string_view* out) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), n);
    if (ec != std::errc() || n < 0 || static_cast<uint64_t>(n) + 2 > in_.size() - pos_) {
      return false;
    }
    *out = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n) + 2;
    return true;
  }

  bool Double(std::string_view line, json::value* out) {
    std::string s(line);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) {
      return false;
    }
    if (std::isfinite(d)) {
      *out = d;
    } else {
      *out = json::string(line);
    }
    return true;
  }

  bool Aggregate(std::string_view len_text, int per_item, json::value* out, int depth) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), n);
    if (ec != std::errc()) {
      return false;
    }
    if (n < 0) {
      *out = nullptr;  // *-1: null array
      return true;
    }
    // Each element needs at least 3 bytes, so a claimed length beyond that is malformed input.
    if (static_cast<uint64_t>(n) * per_item > (in_.size() - pos_) / 3 + 1) {
      return false;
    }
    json::array arr;
    arr.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      bool ignored_error = false;
      if (per_item == 1) {
        json::value v;
        if (!Value(&v, &ignored_error, depth + 1)) return false;
        arr.push_back(std::move(v));
      } else {
        json::value k, v;
        if (!Value(&k, &ignored_error, depth + 1) || !Value(&v, &ignored_error, depth + 1)) {
          return false;
        }
        arr.push_back(json::array{std::move(k), std::move(v)});
      }
    }
    *out = std::move(arr);
    return true;
  }

  std::string_view in_;
  ReplyOptions options_;
  size_t pos_ = 0;
};

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) {
      v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    }
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool SplitArrayReply(std::string_view resp, std::vector<std::string_view>* items) {
  Decoder d(resp, {});
  int64_t n = d.ArrayHeader();
  // Each item needs at least 3 bytes: a larger count is malformed, not a reason to allocate.
  if (n < 0 || static_cast<uint64_t>(n) > resp.size() / 3 + 1) {
    return false;
  }
  items->clear();
  for (int64_t i = 0; i < n; ++i) {
    size_t start = d.pos();
    json::value ignored;
    bool is_error = false;
    if (!d.Value(&ignored, &is_error, 1)) {
      return false;
    }
    items->push_back(resp.substr(start, d.pos() - start));
  }
  return true;
}

ReplyJson DecodeReply(std::string_view resp, ReplyOptions options) {
  ReplyJson r;
  Decoder d(resp, options);
  r.complete = d.Value(&r.value, &r.is_error, 0);
  if (!r.complete) {
    r.value = nullptr;
    r.is_error = false;
  }
  return r;
}

}  // namespace mr::services
