// Fixed-width integer loads and stores for the RDB format, which mixes little-endian (integers,
// checksums, listpack headers) and big-endian (32/64-bit lengths) fields. Host order never matters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mr::persistence {

inline uint64_t LoadLe(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

inline uint64_t LoadBe(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

/// Sign-extends the low `n` bytes of `v` (a two's complement value read with LoadLe).
inline int64_t SignExtend(uint64_t v, size_t n) {
  if (n >= 8) {
    return static_cast<int64_t>(v);
  }
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

inline void AppendLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

inline void AppendBe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

}  // namespace mr::persistence
