#include "resp/writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace mr::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";

}  // namespace

size_t FormatDouble(double v, char* out) {
  // Spelled out rather than left to the formatter: Redis does the same so that every platform sends
  // the same text, and a NaN's sign bit must not leak as "-nan".
  if (std::isinf(v)) {
    const std::string_view s = v > 0 ? "inf" : "-inf";
    std::memcpy(out, s.data(), s.size());
    return s.size();
  }
  if (std::isnan(v)) {
    std::memcpy(out, "nan", 3);
    return 3;
  }
  // Scores are mostly whole numbers: below 1e17 %.17g prints those as plain integers, and integer
  // formatting is several times faster. -0.0 must keep its sign, so zero takes the general path.
  if (v != 0 && std::fabs(v) < 1e17 && v == std::trunc(v)) {
    return static_cast<size_t>(
        std::to_chars(out, out + kMaxDoubleChars, static_cast<int64_t>(v)).ptr - out);
  }
  // Equivalent to printf("%.17g"), which is what Redis 7.0 uses for double replies.
  const auto res = std::to_chars(out, out + kMaxDoubleChars, v, std::chars_format::general, 17);
  return static_cast<size_t>(res.ptr - out);
}

std::string FormatDouble(double v) {
  char buf[kMaxDoubleChars];
  return std::string(buf, FormatDouble(v, buf));
}

void Writer::Header(char prefix, int64_t n) {
  char buf[24];  // prefix, 20 digits with sign, CRLF
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  out_->append(buf, static_cast<size_t>(end + 2 - buf));
}

void Writer::Line(char prefix, std::string_view text) {
  const size_t start = out_->size();
  out_->push_back(prefix);
  out_->append(text);
  if (text.find_first_of(kCrlf) != std::string_view::npos) {
    for (size_t i = start + 1; i < out_->size(); ++i) {
      char& c = (*out_)[i];
      if (c == '\r' || c == '\n') {
        c = ' ';
      }
    }
  }
  out_->append(kCrlf);
}

void Writer::SimpleString(std::string_view s) { Line('+', s); }

void Writer::Error(std::string_view msg) {
  // Tolerate a caller that already put the '-' in, rather than send "--ERR".
  if (!msg.empty() && msg.front() == '-') {
    msg.remove_prefix(1);
  }
  Line('-', msg);
}

void Writer::Integer(int64_t v) { Header(':', v); }

void Writer::Bulk(std::string_view s) {
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append(kCrlf);
}

void Writer::Null() {
  out_->append(proto_ == Protocol::kResp3 ? std::string_view("_\r\n")
                                           : std::string_view("$-1\r\n"));
}

void Writer::NullArray() {
  out_->append(proto_ == Protocol::kResp3 ? std::string_view("_\r\n")
                                           : std::string_view("*-1\r\n"));
}

void Writer::ArrayHeader(size_t n) { Header('*', static_cast<int64_t>(n)); }

void Writer::MapHeader(size_t pairs) {
  if (proto_ == Protocol::kResp3) {
    Header('%', static_cast<int64_t>(pairs));
  } else {
    Header('*', static_cast<int64_t>(pairs * 2));
  }
}

void Writer::SetHeader(size_t n) {
  Header(proto_ == Protocol::kResp3 ? '~' : '*', static_cast<int64_t>(n));
}

void Writer::PushHeader(size_t n) {
  Header(proto_ == Protocol::kResp3 ? '>' : '*', static_cast<int64_t>(n));
}

void Writer::Double(double v) {
  char buf[kMaxDoubleChars];
  const std::string_view text(buf, FormatDouble(v, buf));
  if (proto_ == Protocol::kResp3) {
    out_->push_back(',');
    out_->append(text);
    out_->append(kCrlf);
  } else {
    Bulk(text);
  }
}

void Writer::Boolean(bool v) {
  if (proto_ == Protocol::kResp3) {
    out_->append(v ? std::string_view("#t\r\n") : std::string_view("#f\r\n"));
  } else {
    out_->append(v ? std::string_view(":1\r\n") : std::string_view(":0\r\n"));
  }
}

void Writer::Verbatim(std::string_view fmt, std::string_view s) {
  if (proto_ != Protocol::kResp3) {
    Bulk(s);
    return;
  }
  if (fmt.size() != 3) {
    fmt = "txt";
  }
  Header('=', static_cast<int64_t>(s.size() + 4));
  out_->append(fmt);
  out_->push_back(':');
  out_->append(s);
  out_->append(kCrlf);
}

void Writer::BigNumber(std::string_view digits) {
  if (proto_ == Protocol::kResp3) {
    Line('(', digits);
  } else {
    Bulk(digits);
  }
}

void Writer::BulkArray(std::initializer_list<std::string_view> items) {
  ArrayHeader(items.size());
  for (std::string_view item : items) {
    Bulk(item);
  }
}

}  // namespace mr::resp
