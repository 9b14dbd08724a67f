// 64-bit hashing for keys and members: a wyhash-style multiply-mix, fast for the short keys that
// dominate Redis workloads. The top bits index tables and order SCAN; the low bits are slot tags.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mr::engine {

namespace detail {
inline uint64_t Mum(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t Read8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Read4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
constexpr uint64_t kP3 = 0x589965cc75374cc3ull;
}  // namespace detail

inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0x5eed5eedull) {
  using namespace detail;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t a, b;
  seed ^= kP0;
  if (n <= 16) {
    if (n >= 4) {
      a = (Read4(p) << 32) | Read4(p + ((n >> 3) << 2));
      b = (Read4(p + n - 4) << 32) | Read4(p + n - 4 - ((n >> 3) << 2));
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<uint8_t>(p[n >> 1])) << 8) |
          static_cast<uint8_t>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = n;
    while (i > 16) {
      seed = Mum(Read8(p) ^ kP1, Read8(p + 8) ^ seed);
      p += 16;
      i -= 16;
    }
    a = Read8(p + i - 16);
    b = Read8(p + i - 8);
  }
  return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ seed) ^ kP3) ^ kP2;
}

inline uint64_t HashInt(uint64_t v) { return detail::Mum(v ^ detail::kP0, detail::kP1); }

}  // namespace mr::engine
