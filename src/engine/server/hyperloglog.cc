// Redis 7.0 HyperLogLog format. Byte-identical results need Redis' exact update order: the sparse
// opcode split, the 5-opcode VAL coalescing pass after each write, the promotion thresholds and
// the header bytes that conversions carry over. Every read is bounds-checked: a value may come
// from SET, RESTORE or an RDB file, so corrupt opcodes end in kCorrupt / false, never a bad read.
#include "engine/server/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mr::engine::hll {

namespace {

constexpr int kP = 14;
constexpr int kQ = 64 - kP;
constexpr size_t kRegisterBytes = kDenseSize - kHeaderSize;
constexpr uint8_t kRegisterMax = 63;
constexpr uint8_t kSparseValMax = 32;
constexpr int kSparseValMaxLen = 4;
constexpr int kSparseZeroMaxLen = 64;
constexpr int kSparseXZeroMaxLen = 16384;
constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2), Redis' HLL_ALPHA_INF

// Sparse opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy (1..16384),
// VAL 1vvvvvxx (value 1..32 repeated 1..4 times).
bool IsZero(uint8_t b) { return (b & 0xc0) == 0; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool IsVal(uint8_t b) { return (b & 0x80) != 0; }
int ZeroLen(uint8_t b) { return (b & 0x3f) + 1; }
int XZeroLen(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int ValLen(uint8_t b) { return (b & 0x3) + 1; }
uint8_t MakeVal(int value, int len) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (len - 1));
}
// Appends a run of `len` zero registers as ZERO or XZERO, the way Redis' split does.
uint8_t* PutZeros(uint8_t* out, int len) {
  if (len > kSparseZeroMaxLen) {
    out[0] = static_cast<uint8_t>(((len - 1) >> 8) | 0x40);
    out[1] = static_cast<uint8_t>((len - 1) & 0xff);
    return out + 2;
  }
  out[0] = static_cast<uint8_t>(len - 1);
  return out + 1;
}

uint8_t* Bytes(std::string* v) { return reinterpret_cast<uint8_t*>(v->data()); }
const uint8_t* Bytes(std::string_view v) { return reinterpret_cast<const uint8_t*>(v.data()); }

// Dense registers: 6 bits each, packed from the LSB of each byte upwards.
uint8_t DenseGet(const uint8_t* regs, size_t i) {
  size_t byte = i * 6 / 8;
  unsigned fb = (i * 6) & 7;
  unsigned b0 = regs[byte];
  unsigned b1 = byte + 1 < kRegisterBytes ? regs[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void DenseWrite(uint8_t* regs, size_t i, uint8_t val) {
  size_t byte = i * 6 / 8;
  unsigned fb = (i * 6) & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << fb)) | (val << fb));
  if (byte + 1 < kRegisterBytes) {
    unsigned fb8 = 8 - fb;
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> fb8)) | (val >> fb8));
  }
}

Update DenseSet(std::string* v, uint32_t index, uint8_t count) {
  uint8_t* regs = Bytes(v) + kHeaderSize;
  if (count <= DenseGet(regs, index)) {
    return Update::kUnchanged;
  }
  DenseWrite(regs, index, count);
  return Update::kChanged;
}

// Walks the sparse opcodes of `v`: zeros(idx, len) and vals(idx, value, len) per run, in register
// order. False unless the opcodes cover exactly kRegisters registers. Stricter than Redis on
// corrupt input only: Redis reads a truncated XZERO's second byte from the string's terminator
// and ignores VAL opcodes past the last register; here both make the value corrupt, so a value
// that passes stays well-formed under every update.
template <typename Zeros, typename Vals>
bool WalkSparse(std::string_view v, Zeros&& zeros, Vals&& vals) {
  const uint8_t* p = Bytes(v) + kHeaderSize;
  const uint8_t* end = Bytes(v) + v.size();
  uint64_t idx = 0;
  while (p < end) {
    if (IsZero(*p)) {
      int len = ZeroLen(*p);
      zeros(idx, len);
      idx += len;
      p++;
    } else if (IsXZero(*p)) {
      if (p + 1 >= end) {
        return false;  // truncated opcode
      }
      int len = XZeroLen(p[0], p[1]);
      zeros(idx, len);
      idx += len;
      p += 2;
    } else {
      int len = ValLen(*p);
      if (idx + len > kRegisters) {
        return false;
      }
      vals(idx, ValValue(*p), len);
      idx += len;
      p++;
    }
    if (idx > kRegisters) {
      return false;
    }
  }
  return idx == kRegisters;
}

Update Promote(std::string* v, uint32_t index, uint8_t count) {
  if (!SparseToDense(v)) {
    return Update::kCorrupt;
  }
  DenseSet(v, index, count);
  return Update::kChanged;  // promotion only happens when the register must grow
}

// After a write, adjacent VAL opcodes with the same value are merged (up to 5 opcodes scanned
// from `from`), exactly like Redis so both produce the same bytes.
void CoalesceVals(std::string* v, size_t from) {
  size_t p = from;
  size_t end = v->size();
  int scan = 5;
  while (p < end && scan-- > 0) {
    uint8_t* b = Bytes(v);
    if (IsXZero(b[p])) {
      p += 2;
      continue;
    }
    if (IsZero(b[p])) {
      p++;
      continue;
    }
    if (p + 1 < end && IsVal(b[p + 1]) && ValValue(b[p]) == ValValue(b[p + 1])) {
      int len = ValLen(b[p]) + ValLen(b[p + 1]);
      if (len <= kSparseValMaxLen) {
        b[p + 1] = MakeVal(ValValue(b[p]), len);
        v->erase(p, 1);
        end--;
        continue;  // try the merged opcode against its right neighbour too
      }
    }
    p++;
  }
}

Update SparseSet(std::string* v, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kSparseValMax) {
    return Promote(v, index, count);
  }
  // Step 1: find the opcode covering `index`.
  const uint8_t* b = Bytes(v);
  size_t end = v->size();
  size_t p = kHeaderSize;
  size_t prev = 0;  // 0: none (the header is never an opcode)
  int64_t first = 0;
  int64_t span = 0;
  while (p < end) {
    size_t oplen = 1;
    if (IsZero(b[p])) {
      span = ZeroLen(b[p]);
    } else if (IsVal(b[p])) {
      span = ValLen(b[p]);
    } else {
      if (p + 1 >= end) {
        return Update::kCorrupt;
      }
      span = XZeroLen(b[p], b[p + 1]);
      oplen = 2;
    }
    if (index <= first + span - 1) {
      break;
    }
    prev = p;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) {
    return Update::kCorrupt;
  }
  const bool is_xzero = IsXZero(b[p]);
  const bool is_zero = IsZero(b[p]);
  const int runlen = is_xzero ? XZeroLen(b[p], b[p + 1]) : is_zero ? ZeroLen(b[p]) : ValLen(b[p]);

  // Step 2: the in-place cases (VAL already high enough, single-register VAL or ZERO).
  bool in_place = false;
  if (!is_zero && !is_xzero) {
    if (ValValue(b[p]) >= count) {
      return Update::kUnchanged;
    }
    in_place = runlen == 1;
  } else if (is_zero && runlen == 1) {
    in_place = true;
  }
  if (in_place) {
    Bytes(v)[p] = MakeVal(count, 1);
  } else {
    // Step 3: split the run into [before] VAL(count) [after].
    uint8_t seq[5];
    uint8_t* n = seq;
    const int64_t last = first + span - 1;
    if (is_zero || is_xzero) {
      if (index != first) {
        n = PutZeros(n, static_cast<int>(index - first));
      }
      *n++ = MakeVal(count, 1);
      if (index != last) {
        n = PutZeros(n, static_cast<int>(last - index));
      }
    } else {
      const int cur = ValValue(b[p]);
      if (index != first) {
        *n++ = MakeVal(cur, static_cast<int>(index - first));
      }
      *n++ = MakeVal(count, 1);
      if (index != last) {
        *n++ = MakeVal(cur, static_cast<int>(last - index));
      }
    }
    const size_t seqlen = static_cast<size_t>(n - seq);
    const size_t oldlen = is_xzero ? 2 : 1;
    if (seqlen > oldlen && v->size() + (seqlen - oldlen) > sparse_max_bytes) {
      return Promote(v, index, count);
    }
    v->replace(p, oldlen, reinterpret_cast<const char*>(seq), seqlen);
  }
  CoalesceVals(v, prev != 0 ? prev : kHeaderSize);
  InvalidateCache(v);
  return Update::kChanged;
}

double Sigma(double x) {
  if (x == 1.0) {
    return INFINITY;
  }
  double y = 1;
  double z = x;
  double prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) {
    return 0.0;
  }
  double y = 1.0;
  double z = 1 - x;
  double prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (prev != z);
  return z / 3;
}

// Ertl, "New cardinality estimation algorithms for HyperLogLog sketches" (what Redis uses).
uint64_t Estimate(const int64_t* hist) {
  const double m = kRegisters;
  double z = m * Tau((m - static_cast<double>(hist[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(hist[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(hist[0]) / m);
  const double e = static_cast<double>(std::llroundl(kAlphaInf * m * m / z));
  return static_cast<uint64_t>(e);
}

}  // namespace

bool IsValid(std::string_view v) {
  if (v.size() < kHeaderSize || v.substr(0, 4) != "HYLL") {
    return false;
  }
  uint8_t enc = static_cast<uint8_t>(v[4]);
  return enc == kSparse || (enc == kDense && v.size() == kDenseSize);
}

bool IsSparse(std::string_view v) { return static_cast<uint8_t>(v[4]) == kSparse; }

std::string NewSparse() {
  std::string v(kHeaderSize, '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = static_cast<char>(kSparse);
  uint8_t xzero[2];
  PutZeros(xzero, kSparseXZeroMaxLen);
  v.append(reinterpret_cast<const char*>(xzero), 2);
  return v;
}

uint64_t Hash(std::string_view element) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ull;
  constexpr int r = 47;
  const auto* data = reinterpret_cast<const uint8_t*>(element.data());
  // Redis passes the length as an int; values are capped at 512 MB so it never truncates.
  const int len = static_cast<int>(element.size());
  uint64_t h = 0xadc83b19ull ^ (static_cast<uint64_t>(len) * m);
  const uint8_t* end = data + (len - (len & 7));
  for (; data != end; data += 8) {
    uint64_t k;
    std::memcpy(&k, data, 8);  // little-endian hosts only, like the rest of the engine
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const int tail = len & 7;
  if (tail > 0) {
    for (int i = tail - 1; i >= 0; --i) {
      h ^= static_cast<uint64_t>(data[i]) << (8 * i);
    }
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Update Add(std::string* v, std::string_view element, size_t sparse_max_bytes) {
  uint64_t h = Hash(element);
  uint32_t index = static_cast<uint32_t>(h & (kRegisters - 1));
  h >>= kP;
  h |= 1ull << kQ;  // so the run length is at most kQ + 1
  uint8_t count = static_cast<uint8_t>(__builtin_ctzll(h) + 1);
  return Set(v, index, count, sparse_max_bytes);
}

Update Set(std::string* v, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (static_cast<uint8_t>((*v)[4]) == kDense) {
    return DenseSet(v, index, count);
  }
  return SparseSet(v, index, count, sparse_max_bytes);
}

bool SparseToDense(std::string* v) {
  if (static_cast<uint8_t>((*v)[4]) == kDense) {
    return true;
  }
  std::string dense(kDenseSize, '\0');
  uint8_t* regs = Bytes(&dense) + kHeaderSize;
  bool ok = WalkSparse(
      *v, [](uint64_t, int) {},
      [&](uint64_t idx, int value, int len) {
        for (int i = 0; i < len; ++i) {
          DenseWrite(regs, idx + i, static_cast<uint8_t>(value));
        }
      });
  if (!ok) {
    return false;
  }
  std::memcpy(dense.data(), v->data(), kHeaderSize);  // magic, unused bytes and cached count
  dense[4] = static_cast<char>(kDense);
  v->swap(dense);
  return true;
}

bool MergeInto(std::string_view v, uint8_t* max) {
  if (static_cast<uint8_t>(v[4]) == kDense) {
    const uint8_t* regs = Bytes(v) + kHeaderSize;
    for (size_t i = 0; i < kRegisters; ++i) {
      max[i] = std::max(max[i], DenseGet(regs, i));
    }
    return true;
  }
  return WalkSparse(
      v, [](uint64_t, int) {},
      [&](uint64_t idx, int value, int len) {
        for (int i = 0; i < len; ++i) {
          max[idx + i] = std::max<uint8_t>(max[idx + i], static_cast<uint8_t>(value));
        }
      });
}

bool Count(std::string_view v, uint64_t* out) {
  int64_t hist[64] = {0};
  if (static_cast<uint8_t>(v[4]) == kDense) {
    // Four 6-bit registers per 3 bytes.
    const uint8_t* r = Bytes(v) + kHeaderSize;
    for (size_t i = 0; i < kRegisterBytes; i += 3) {
      unsigned b0 = r[i], b1 = r[i + 1], b2 = r[i + 2];
      hist[b0 & 63]++;
      hist[((b0 >> 6) | (b1 << 2)) & 63]++;
      hist[((b1 >> 4) | (b2 << 4)) & 63]++;
      hist[(b2 >> 2) & 63]++;
    }
  } else {
    bool ok = WalkSparse(
        v, [&](uint64_t, int len) { hist[0] += len; },
        [&](uint64_t, int value, int len) { hist[value] += len; });
    if (!ok) {
      return false;
    }
  }
  *out = Estimate(hist);
  return true;
}

uint64_t CountRegisters(const uint8_t* regs) {
  int64_t hist[64] = {0};
  for (size_t i = 0; i < kRegisters; ++i) {
    hist[regs[i] & 63]++;
  }
  return Estimate(hist);
}

bool CachedCount(std::string_view v, uint64_t* out) {
  if ((static_cast<uint8_t>(v[15]) & 0x80) != 0) {
    return false;
  }
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) {
    card = (card << 8) | static_cast<uint8_t>(v[8 + i]);
  }
  *out = card;
  return true;
}

void SetCachedCount(std::string* v, uint64_t card) {
  for (int i = 0; i < 8; ++i) {
    (*v)[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
  }
}

void InvalidateCache(std::string* v) { (*v)[15] = static_cast<char>((*v)[15] | 0x80); }

}  // namespace mr::engine::hll
