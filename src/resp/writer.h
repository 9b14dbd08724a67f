// RESP reply writer: appends RESP2 or RESP3 replies to an output buffer. Commands write replies
// only through this type, so the protocol version (HELLO 2/3) is handled in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mr::resp {

enum class Protocol : uint8_t { kResp2 = 2, kResp3 = 3 };

/// Appends replies to `*out` (never clears it). Byte-for-byte what Redis 7.0 sends.
class Writer {
 public:
  explicit Writer(std::string* out, Protocol proto = Protocol::kResp2) : out_(out), proto_(proto) {}

  Protocol protocol() const { return proto_; }
  void set_protocol(Protocol p) { proto_ = p; }
  std::string* buffer() { return out_; }

  // SimpleString and Error turn '\r' and '\n' into spaces, as Redis does for error texts, so a
  // message built from user input cannot break the reply stream.
  void SimpleString(std::string_view s);    // +OK
  void Error(std::string_view msg);         // -ERR x (msg includes the code, e.g. "ERR x")
  void Integer(int64_t v);                  // :1
  void Bulk(std::string_view s);            // $3\r\nfoo
  void Null();                              // $-1 (RESP2) / _ (RESP3)
  void NullArray();                         // *-1 (RESP2) / _ (RESP3)
  void ArrayHeader(size_t n);               // *n
  void MapHeader(size_t pairs);             // %n (RESP3) / *2n (RESP2)
  void SetHeader(size_t n);                 // ~n (RESP3) / *n (RESP2)
  void PushHeader(size_t n);                // >n (RESP3) / *n (RESP2), for pub/sub messages
  void Double(double v);                    // ,1.5 (RESP3) / bulk "1.5" (RESP2), Redis format
  void Boolean(bool v);                     // #t (RESP3) / :1 (RESP2)
  void BigNumber(std::string_view digits);  // ( (RESP3) / bulk (RESP2)
  /// =n\r\ntxt:... (RESP3) / bulk (RESP2). `fmt` is the 3-letter type ("txt", "mkd"); anything
  /// else is sent as "txt".
  void Verbatim(std::string_view fmt, std::string_view s);
  void Raw(std::string_view bytes) { out_->append(bytes); }

  void BulkArray(std::initializer_list<std::string_view> items);

 private:
  void Header(char prefix, int64_t n);
  void Line(char prefix, std::string_view text);

  std::string* out_;
  Protocol proto_;
};

/// Enough room for any FormatDouble output ("-2.2250738585072014e-308" is 24 characters).
inline constexpr size_t kMaxDoubleChars = 32;

/// Formats a double the way Redis does in replies (%.17g, "inf", "-inf", "nan"; integers without
/// ".0"). The second form writes into `out` (kMaxDoubleChars bytes) and returns the length.
std::string FormatDouble(double v);
size_t FormatDouble(double v, char* out);

}  // namespace mr::resp
