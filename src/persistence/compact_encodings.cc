#include "persistence/compact_encodings.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "persistence/byte_order.h"

namespace mr::persistence {
namespace {

constexpr size_t kListpackHeader = 6;  // total bytes (u32) + element count (u16)
constexpr uint16_t kListpackUnknownCount = 65535;
constexpr unsigned char kListpackEof = 0xff;
constexpr size_t kZiplistHeader = 10;  // total bytes (u32) + tail offset (u32) + count (u16)
constexpr uint16_t kZiplistUnknownCount = 65535;

size_t BacklenBytes(size_t entry_len) {
  if (entry_len <= 127) return 1;
  if (entry_len < 16383) return 2;
  if (entry_len < 2097151) return 3;
  if (entry_len < 268435455) return 4;
  return 5;
}

// The most significant 7-bit group comes first; every later byte has its top bit set, so a reader
// walking backwards knows when to stop.
void AppendBacklen(std::string* out, size_t entry_len) {
  const size_t n = BacklenBytes(entry_len);
  for (size_t i = n; i-- > 0;) {
    unsigned char b = (entry_len >> (7 * i)) & 127;
    if (i + 1 != n) {
      b |= 128;
    }
    out->push_back(static_cast<char>(b));
  }
}

// Reads a backlen ending at `end` (exclusive) the way lpDecodeBacklen walks it.
bool ReadBacklen(std::string_view blob, size_t begin, size_t end, uint64_t* value) {
  *value = 0;
  size_t shift = 0;
  for (size_t p = end; p > begin && shift <= 28; shift += 7) {
    const auto b = static_cast<unsigned char>(blob[--p]);
    *value |= uint64_t{b & 127u} << shift;
    if (!(b & 128)) {
      return p == begin;
    }
  }
  return false;
}

void AppendListpackInt(std::string* out, int64_t v) {
  if (v >= 0 && v <= 127) {
    out->push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t uv = v < 0 ? (uint64_t{1} << 13) + v : v;
    out->push_back(static_cast<char>(0xc0 | (uv >> 8)));
    out->push_back(static_cast<char>(uv & 0xff));
  } else if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    out->push_back(static_cast<char>(0xf1));
    AppendLe(out, static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    out->push_back(static_cast<char>(0xf2));
    AppendLe(out, static_cast<uint64_t>(v), 3);
  } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    out->push_back(static_cast<char>(0xf3));
    AppendLe(out, static_cast<uint64_t>(v), 4);
  } else {
    out->push_back(static_cast<char>(0xf4));
    AppendLe(out, static_cast<uint64_t>(v), 8);
  }
}

void AppendListpackString(std::string* out, std::string_view s) {
  if (s.size() < 64) {
    out->push_back(static_cast<char>(0x80 | s.size()));
  } else if (s.size() < 4096) {
    out->push_back(static_cast<char>(0xe0 | (s.size() >> 8)));
    out->push_back(static_cast<char>(s.size() & 0xff));
  } else {
    out->push_back(static_cast<char>(0xf0));
    AppendLe(out, s.size(), 4);
  }
  out->append(s);
}

// Decodes the listpack entry at `*pos` (not the end marker); advances past its backlen.
Status DecodeListpackEntry(std::string_view blob, size_t end, size_t* pos, std::string* value) {
  const size_t start = *pos;
  const auto b = static_cast<unsigned char>(blob[start]);
  size_t header = 1;
  uint64_t str_len = 0;
  size_t int_bytes = 0;  // 0: a string entry
  if (b < 0x80) {
    *value = std::to_string(b);
  } else if ((b & 0xc0) == 0x80) {
    str_len = b & 0x3f;
  } else if ((b & 0xe0) == 0xc0 || (b & 0xf0) == 0xe0) {
    if (end - start < 2) return Status::Error("listpack entry header overruns the blob");
    header = 2;
    const uint64_t v = ((b & 0x1f) << 8) | static_cast<unsigned char>(blob[start + 1]);
    if ((b & 0xe0) == 0xc0) {
      *value = std::to_string(SignExtend(v << 3, 2) >> 3);  // 13-bit two's complement
    } else {
      str_len = ((b & 0x0f) << 8) | static_cast<unsigned char>(blob[start + 1]);
    }
  } else if (b == 0xf0) {
    if (end - start < 5) return Status::Error("listpack entry header overruns the blob");
    header = 5;
    str_len = LoadLe(blob.data() + start + 1, 4);
  } else if (b >= 0xf1 && b <= 0xf4) {
    static constexpr size_t kWidths[] = {2, 3, 4, 8};
    int_bytes = kWidths[b - 0xf1];
  } else {
    return Status::Error("listpack entry has an invalid encoding byte");
  }
  const bool is_string = (b & 0xc0) == 0x80 || (b & 0xf0) == 0xe0 || b == 0xf0;
  const uint64_t payload = is_string ? str_len : int_bytes;
  if (payload > end - start - header) {
    return Status::Error("listpack entry overruns the blob");
  }
  if (is_string) {
    value->assign(blob.substr(start + header, str_len));
  } else if (int_bytes > 0) {
    const uint64_t raw = LoadLe(blob.data() + start + header, int_bytes);
    *value = std::to_string(SignExtend(raw, int_bytes));
  }
  const size_t entry_len = header + payload;
  const size_t backlen_end = start + entry_len + BacklenBytes(entry_len);
  uint64_t backlen = 0;
  if (backlen_end > end || !ReadBacklen(blob, start + entry_len, backlen_end, &backlen) ||
      backlen != entry_len) {
    return Status::Error("listpack entry has a bad back length");
  }
  *pos = backlen_end;
  return Status::Ok();
}

// Decodes the ziplist entry at `*pos`; `prev_len` is the previous entry's size (0 for the first).
Status DecodeZiplistEntry(std::string_view blob, size_t end, size_t prev_len, size_t* pos,
                          std::string* value) {
  const size_t start = *pos;
  size_t p = start;
  uint64_t prevlen = static_cast<unsigned char>(blob[p]);
  if (prevlen == 254) {
    if (end - p < 5) return Status::Error("ziplist entry header overruns the blob");
    prevlen = LoadLe(blob.data() + p + 1, 4);
    p += 5;
  } else {
    p += 1;
  }
  if (prevlen != prev_len) return Status::Error("ziplist entry has a wrong previous length");
  if (p >= end) return Status::Error("ziplist entry header overruns the blob");
  const auto b = static_cast<unsigned char>(blob[p]);
  uint64_t str_len = 0;
  size_t int_bytes = 0;
  bool is_string = true;
  if ((b >> 6) == 0) {
    str_len = b & 0x3f;
    p += 1;
  } else if ((b >> 6) == 1) {
    if (end - p < 2) return Status::Error("ziplist entry header overruns the blob");
    str_len = ((b & 0x3f) << 8) | static_cast<unsigned char>(blob[p + 1]);
    p += 2;
  } else if ((b >> 6) == 2) {
    if (end - p < 5) return Status::Error("ziplist entry header overruns the blob");
    str_len = LoadBe(blob.data() + p + 1, 4);
    p += 5;
  } else {
    is_string = false;
    p += 1;
    switch (b) {
      case 0xc0: int_bytes = 2; break;
      case 0xd0: int_bytes = 4; break;
      case 0xe0: int_bytes = 8; break;
      case 0xf0: int_bytes = 3; break;
      case 0xfe: int_bytes = 1; break;
      default:
        if (b < 0xf1 || b > 0xfd) return Status::Error("ziplist entry has an invalid encoding");
        *value = std::to_string((b & 0x0f) - 1);  // 4-bit immediate 0..12
    }
  }
  const uint64_t payload = is_string ? str_len : int_bytes;
  if (payload > end - p) return Status::Error("ziplist entry overruns the blob");
  if (is_string) {
    value->assign(blob.substr(p, str_len));
  } else if (int_bytes > 0) {
    *value = std::to_string(SignExtend(LoadLe(blob.data() + p, int_bytes), int_bytes));
  }
  *pos = p + payload;
  return Status::Ok();
}

}  // namespace

bool ParseCanonicalInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) {
    return false;
  }
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return false;
  }
  // from_chars accepts "007" and "-0"; printing back rejects every non-canonical spelling.
  char buf[24];
  const auto printed = std::to_chars(buf, buf + sizeof(buf), v);
  if (std::string_view(buf, printed.ptr - buf) != s) {
    return false;
  }
  *out = v;
  return true;
}

ListpackBuilder::ListpackBuilder() { body_.assign(kListpackHeader, '\0'); }

void ListpackBuilder::Append(std::string_view element) {
  const size_t before = body_.size();
  int64_t v = 0;
  if (ParseCanonicalInt64(element, &v)) {
    AppendListpackInt(&body_, v);
  } else {
    AppendListpackString(&body_, element);
  }
  AppendBacklen(&body_, body_.size() - before);
  ++count_;
}

size_t ListpackBuilder::EntryBytes(std::string_view element) {
  std::string tmp;
  int64_t v = 0;
  if (ParseCanonicalInt64(element, &v)) {
    AppendListpackInt(&tmp, v);
    return tmp.size() + BacklenBytes(tmp.size());
  }
  size_t header = element.size() < 64 ? 1 : element.size() < 4096 ? 2 : 5;
  return header + element.size() + BacklenBytes(header + element.size());
}

std::string ListpackBuilder::Finish() {
  body_.push_back(static_cast<char>(kListpackEof));
  std::string header;
  AppendLe(&header, body_.size(), 4);
  AppendLe(&header, std::min<size_t>(count_, kListpackUnknownCount), 2);
  body_.replace(0, kListpackHeader, header);
  std::string out = std::move(body_);
  body_.assign(kListpackHeader, '\0');
  count_ = 0;
  return out;
}

std::string EncodeIntset(std::span<const int64_t> sorted) {
  size_t width = 2;
  for (int64_t v : sorted) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      width = 8;
    } else if ((v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max())) {
      width = std::max<size_t>(width, 4);
    }
  }
  std::string out;
  out.reserve(8 + width * sorted.size());
  AppendLe(&out, width, 4);
  AppendLe(&out, sorted.size(), 4);
  for (int64_t v : sorted) {
    AppendLe(&out, static_cast<uint64_t>(v), width);
  }
  return out;
}

Status DecodeListpack(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < kListpackHeader + 1) return Status::Error("listpack shorter than its header");
  if (LoadLe(blob.data(), 4) != blob.size()) {
    return Status::Error("listpack size header does not match the blob");
  }
  if (static_cast<unsigned char>(blob.back()) != kListpackEof) {
    return Status::Error("listpack does not end with its end marker");
  }
  const uint64_t declared = LoadLe(blob.data() + 4, 2);
  const size_t end = blob.size() - 1;
  size_t pos = kListpackHeader;
  uint64_t count = 0;
  while (pos < end) {
    out->emplace_back();
    if (Status s = DecodeListpackEntry(blob, end, &pos, &out->back()); !s.ok()) {
      return s;
    }
    ++count;
  }
  if (declared != kListpackUnknownCount && declared != count) {
    return Status::Error("listpack element count does not match its entries");
  }
  return Status::Ok();
}

Status DecodeZiplist(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < kZiplistHeader + 1) return Status::Error("ziplist shorter than its header");
  if (LoadLe(blob.data(), 4) != blob.size()) {
    return Status::Error("ziplist size header does not match the blob");
  }
  if (static_cast<unsigned char>(blob.back()) != 0xff) {
    return Status::Error("ziplist does not end with its end marker");
  }
  const uint64_t declared = LoadLe(blob.data() + 8, 2);
  const size_t end = blob.size() - 1;
  size_t pos = kZiplistHeader;
  size_t prev_len = 0;
  uint64_t count = 0;
  while (pos < end) {
    const size_t start = pos;
    out->emplace_back();
    if (Status s = DecodeZiplistEntry(blob, end, prev_len, &pos, &out->back()); !s.ok()) {
      return s;
    }
    prev_len = pos - start;
    ++count;
  }
  if (declared != kZiplistUnknownCount && declared != count) {
    return Status::Error("ziplist element count does not match its entries");
  }
  return Status::Ok();
}

Status DecodeZipmap(std::string_view blob, std::vector<std::string>* out) {
  // <count:1> then (<len>key <len><free:1>value <free bytes>)* <255>; a len byte of 254 means a
  // 4-byte little-endian length follows.
  size_t pos = 1;
  auto read_len = [&](uint64_t* len) {
    if (pos >= blob.size()) return false;
    *len = static_cast<unsigned char>(blob[pos++]);
    if (*len == 254) {
      if (blob.size() - pos < 4) return false;
      *len = LoadLe(blob.data() + pos, 4);
      pos += 4;
    }
    return true;
  };
  for (bool key = true;; key = !key) {
    uint64_t len = 0;
    if (!read_len(&len)) return Status::Error("zipmap entry overruns the blob");
    if (len == 255) {
      if (!key) return Status::Error("zipmap ends after a field without its value");
      if (pos != blob.size()) return Status::Error("zipmap has bytes after its end marker");
      return Status::Ok();
    }
    uint64_t free_bytes = 0;
    if (!key) {
      if (pos >= blob.size()) return Status::Error("zipmap entry overruns the blob");
      free_bytes = static_cast<unsigned char>(blob[pos++]);
    }
    if (len > blob.size() - pos || free_bytes > blob.size() - pos - len) {
      return Status::Error("zipmap entry overruns the blob");
    }
    out->emplace_back(blob.substr(pos, len));
    pos += len + free_bytes;
  }
}

Status DecodeIntset(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < 8) return Status::Error("intset shorter than its header");
  const uint64_t width = LoadLe(blob.data(), 4);
  const uint64_t count = LoadLe(blob.data() + 4, 4);
  if (width != 2 && width != 4 && width != 8) return Status::Error("intset has an invalid width");
  if (count > (blob.size() - 8) / width || 8 + count * width != blob.size()) {
    return Status::Error("intset size does not match its count");
  }
  int64_t prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t v = SignExtend(LoadLe(blob.data() + 8 + i * width, width), width);
    if (i > 0 && v <= prev) return Status::Error("intset is not sorted");
    out->push_back(std::to_string(v));
    prev = v;
  }
  return Status::Ok();
}

}  // namespace mr::persistence
