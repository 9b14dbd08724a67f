// BITFIELD and BITFIELD_RO: signed/unsigned integers of 1..64 bits (u63 at most) at any bit
// offset of a string, read and written most significant bit first like SETBIT/GETBIT, with
// Redis 7.0's parsing order, errors and OVERFLOW WRAP|SAT|FAIL arithmetic.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr int64_t kMaxBits = 512ll * 1024 * 1024 * 8;  // offsets address a 512 MB string at most

enum class Op { kGet, kSet, kIncrBy };
enum class Overflow { kWrap, kSat, kFail };

struct FieldOp {
  Op op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET value or INCRBY increment
};

bool ParseFieldType(CommandContext& c, std::string_view s, bool* is_signed, int* bits) {
  int64_t n = 0;
  // Lowercase only: redis-server refuses "I8" and "U8".
  bool ok = !s.empty() && (s[0] == 'i' || s[0] == 'u') && ParseInt(s.substr(1), &n);
  *is_signed = ok && s[0] == 'i';
  if (!ok || n < 1 || n > (*is_signed ? 64 : 63)) {
    c.w.Error("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
              "supported but i64 is.");
    return false;
  }
  *bits = static_cast<int>(n);
  return true;
}

// "N" is a bit offset, "#N" the N-th field of this width.
bool ParseFieldOffset(CommandContext& c, std::string_view s, int bits, uint64_t* out) {
  bool by_field = !s.empty() && s[0] == '#';
  int64_t n;
  if (!ParseInt(by_field ? s.substr(1) : s, &n)) {
    c.w.Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  if (by_field) {  // a product past int64 wraps, as in redis-server, and is then range-checked
    n = static_cast<int64_t>(static_cast<uint64_t>(n) * static_cast<uint64_t>(bits));
  }
  if (n < 0 || n >= kMaxBits) {
    c.w.Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  *out = static_cast<uint64_t>(n);
  return true;
}

// Parses every subcommand before anything runs: one bad argument fails the whole command.
bool ParseOps(CommandContext& c, CmdArgs args, std::vector<FieldOp>* ops) {
  Overflow overflow = Overflow::kWrap;
  for (size_t i = 2; i < args.size(); ++i) {
    std::string_view sub = args[i];
    size_t more = args.size() - i - 1;
    FieldOp f{};
    if (EqualsNoCase(sub, "get") && more >= 2) {
      f.op = Op::kGet;
    } else if (EqualsNoCase(sub, "set") && more >= 3) {
      f.op = Op::kSet;
    } else if (EqualsNoCase(sub, "incrby") && more >= 3) {
      f.op = Op::kIncrBy;
    } else if (EqualsNoCase(sub, "overflow") && more >= 1) {
      std::string_view t = args[++i];
      if (EqualsNoCase(t, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (EqualsNoCase(t, "sat")) {
        overflow = Overflow::kSat;
      } else if (EqualsNoCase(t, "fail")) {
        overflow = Overflow::kFail;
      } else {
        c.w.Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ReplySyntaxError(c);
      return false;
    }
    f.overflow = overflow;
    if (!ParseFieldType(c, args[i + 1], &f.is_signed, &f.bits) ||
        !ParseFieldOffset(c, args[i + 2], f.bits, &f.offset)) {
      return false;
    }
    if (f.op != Op::kGet && !ParseInt(args[i + 3], &f.value)) {
      ReplyStatus(c, OpStatus::INVALID_INT);
      return false;
    }
    ops->push_back(f);
    i += f.op == Op::kGet ? 2 : 3;
  }
  return true;
}

// Reads `bits` bits at `offset` as an unsigned number; bits past the end of s read as zero.
uint64_t GetBits(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) {
    uint64_t bit = offset + static_cast<uint64_t>(i);
    uint64_t byte = bit >> 3;
    unsigned b = byte < s.size() ? (static_cast<uint8_t>(s[byte]) >> (7 - (bit & 7))) & 1u : 0u;
    v = (v << 1) | b;
  }
  return v;
}

void SetBits(std::string* s, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; ++i) {
    uint64_t bit = offset + static_cast<uint64_t>(i);
    auto mask = static_cast<uint8_t>(1u << (7 - (bit & 7)));
    char& byte = (*s)[bit >> 3];
    bool on = ((v >> (bits - 1 - i)) & 1) != 0;
    byte = static_cast<char>(on ? (static_cast<uint8_t>(byte) | mask)
                                : (static_cast<uint8_t>(byte) & ~mask));
  }
}

// The field's number: signed fields are sign-extended from their top bit.
int64_t FieldValue(const FieldOp& f, uint64_t raw) {
  if (f.is_signed && f.bits < 64 && ((raw >> (f.bits - 1)) & 1) != 0) {
    raw |= ~0ull << f.bits;
  }
  return static_cast<int64_t>(raw);
}

// Outcome of value + incr in a field: whether it overflowed, and the bits to store unless
// OVERFLOW FAIL refuses it.
struct Fit {
  bool overflow;
  uint64_t bits;
};

uint64_t LowBits(uint64_t v, int bits) { return bits == 64 ? v : v & ((1ull << bits) - 1); }

// The overflow tests are redis-server's, including their 64-bit wrap-around: "room left" is
// max - value computed modulo 2^64, so e.g. SET i8 with -9223372036854775808 counts as an overflow
// upwards and OVERFLOW SAT stores 127. An exact comparison would give -128 and differ from Redis.
Fit FitSigned(const FieldOp& f, int64_t value, int64_t incr) {
  const int64_t max = f.bits == 64 ? INT64_MAX : static_cast<int64_t>((1ull << (f.bits - 1)) - 1);
  const int64_t min = -max - 1;
  const auto uvalue = static_cast<uint64_t>(value);
  const auto room_up = static_cast<int64_t>(static_cast<uint64_t>(max) - uvalue);
  const auto room_down = static_cast<int64_t>(static_cast<uint64_t>(min) - uvalue);
  const uint64_t wrapped = uvalue + static_cast<uint64_t>(incr);
  const bool narrow = f.bits != 64;
  if (value > max || (narrow && incr > room_up) || (value >= 0 && incr > 0 && incr > room_up)) {
    const uint64_t sat = static_cast<uint64_t>(max);
    return {true, LowBits(f.overflow == Overflow::kSat ? sat : wrapped, f.bits)};
  }
  if (value < min || (narrow && incr < room_down) || (value < 0 && incr < 0 && incr < room_down)) {
    const uint64_t sat = static_cast<uint64_t>(min);
    return {true, LowBits(f.overflow == Overflow::kSat ? sat : wrapped, f.bits)};
  }
  return {false, LowBits(wrapped, f.bits)};
}

// Unsigned fields (63 bits at most) take the value as a 64-bit pattern: SET u8 -1 overflows
// upwards, so OVERFLOW SAT stores 255.
Fit FitUnsigned(const FieldOp& f, uint64_t value, int64_t incr) {
  const uint64_t max = (1ull << f.bits) - 1;
  const auto room_up = static_cast<int64_t>(max - value);
  const auto room_down = static_cast<int64_t>(0 - value);
  const uint64_t wrapped = value + static_cast<uint64_t>(incr);
  if (value > max || (incr > 0 && incr > room_up)) {
    return {true, f.overflow == Overflow::kSat ? max : LowBits(wrapped, f.bits)};
  }
  if (incr < 0 && incr < room_down) {
    return {true, f.overflow == Overflow::kSat ? 0 : LowBits(wrapped, f.bits)};
  }
  return {false, LowBits(wrapped, f.bits)};
}

// Runs SET/INCRBY on `s` and replies its result (SET: the old value; INCRBY: the new one; nil
// when OVERFLOW FAIL refused it). *changed when the field got a new value.
void RunOp(CommandContext& c, const FieldOp& f, std::string* s, bool* changed) {
  const uint64_t old = GetBits(*s, f.offset, f.bits);
  const bool incr = f.op == Op::kIncrBy;
  Fit fit;
  if (f.is_signed) {
    fit = incr ? FitSigned(f, FieldValue(f, old), f.value) : FitSigned(f, f.value, 0);
  } else {
    fit = incr ? FitUnsigned(f, old, f.value) : FitUnsigned(f, static_cast<uint64_t>(f.value), 0);
  }
  if (fit.overflow && f.overflow == Overflow::kFail) {
    return c.w.Null();
  }
  SetBits(s, f.offset, f.bits, fit.bits);
  *changed |= fit.bits != old;
  c.w.Integer(FieldValue(f, incr ? fit.bits : old));
}

void BitfieldGeneric(CmdArgs args, CommandContext& c, bool read_only_cmd) {
  std::vector<FieldOp> ops;
  if (!ParseOps(c, args, &ops)) {
    return;
  }
  uint64_t end_bit = 0;  // one past the highest bit written
  for (const FieldOp& f : ops) {
    if (f.op != Op::kGet) {
      end_bit = std::max(end_bit, f.offset + static_cast<uint64_t>(f.bits));
    }
  }
  if (end_bit > 0 && read_only_cmd) {
    return c.w.Error("ERR BITFIELD_RO only supports the GET subcommand");
  }
  uint64_t h = Db::Hash(args[1]);
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], h, &pos, end_bit == 0);
  if (e != nullptr && e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  char buf[24];
  std::string_view cur = e != nullptr ? StringValue(e, buf) : std::string_view();
  c.w.ArrayHeader(ops.size());
  if (end_bit == 0) {  // only GETs: read in place, write nothing
    c.wrote_nothing = true;
    for (const FieldOp& f : ops) {
      c.w.Integer(FieldValue(f, GetBits(cur, f.offset, f.bits)));
    }
    return;
  }
  // Like SETBIT: the string grows (zero-filled) to cover the highest field written, even when
  // OVERFLOW FAIL then refuses that write.
  std::string s(cur);
  size_t need = static_cast<size_t>((end_bit - 1) / 8 + 1);
  bool changed = e == nullptr || s.size() < need;
  if (s.size() < need) {
    s.resize(need, '\0');
  }
  for (const FieldOp& f : ops) {
    if (f.op == Op::kGet) {
      c.w.Integer(FieldValue(f, GetBits(s, f.offset, f.bits)));
    } else {
      RunOp(c, f, &s, &changed);
    }
  }
  if (!changed) {
    c.wrote_nothing = true;  // nothing to record or to invalidate WATCH with
    return;
  }
  StoreRawString(c, args[1], s);
}

void CmdBitfield(CmdArgs args, CommandContext& c) { BitfieldGeneric(args, c, false); }
void CmdBitfieldRo(CmdArgs args, CommandContext& c) { BitfieldGeneric(args, c, true); }

}  // namespace

void RegisterBitfieldFamily(CommandRegistry* r) {
  *r << CommandId{"bitfield", WRITE | DENYOOM, -2, 1, 1, 1, CmdBitfield}
     << CommandId{"bitfield_ro", READONLY | FAST, -2, 1, 1, 1, CmdBitfieldRo};
}

}  // namespace mr::engine
