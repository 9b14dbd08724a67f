// Bit commands on strings: SETBIT GETBIT BITCOUNT BITPOS BITOP.
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr int64_t kMaxBits = 512ll * 1024 * 1024 * 8;

bool ParseBitOffset(CommandContext& c, std::string_view s, int64_t* out) {
  if (!ParseInt(s, out) || *out < 0 || *out >= kMaxBits) {
    c.w.Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  return true;
}

// Looks up a string (absent -> empty) into `out`; false after replying WRONGTYPE.
bool ReadString(CommandContext& c, std::string_view key, std::string* out, bool* exists) {
  Entry* e = LookupRead(c, key);
  *exists = e != nullptr;
  if (e == nullptr) {
    out->clear();
    return true;
  }
  if (e->type() != ObjType::kString) {
    ReplyStatus(c, OpStatus::WRONG_TYPE);
    return false;
  }
  char buf[24];
  out->assign(StringValue(e, buf));
  return true;
}

bool BitAt(std::string_view s, int64_t bit) {
  return (static_cast<uint8_t>(s[static_cast<size_t>(bit >> 3)]) >> (7 - (bit & 7))) & 1;
}

void CmdSetBit(CmdArgs args, CommandContext& c) {
  int64_t off;
  if (!ParseBitOffset(c, args[2], &off)) {
    return;
  }
  if (args[3] != "0" && args[3] != "1") {
    return c.w.Error("ERR bit is not an integer or out of range");
  }
  std::string s;
  bool exists;
  if (!ReadString(c, args[1], &s, &exists)) {
    return;
  }
  size_t byte = static_cast<size_t>(off >> 3);
  if (s.size() <= byte) {
    s.resize(byte + 1, '\0');
  }
  uint8_t mask = static_cast<uint8_t>(1 << (7 - (off & 7)));
  bool old = (static_cast<uint8_t>(s[byte]) & mask) != 0;
  if (args[3] == "1") {
    s[byte] = static_cast<char>(static_cast<uint8_t>(s[byte]) | mask);
  } else {
    s[byte] = static_cast<char>(static_cast<uint8_t>(s[byte]) & ~mask);
  }
  StoreRawString(c, args[1], s);
  c.w.Integer(old ? 1 : 0);
}

void CmdGetBit(CmdArgs args, CommandContext& c) {
  int64_t off;
  if (!ParseBitOffset(c, args[2], &off)) {
    return;
  }
  std::string s;
  bool exists;
  if (!ReadString(c, args[1], &s, &exists)) {
    return;
  }
  c.w.Integer(static_cast<size_t>(off >> 3) < s.size() && BitAt(s, off) ? 1 : 0);
}

// Resolves [start, end] (BYTE or BIT units) to a bit range; false when empty.
bool ResolveRange(int64_t len_bytes, int64_t start, int64_t end, bool bit_unit, int64_t* sb,
                  int64_t* eb) {
  int64_t total = bit_unit ? len_bytes * 8 : len_bytes;
  if (start < 0) {
    start += total;
  }
  if (end < 0) {
    end += total;
  }
  start = std::max<int64_t>(0, start);
  end = std::max<int64_t>(0, end);
  if (end >= total) {
    end = total - 1;
  }
  if (start > end || total == 0) {
    return false;
  }
  *sb = bit_unit ? start : start * 8;
  *eb = bit_unit ? end : end * 8 + 7;
  return true;
}

bool ParseUnit(CommandContext& c, std::string_view s, bool* bit_unit) {
  if (EqualsNoCase(s, "bit")) {
    *bit_unit = true;
  } else if (EqualsNoCase(s, "byte")) {
    *bit_unit = false;
  } else {
    ReplySyntaxError(c);
    return false;
  }
  return true;
}

void CmdBitCount(CmdArgs args, CommandContext& c) {
  if (args.size() != 2 && args.size() != 4 && args.size() != 5) {
    return ReplySyntaxError(c);
  }
  int64_t start = 0, end = -1;
  bool bit_unit = false;
  if (args.size() >= 4 && (!ParseInt(args[2], &start) || !ParseInt(args[3], &end))) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (args.size() == 5 && !ParseUnit(c, args[4], &bit_unit)) {
    return;
  }
  std::string s;
  bool exists;
  if (!ReadString(c, args[1], &s, &exists)) {
    return;
  }
  int64_t sb, eb;
  if (!ResolveRange(static_cast<int64_t>(s.size()), start, end, bit_unit, &sb, &eb)) {
    return c.w.Integer(0);
  }
  int64_t n = 0;
  for (int64_t b = sb; b <= eb;) {
    if ((b & 7) == 0 && b + 7 <= eb) {
      n += __builtin_popcount(static_cast<uint8_t>(s[static_cast<size_t>(b >> 3)]));
      b += 8;
    } else {
      n += BitAt(s, b) ? 1 : 0;
      b++;
    }
  }
  c.w.Integer(n);
}

void CmdBitPos(CmdArgs args, CommandContext& c) {
  if (args[2] != "0" && args[2] != "1") {
    return c.w.Error("ERR The bit argument must be 1 or 0.");
  }
  bool want = args[2] == "1";
  int64_t start = 0, end = -1;
  bool end_given = args.size() >= 5;
  bool bit_unit = false;
  if ((args.size() >= 4 && !ParseInt(args[3], &start)) || (end_given && !ParseInt(args[4], &end))) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (args.size() == 6 && !ParseUnit(c, args[5], &bit_unit)) {
    return;
  }
  if (args.size() > 6) {
    return ReplySyntaxError(c);
  }
  std::string s;
  bool exists;
  if (!ReadString(c, args[1], &s, &exists)) {
    return;
  }
  if (!exists) {
    return c.w.Integer(want ? -1 : 0);
  }
  int64_t sb, eb;
  if (!ResolveRange(static_cast<int64_t>(s.size()), start, end, bit_unit, &sb, &eb)) {
    return c.w.Integer(-1);
  }
  for (int64_t b = sb; b <= eb; ++b) {
    if (BitAt(s, b) == want) {
      return c.w.Integer(b);
    }
  }
  c.w.Integer(!want && !end_given ? eb + 1 : -1);
}

void CmdBitOp(CmdArgs args, CommandContext& c) {
  std::string_view op = args[1];
  int kind = EqualsNoCase(op, "and") ? 0 : EqualsNoCase(op, "or") ? 1 : EqualsNoCase(op, "xor") ? 2
             : EqualsNoCase(op, "not") ? 3 : -1;
  if (kind < 0) {
    return ReplySyntaxError(c);
  }
  if (kind == 3 && args.size() != 4) {
    return c.w.Error("ERR BITOP NOT must be called with a single source key.");
  }
  std::vector<std::string> srcs(args.size() - 3);
  size_t maxlen = 0;
  for (size_t i = 3; i < args.size(); ++i) {
    bool exists;
    if (!ReadString(c, args[i], &srcs[i - 3], &exists)) {
      return;
    }
    maxlen = std::max(maxlen, srcs[i - 3].size());
  }
  std::string out(maxlen, '\0');
  for (size_t j = 0; j < maxlen; ++j) {
    auto byte = [&](size_t k) -> uint8_t {
      return j < srcs[k].size() ? static_cast<uint8_t>(srcs[k][j]) : 0;
    };
    uint8_t v = byte(0);
    if (kind == 3) {
      v = static_cast<uint8_t>(~v);
    }
    for (size_t k = 1; k < srcs.size(); ++k) {
      v = kind == 0 ? (v & byte(k)) : kind == 1 ? (v | byte(k)) : (v ^ byte(k));
    }
    out[j] = static_cast<char>(v);
  }
  Db::Pos pos;
  if (c.db.Find(args[2], Db::Hash(args[2]), c.now_ms, &pos) != nullptr) {
    c.db.Delete(pos);
  }
  if (maxlen > 0) {
    AddEntry(c, Entry::NewString(args[2], out, true), Db::Hash(args[2]));
  }
  c.w.Integer(static_cast<int64_t>(maxlen));
}

}  // namespace

void RegisterBitopsFamily(CommandRegistry* r) {
  *r << CommandId{"setbit", WRITE | DENYOOM, 4, 1, 1, 1, CmdSetBit}
     << CommandId{"getbit", READONLY | FAST, 3, 1, 1, 1, CmdGetBit}
     << CommandId{"bitcount", READONLY, -2, 1, 1, 1, CmdBitCount}
     << CommandId{"bitpos", READONLY, -3, 1, 1, 1, CmdBitPos}
     << CommandId{"bitop", WRITE | DENYOOM, -4, 2, -1, 1, CmdBitOp};
}

}  // namespace mr::engine
