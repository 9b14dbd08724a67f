#include "persistence/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mr::persistence {
namespace {

// Format: a control byte below 32 starts a run of (ctrl + 1) literal bytes. Otherwise its top three
// bits hold (match length - 2), 7 meaning "add the next byte", and its low five bits with the
// following byte hold (distance - 1) back into the output.
constexpr size_t kMaxLiteralRun = 32;
constexpr size_t kMinMatch = 3;
constexpr size_t kMaxMatch = 7 + 255 + 2;
constexpr size_t kMaxDistance = 1 << 13;
constexpr int kMaxHashBits = 14;

uint32_t Hash3(const unsigned char* p, int bits) {
  const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - bits);
}

// Appends literals [from, to) in runs of at most 32 bytes; false if `max_out` would be exceeded.
bool EmitLiterals(const unsigned char* from, const unsigned char* to, size_t max_out,
                  std::string* out) {
  while (from < to) {
    const size_t run = std::min<size_t>(kMaxLiteralRun, to - from);
    if (out->size() + 1 + run > max_out) {
      return false;
    }
    out->push_back(static_cast<char>(run - 1));
    out->append(reinterpret_cast<const char*>(from), run);
    from += run;
  }
  return true;
}

}  // namespace

bool LzfCompress(std::string_view in, size_t max_out, std::string* out) {
  out->clear();
  const auto* base = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  // A table no larger than the input: RDB values are mostly short, and clearing 64 KB per value
  // would cost more than compressing it. Positions are stored + 1 so that 0 means "empty slot".
  int bits = 8;
  while (bits < kMaxHashBits && (size_t{1} << bits) < n) {
    ++bits;
  }
  std::vector<uint32_t> table(size_t{1} << bits, 0);
  size_t ip = 0;
  size_t literal_start = 0;
  while (ip + kMinMatch <= n) {
    const uint32_t h = Hash3(base + ip, bits);
    const size_t candidate = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (candidate == 0 || ip - (candidate - 1) > kMaxDistance ||
        std::memcmp(base + candidate - 1, base + ip, kMinMatch) != 0) {
      ++ip;
      continue;
    }
    const size_t ref = candidate - 1;
    const size_t limit = std::min(kMaxMatch, n - ip);
    size_t len = kMinMatch;
    while (len < limit && base[ref + len] == base[ip + len]) {
      ++len;
    }
    if (!EmitLiterals(base + literal_start, base + ip, max_out, out)) {
      return false;
    }
    const size_t distance = ip - ref - 1;
    const size_t code = len - 2;
    const size_t need = code < 7 ? 2 : 3;
    if (out->size() + need > max_out) {
      return false;
    }
    out->push_back(static_cast<char>((std::min<size_t>(code, 7) << 5) | (distance >> 8)));
    if (code >= 7) {
      out->push_back(static_cast<char>(code - 7));
    }
    out->push_back(static_cast<char>(distance & 0xff));
    ip += len;
    literal_start = ip;
  }
  return EmitLiterals(base + literal_start, base + n, max_out, out);
}

bool LzfDecompress(std::string_view in, size_t expected_len, std::string* out) {
  out->clear();
  if (expected_len > in.size() * kLzfMaxRatio) {
    return false;
  }
  out->resize(expected_len);
  auto* dst = reinterpret_cast<unsigned char*>(out->data());
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  size_t ip = 0;
  size_t op = 0;
  while (ip < in.size()) {
    const size_t ctrl = src[ip++];
    if (ctrl < kMaxLiteralRun) {
      const size_t run = ctrl + 1;
      if (run > in.size() - ip || run > expected_len - op) {
        return false;
      }
      std::memcpy(dst + op, src + ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in.size()) {
        return false;
      }
      len += src[ip++];
    }
    len += 2;
    if (ip >= in.size()) {
      return false;
    }
    const size_t distance = ((ctrl & 0x1f) << 8) + src[ip++] + 1;
    if (distance > op || len > expected_len - op) {
      return false;
    }
    // Byte by byte: source and destination overlap when distance < len (run-length repeats).
    for (size_t i = 0; i < len; ++i, ++op) {
      dst[op] = dst[op - distance];
    }
  }
  return op == expected_len;
}

}  // namespace mr::persistence
