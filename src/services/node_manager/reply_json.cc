#include "services/node_manager/reply_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace mr::services {
namespace json = boost::json;

namespace {

constexpr int kMaxDepth = 64;  // deeper nesting is malformed for our purposes

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

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
        *out = json::string(line);
        return true;
      case '-':
      case '!':  // RESP3 blob error carries its length; treat its line as the length below
        if (type == '!') {
          std::string_view blob;
          if (!Blob(line, &blob)) return false;
          line = blob;
        }
        *out = json::object{{"error", json::string(line)}};
        *is_error = true;
        return true;
      case ':':
      case '(': {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
        if (ec == std::errc() && p == line.data() + line.size()) {
          *out = v;
        } else {
          *out = json::string(line);  // a big number beyond int64 stays exact as a string
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
        *out = json::string(blob);
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
  size_t pos_ = 0;
};

}  // namespace

ReplyJson DecodeReply(std::string_view resp) {
  ReplyJson r;
  Decoder d(resp);
  r.complete = d.Value(&r.value, &r.is_error, 0);
  if (!r.complete) {
    r.value = nullptr;
    r.is_error = false;
  }
  return r;
}

}  // namespace mr::services
