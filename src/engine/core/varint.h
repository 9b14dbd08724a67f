// LEB128 varints for length prefixes inside entries and compact encodings.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mr::engine {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

inline size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}

inline size_t GetVarint(const uint8_t* p, uint64_t* v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  uint64_t r = 0;
  size_t n = 0;
  int shift = 0;
  while (true) {
    uint8_t b = p[n++];
    r |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) {
      break;
    }
    shift += 7;
  }
  *v = r;
  return n;
}

}  // namespace mr::engine
