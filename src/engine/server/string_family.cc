// String commands: GET SET (all options) SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
// APPEND STRLEN INCR* DECR* INCRBYFLOAT GETRANGE SETRANGE SUBSTR LCS. Bits: bitops_family.cc.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr int64_t kMaxStringSize = 512ll * 1024 * 1024;

struct SetOptions {
  bool nx = false, xx = false, get = false, keepttl = false;
  int64_t expire_at = 0;  // absolute ms, 0 = none
};

// Parses SET's options from args[3..]; writes the error and returns false on failure.
bool ParseSetOptions(CmdArgs args, CommandContext& c, SetOptions* o) {
  bool has_exp = false;
  for (size_t i = 3; i < args.size(); ++i) {
    std::string_view a = args[i];
    bool more = i + 1 < args.size();
    if (EqualsNoCase(a, "nx") && !o->xx) {
      o->nx = true;
    } else if (EqualsNoCase(a, "xx") && !o->nx) {
      o->xx = true;
    } else if (EqualsNoCase(a, "get")) {
      o->get = true;
    } else if (EqualsNoCase(a, "keepttl") && !has_exp) {
      o->keepttl = true;
    } else if (more && !has_exp && !o->keepttl &&
               (EqualsNoCase(a, "ex") || EqualsNoCase(a, "px") || EqualsNoCase(a, "exat") ||
                EqualsNoCase(a, "pxat"))) {
      int64_t v;
      if (!ParseInt(args[++i], &v)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      bool seconds = EqualsNoCase(a, "ex") || EqualsNoCase(a, "exat");
      bool relative = EqualsNoCase(a, "ex") || EqualsNoCase(a, "px");
      if (v <= 0 || (seconds && v > INT64_MAX / 1000) ||
          (relative && (seconds ? v * 1000 : v) > INT64_MAX - c.now_ms)) {
        c.w.Error("ERR invalid expire time in 'set' command");
        return false;
      }
      v = seconds ? v * 1000 : v;
      o->expire_at = relative ? c.now_ms + v : v;
      has_exp = true;
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  return true;
}

void CmdSet(CmdArgs args, CommandContext& c) {
  SetOptions o;
  if (args.size() > 3 && !ParseSetOptions(args, c, &o)) {
    return;
  }
  std::string old;
  bool had_old = false;
  OpStatus st = OpSet(c, args[1], args[2], o.nx, o.xx, o.keepttl, o.expire_at,
                      o.get ? &old : nullptr, &had_old);
  if (st == OpStatus::WRONG_TYPE) {
    return ReplyStatus(c, st);
  }
  if (o.get) {
    return had_old ? c.w.Bulk(old) : c.w.Null();
  }
  return st == OpStatus::OK ? ReplyOk(c) : c.w.Null();
}

void CmdSetNx(CmdArgs args, CommandContext& c) {
  OpStatus st = OpSet(c, args[1], args[2], true, false, false, 0, nullptr, nullptr);
  c.w.Integer(st == OpStatus::OK ? 1 : 0);
}

void SetExGeneric(CmdArgs args, CommandContext& c, int64_t unit) {
  int64_t v;
  if (!ParseInt(args[2], &v)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (v <= 0 || v > INT64_MAX / unit || v * unit > INT64_MAX - c.now_ms) {
    return c.w.Error("ERR invalid expire time in '" + std::string(c.cmd->name) + "' command");
  }
  OpSet(c, args[1], args[3], false, false, false, c.now_ms + v * unit, nullptr, nullptr);
  ReplyOk(c);
}

void CmdSetEx(CmdArgs a, CommandContext& c) { SetExGeneric(a, c, 1000); }
void CmdPSetEx(CmdArgs a, CommandContext& c) { SetExGeneric(a, c, 1); }

void CmdGet(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Null();
  }
  if (e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  ReplyEntryString(c, e);
}

void CmdGetSet(CmdArgs args, CommandContext& c) {
  std::string old;
  bool had = false;
  OpStatus st = OpSet(c, args[1], args[2], false, false, false, 0, &old, &had);
  if (st == OpStatus::WRONG_TYPE) {
    return ReplyStatus(c, st);
  }
  return had ? c.w.Bulk(old) : c.w.Null();
}

void CmdGetDel(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Null();
  }
  if (e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  ReplyEntryString(c, e);
  c.db.Delete(pos);
}

void CmdGetEx(CmdArgs args, CommandContext& c) {
  int64_t at = -1;  // -1 untouched, 0 persist
  for (size_t i = 2; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (EqualsNoCase(a, "persist") && at == -1) {
      at = 0;
    } else if (i + 1 < args.size() && at == -1 &&
               (EqualsNoCase(a, "ex") || EqualsNoCase(a, "px") || EqualsNoCase(a, "exat") ||
                EqualsNoCase(a, "pxat"))) {
      int64_t v;
      if (!ParseInt(args[++i], &v)) {
        return ReplyStatus(c, OpStatus::INVALID_INT);
      }
      bool seconds = EqualsNoCase(a, "ex") || EqualsNoCase(a, "exat");
      bool relative = EqualsNoCase(a, "ex") || EqualsNoCase(a, "px");
      if (v <= 0 || (seconds && v > INT64_MAX / 1000) ||
          (relative && (seconds ? v * 1000 : v) > INT64_MAX - c.now_ms)) {
        return c.w.Error("ERR invalid expire time in 'getex' command");
      }
      v = seconds ? v * 1000 : v;
      at = relative ? c.now_ms + v : v;
    } else {
      return ReplySyntaxError(c);
    }
  }
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Null();
  }
  if (e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  ReplyEntryString(c, e);
  if (at == 0) {
    c.db.Persist(pos);
  } else if (at > 0 && at <= c.now_ms) {
    c.db.Delete(pos);
  } else if (at > 0) {
    c.db.SetExpire(pos, at);
  }
}

void CmdMGet(CmdArgs args, CommandContext& c) {
  c.w.ArrayHeader(args.size() - 1);
  for (size_t i = 1; i < args.size(); ++i) {
    Db::Pos pos;
    Entry* e = LookupKey(c, args[i], Db::Hash(args[i]), &pos, true);
    if (e == nullptr || e->type() != ObjType::kString) {
      c.w.Null();
    } else {
      ReplyEntryString(c, e);
    }
  }
}

void CmdMSet(CmdArgs args, CommandContext& c) {
  if (args.size() % 2 != 1) {
    return c.w.Error("ERR wrong number of arguments for '" + std::string(c.cmd->name) +
                     "' command");
  }
  if (c.cmd->name == "msetnx") {
    for (size_t i = 1; i < args.size(); i += 2) {
      Db::Pos pos;
      if (LookupKey(c, args[i], Db::Hash(args[i]), &pos, false) != nullptr) {
        return c.w.Integer(0);
      }
    }
  }
  for (size_t i = 1; i < args.size(); i += 2) {
    OpSet(c, args[i], args[i + 1], false, false, false, 0, nullptr, nullptr);
  }
  return c.cmd->name == "msetnx" ? c.w.Integer(1) : ReplyOk(c);
}

void IncrGeneric(CommandContext& c, std::string_view key, int64_t delta) {
  OpResult<int64_t> r = OpIncrBy(c, key, delta);
  return r.ok() ? c.w.Integer(*r) : ReplyStatus(c, r.status());
}

void CmdIncr(CmdArgs a, CommandContext& c) { IncrGeneric(c, a[1], 1); }
void CmdDecr(CmdArgs a, CommandContext& c) { IncrGeneric(c, a[1], -1); }

void CmdIncrBy(CmdArgs a, CommandContext& c) {
  int64_t v;
  if (!ParseInt(a[2], &v)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  IncrGeneric(c, a[1], v);
}

void CmdDecrBy(CmdArgs a, CommandContext& c) {
  int64_t v;
  if (!ParseInt(a[2], &v)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (v == INT64_MIN) {
    return c.w.Error("ERR decrement would overflow");
  }
  IncrGeneric(c, a[1], -v);
}

void CmdIncrByFloat(CmdArgs args, CommandContext& c) {
  long double incr;
  Db::Pos pos;
  uint64_t h = Db::Hash(args[1]);
  Entry* e = LookupKey(c, args[1], h, &pos, false);
  long double cur = 0;
  if (e != nullptr) {
    if (e->type() != ObjType::kString) {
      return ReplyStatus(c, OpStatus::WRONG_TYPE);
    }
    if (e->is_int()) {
      cur = static_cast<long double>(e->int_value());
    } else if (!ParseLongDouble(e->str(), &cur)) {
      return ReplyStatus(c, OpStatus::INVALID_FLOAT);
    }
  }
  if (!ParseLongDouble(args[2], &incr)) {  // after the type and value checks, like Redis
    return ReplyStatus(c, OpStatus::INVALID_FLOAT);
  }
  long double v = cur + incr;
  if (std::isnan(v) || std::isinf(v)) {
    return ReplyStatus(c, OpStatus::NAN_RESULT);
  }
  std::string s = FormatLongDouble(v);
  if (e == nullptr) {
    AddEntry(c, Entry::NewString(args[1], s, false, false), Db::Hash(args[1]));
  } else {
    Entry* n = Entry::SetString(e, s, false, false);
    c.db.Update(pos, e, n);
  }
  c.w.Bulk(s);
}

void CmdAppend(CmdArgs args, CommandContext& c) {
  OpResult<size_t> r = OpAppend(c, args[1], args[2]);
  return r.ok() ? c.w.Integer(static_cast<int64_t>(*r)) : ReplyStatus(c, r.status());
}

void CmdStrlen(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Integer(0);
  }
  if (e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  c.w.Integer(static_cast<int64_t>(e->StringLength()));
}

void CmdGetRange(CmdArgs args, CommandContext& c) {
  int64_t start, end;
  if (!ParseInt(args[2], &start) || !ParseInt(args[3], &end)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Bulk("");
  }
  if (e->type() != ObjType::kString) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  char buf[24];
  std::string_view s = StringValue(e, buf);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    return c.w.Bulk("");
  }
  if (start < 0) {
    start = std::max<int64_t>(0, len + start);
  }
  if (end < 0) {
    end = std::max<int64_t>(0, len + end);
  }
  if (end >= len) {
    end = len - 1;
  }
  if (start > end || len == 0) {
    return c.w.Bulk("");
  }
  c.w.Bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(CmdArgs args, CommandContext& c) {
  int64_t offset;
  if (!ParseInt(args[2], &offset)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (offset < 0) {
    return c.w.Error("ERR offset is out of range");
  }
  if (offset + static_cast<int64_t>(args[3].size()) > kMaxStringSize) {
    return c.w.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  OpResult<size_t> r = OpSetRange(c, args[1], static_cast<size_t>(offset), args[3]);
  return r.ok() ? c.w.Integer(static_cast<int64_t>(*r)) : ReplyStatus(c, r.status());
}

struct LcsOptions {
  bool len = false, idx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
};

bool ParseLcsOptions(CmdArgs args, CommandContext& c, LcsOptions* o) {
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsNoCase(args[j], "idx")) {
      o->idx = true;
    } else if (EqualsNoCase(args[j], "len")) {
      o->len = true;
    } else if (EqualsNoCase(args[j], "withmatchlen")) {
      o->withmatchlen = true;
    } else if (EqualsNoCase(args[j], "minmatchlen") && j + 1 < args.size()) {
      if (!ParseInt(args[++j], &o->minmatchlen)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      o->minmatchlen = std::max<int64_t>(o->minmatchlen, 0);
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  if (o->idx && o->len) {
    c.w.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
};

struct LcsResult {
  std::string lcs;
  std::vector<LcsRange> ranges;  // IDX matches, from the strings' ends like Redis
};

// Redis 7.0's LCS: the full dynamic-programming table and its backtracking order (from the
// strings' ends, i-- on a strict max else j--), so the string and the ranges match Redis.
LcsResult ComputeLcs(std::string_view a, std::string_view b, int64_t minmatchlen) {
  const size_t alen = a.size(), blen = b.size();
  std::vector<uint32_t> dp((alen + 1) * (blen + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return dp[j + i * (blen + 1)]; };
  for (size_t i = 1; i <= alen; ++i) {
    for (size_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  LcsResult res;
  res.lcs.assign(at(alen, blen), '\0');
  const auto none = static_cast<uint32_t>(alen);  // a_start == alen: no open range
  LcsRange cur{none, 0, 0, 0};
  size_t i = alen, j = blen, k = res.lcs.size();
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      res.lcs[--k] = a[i - 1];
      if (cur.a_start == none) {
        auto ai = static_cast<uint32_t>(i - 1), bj = static_cast<uint32_t>(j - 1);
        cur = {ai, ai, bj, bj};
      } else if (cur.a_start == i && cur.b_start == j) {
        cur.a_start--;
        cur.b_start--;
      } else {
        emit = true;
      }
      emit |= cur.a_start == 0 || cur.b_start == 0;
      i--;
      j--;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        i--;
      } else {
        j--;
      }
      emit = cur.a_start != none;
    }
    if (emit) {
      uint32_t match_len = cur.a_end - cur.a_start + 1;
      if (minmatchlen == 0 || match_len >= minmatchlen) {
        res.ranges.push_back(cur);
      }
      cur.a_start = none;
    }
  }
  return res;
}

void ReplyLcsRanges(CommandContext& c, const LcsResult& res, bool withmatchlen) {
  c.w.MapHeader(2);
  c.w.Bulk("matches");
  c.w.ArrayHeader(res.ranges.size());
  for (const LcsRange& r : res.ranges) {
    c.w.ArrayHeader(withmatchlen ? 3 : 2);
    c.w.ArrayHeader(2);
    c.w.Integer(r.a_start);
    c.w.Integer(r.a_end);
    c.w.ArrayHeader(2);
    c.w.Integer(r.b_start);
    c.w.Integer(r.b_end);
    if (withmatchlen) {
      c.w.Integer(r.a_end - r.a_start + 1);
    }
  }
  c.w.Bulk("len");
  c.w.Integer(static_cast<int64_t>(res.lcs.size()));
}

void CmdLcs(CmdArgs args, CommandContext& c) {
  Entry* ea = LookupRead(c, args[1]);
  Entry* eb = LookupRead(c, args[2]);
  if ((ea != nullptr && ea->type() != ObjType::kString) ||
      (eb != nullptr && eb->type() != ObjType::kString)) {
    return c.w.Error("ERR The specified keys must contain string values");
  }
  LcsOptions o;
  if (!ParseLcsOptions(args, c, &o)) {
    return;
  }
  char abuf[24], bbuf[24];
  std::string_view a = ea ? StringValue(ea, abuf) : std::string_view();
  std::string_view b = eb ? StringValue(eb, bbuf) : std::string_view();
  // The table is transient but can be huge: Redis 7.0.15 refuses above proto-max-bulk-len.
  const uint64_t cells = static_cast<uint64_t>(a.size() + 1) * (b.size() + 1);  // both <= 512 MB
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(kMaxStringSize)) {
    return c.w.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  LcsResult res = ComputeLcs(a, b, o.minmatchlen);
  if (o.len) {
    return c.w.Integer(static_cast<int64_t>(res.lcs.size()));
  }
  if (o.idx) {
    return ReplyLcsRanges(c, res, o.withmatchlen);
  }
  c.w.Bulk(res.lcs);
}

}  // namespace

void RegisterStringFamily(CommandRegistry* r) {
  *r << CommandId{"get", READONLY | FAST, 2, 1, 1, 1, CmdGet}
     << CommandId{"set", WRITE | DENYOOM, -3, 1, 1, 1, CmdSet}
     << CommandId{"setnx", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdSetNx}
     << CommandId{"setex", WRITE | DENYOOM, 4, 1, 1, 1, CmdSetEx}
     << CommandId{"psetex", WRITE | DENYOOM, 4, 1, 1, 1, CmdPSetEx}
     << CommandId{"getset", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdGetSet}
     << CommandId{"getdel", WRITE | FAST, 2, 1, 1, 1, CmdGetDel}
     << CommandId{"getex", WRITE | FAST, -2, 1, 1, 1, CmdGetEx}
     << CommandId{"mget", READONLY | FAST, -2, 1, -1, 1, CmdMGet}
     << CommandId{"mset", WRITE | DENYOOM, -3, 1, -1, 2, CmdMSet}
     << CommandId{"msetnx", WRITE | DENYOOM, -3, 1, -1, 2, CmdMSet}
     << CommandId{"incr", WRITE | DENYOOM | FAST, 2, 1, 1, 1, CmdIncr}
     << CommandId{"decr", WRITE | DENYOOM | FAST, 2, 1, 1, 1, CmdDecr}
     << CommandId{"incrby", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdIncrBy}
     << CommandId{"decrby", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdDecrBy}
     << CommandId{"incrbyfloat", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdIncrByFloat}
     << CommandId{"append", WRITE | DENYOOM | FAST, 3, 1, 1, 1, CmdAppend}
     << CommandId{"strlen", READONLY | FAST, 2, 1, 1, 1, CmdStrlen}
     << CommandId{"getrange", READONLY, 4, 1, 1, 1, CmdGetRange}
     << CommandId{"substr", READONLY, 4, 1, 1, 1, CmdGetRange}
     << CommandId{"setrange", WRITE | DENYOOM, 4, 1, 1, 1, CmdSetRange}
     << CommandId{"lcs", READONLY, -3, 1, 2, 1, CmdLcs};
}

}  // namespace mr::engine
