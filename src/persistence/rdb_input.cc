#include "persistence/rdb_input.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "persistence/byte_order.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"

namespace mr::persistence {

bool RdbInput::Fail(std::string_view message) {
  if (error_.empty()) {
    error_ = std::string(message) + " (at offset " + std::to_string(pos_) + ")";
  }
  return false;
}

bool RdbInput::Truncated(size_t needed) {
  return Fail("unexpected end of file: " + std::to_string(needed) + " more bytes needed, " +
              std::to_string(remaining()) + " left");
}

bool RdbInput::ReadU8(uint8_t* v) {
  if (!error_.empty()) return false;
  if (remaining() < 1) return Truncated(1);
  *v = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool RdbInput::ReadFixed(size_t n, std::string_view* out) {
  if (!error_.empty()) return false;
  if (remaining() < n) return Truncated(n);
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool RdbInput::ReadLe(size_t n, uint64_t* v) {
  std::string_view bytes;
  if (!ReadFixed(n, &bytes)) return false;
  *v = LoadLe(bytes.data(), n);
  return true;
}

bool RdbInput::ReadLengthOrEncoding(uint64_t* len, int* encoding) {
  *encoding = -1;
  uint8_t first = 0;
  if (!ReadU8(&first)) return false;
  std::string_view bytes;
  switch (first >> 6) {
    case kLen6Bit:
      *len = first & 0x3f;
      return true;
    case kLen14Bit:
      if (!ReadFixed(1, &bytes)) return false;
      *len = ((first & 0x3f) << 8) | static_cast<uint8_t>(bytes[0]);
      return true;
    case kLenEncoded:
      *encoding = first & 0x3f;
      *len = 0;
      return true;
  }
  if (first == kLen32Bit || first == kLen64Bit) {
    const size_t n = first == kLen32Bit ? 4 : 8;
    if (!ReadFixed(n, &bytes)) return false;
    *len = LoadBe(bytes.data(), n);
    return true;
  }
  pos_ -= 1;
  return Fail("invalid length byte " + std::to_string(first));
}

bool RdbInput::ReadLength(uint64_t* len) {
  int encoding = -1;
  if (!ReadLengthOrEncoding(len, &encoding)) return false;
  if (encoding >= 0) {
    pos_ -= 1;
    return Fail("a string encoding where a length was expected");
  }
  return true;
}

bool RdbInput::ReadCount(uint64_t* count, size_t min_item_bytes) {
  if (!ReadLength(count)) return false;
  if (*count > remaining() / min_item_bytes) {
    return Fail("count " + std::to_string(*count) + " cannot fit in the " +
                std::to_string(remaining()) + " bytes left");
  }
  return true;
}

bool RdbInput::ReadBlob(std::string_view* out, std::string* scratch) {
  uint64_t len = 0;
  int encoding = -1;
  if (!ReadLengthOrEncoding(&len, &encoding)) return false;
  if (encoding < 0) {
    if (len > max_string_bytes_) return Fail("string of " + std::to_string(len) + " bytes");
    return ReadFixed(len, out);
  }
  if (encoding == kEncInt8 || encoding == kEncInt16 || encoding == kEncInt32) {
    const size_t width = size_t{1} << encoding;
    uint64_t raw = 0;
    if (!ReadLe(width, &raw)) return false;
    *scratch = std::to_string(SignExtend(raw, width));
    *out = *scratch;
    return true;
  }
  if (encoding != kEncLzf) {
    pos_ -= 1;
    return Fail("unknown string encoding " + std::to_string(encoding));
  }
  uint64_t compressed_len = 0;
  uint64_t len_out = 0;
  if (!ReadLength(&compressed_len) || !ReadLength(&len_out)) return false;
  std::string_view compressed;
  if (!ReadFixed(compressed_len, &compressed)) return false;
  if (len_out > max_string_bytes_ || len_out > compressed_len * kLzfMaxRatio) {
    return Fail("LZF string claims " + std::to_string(len_out) + " bytes from " +
                std::to_string(compressed_len));
  }
  if (!LzfDecompress(compressed, len_out, scratch)) return Fail("corrupt LZF string");
  *out = *scratch;
  return true;
}

bool RdbInput::ReadString(std::string* out) {
  std::string_view view;
  if (!ReadBlob(&view, out)) return false;
  if (view.data() != out->data()) {
    out->assign(view);
  }
  return true;
}

bool RdbInput::SkipString() {
  uint64_t len = 0;
  int encoding = -1;
  if (!ReadLengthOrEncoding(&len, &encoding)) return false;
  std::string_view ignored;
  if (encoding < 0) return ReadFixed(len, &ignored);
  if (encoding <= kEncInt32) return ReadFixed(size_t{1} << encoding, &ignored);
  if (encoding != kEncLzf) {
    pos_ -= 1;
    return Fail("unknown string encoding " + std::to_string(encoding));
  }
  uint64_t compressed_len = 0;
  return ReadLength(&compressed_len) && ReadLength(&len) && ReadFixed(compressed_len, &ignored);
}

bool RdbInput::ReadBinaryDouble(double* v) {
  uint64_t bits = 0;
  if (!ReadLe(8, &bits)) return false;
  std::memcpy(v, &bits, sizeof(*v));
  return true;
}

bool RdbInput::ReadTextDouble(double* v) {
  uint8_t len = 0;
  if (!ReadU8(&len)) return false;
  switch (len) {
    case 253: *v = std::numeric_limits<double>::quiet_NaN(); return true;
    case 254: *v = std::numeric_limits<double>::infinity(); return true;
    case 255: *v = -std::numeric_limits<double>::infinity(); return true;
  }
  std::string_view text;
  if (!ReadFixed(len, &text)) return false;
  if (!ParseDouble(text, v)) return Fail("invalid score text");
  return true;
}

bool ParseDouble(std::string_view text, double* v) {
  if (text.empty() || text.size() > 128 || std::isspace(static_cast<unsigned char>(text[0]))) {
    return false;
  }
  const std::string copy(text);  // strtod needs a terminator
  char* end = nullptr;
  *v = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

}  // namespace mr::persistence
