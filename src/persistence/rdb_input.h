// Bounds-checked cursor over RDB bytes: lengths, the three string encodings and doubles. Every read
// is checked against the bytes left, so no length field can cause an overread or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mr::persistence {

class RdbInput {
 public:
  RdbInput(std::string_view data, uint64_t max_string_bytes)
      : data_(data), max_string_bytes_(max_string_bytes) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::string_view data() const { return data_; }
  /// The first failure, with its offset; empty while everything read fine.
  const std::string& error() const { return error_; }

  // Each Read returns false after recording the first error; later reads keep failing.
  bool ReadU8(uint8_t* v);
  bool ReadFixed(size_t n, std::string_view* out);
  bool ReadLe(size_t n, uint64_t* v);
  /// A plain length (not a string encoding marker).
  bool ReadLength(uint64_t* len);
  /// A length counting items that take at least `min_item_bytes` each: a count the remaining input
  /// cannot hold is corrupt, which bounds every reserve() made from it.
  bool ReadCount(uint64_t* count, size_t min_item_bytes);
  /// A string in any encoding: a view into the input, or into `*scratch` when decoded (integer or
  /// LZF). Valid until the next call with the same scratch.
  bool ReadBlob(std::string_view* out, std::string* scratch);
  bool ReadString(std::string* out);
  bool SkipString();
  bool ReadBinaryDouble(double* v);
  /// ZSET (type 3) scores: a length byte (253 nan, 254 +inf, 255 -inf) then decimal text.
  bool ReadTextDouble(double* v);

  /// Records `message` (once) with the current offset; returns false for `return Fail(...)`.
  bool Fail(std::string_view message);

 private:
  // `*encoding` is set (>= 0) when the length byte announces a special string encoding.
  bool ReadLengthOrEncoding(uint64_t* len, int* encoding);
  bool Truncated(size_t needed);

  std::string_view data_;
  uint64_t max_string_bytes_;
  size_t pos_ = 0;
  std::string error_;
};

/// Parses a whole decimal double as Redis' strtod calls would ("inf", "-inf" included); false on
/// trailing garbage or an empty string.
bool ParseDouble(std::string_view text, double* v);

}  // namespace mr::persistence
