// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM LREM LINSERT
// LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/list_type.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

ListObject* Obj(Entry* e) { return e->obj<ListObject>(); }

OpResult<Entry*> FindList(CommandContext& c, std::string_view key, bool read = true) {
  Db::Pos pos;
  return LookupTyped(c, key, ObjType::kList, &pos, Db::Hash(key), read);
}

bool Missing(CommandContext& c, const OpResult<Entry*>& r) {
  if (r.status() != OpStatus::KEY_NOTFOUND) {
    ReplyStatus(c, r.status());
    return false;
  }
  return true;
}

void PushGeneric(CmdArgs args, CommandContext& c, bool front, bool only_existing) {
  Entry* e;
  if (only_existing) {
    OpResult<Entry*> r = FindList(c, args[1], false);
    if (!r.ok()) {
      return Missing(c, r) ? c.w.Integer(0) : void();
    }
    e = *r;
  } else {
    OpResult<Entry*> r = FindOrCreate<ListObject>(c, args[1], ObjType::kList, Enc::kQuicklist);
    if (!r.ok()) {
      return ReplyStatus(c, r.status());
    }
    e = *r;
  }
  for (size_t i = 2; i < args.size(); ++i) {
    Obj(e)->Push(args[i], front, c.limits());
  }
  c.inst.SignalKeyReady(c.db_index(), args[1]);
  c.w.Integer(static_cast<int64_t>(Obj(e)->size()));
}

void CmdLPush(CmdArgs a, CommandContext& c) { PushGeneric(a, c, true, false); }
void CmdRPush(CmdArgs a, CommandContext& c) { PushGeneric(a, c, false, false); }
void CmdLPushX(CmdArgs a, CommandContext& c) { PushGeneric(a, c, true, true); }
void CmdRPushX(CmdArgs a, CommandContext& c) { PushGeneric(a, c, false, true); }

void PopGeneric(CmdArgs args, CommandContext& c, bool front) {
  int64_t count = 1;
  if (args.size() == 3 && (!ParseInt(args[2], &count) || count < 0)) {
    return c.w.Error("ERR value is out of range, must be positive");
  }
  if (args.size() > 3) {
    return ReplyWrongArgs(c);
  }
  OpResult<Entry*> r = FindList(c, args[1], false);
  if (!r.ok()) {
    if (!Missing(c, r)) {
      return;
    }
    return args.size() == 2 ? c.w.Null() : c.w.NullArray();
  }
  ListObject* l = Obj(*r);
  std::string v;
  if (args.size() == 2) {
    l->Pop(front, &v);
    c.w.Bulk(v);
  } else {
    size_t n = std::min<size_t>(static_cast<size_t>(count), l->size());
    c.w.ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) {
      l->Pop(front, &v);
      c.w.Bulk(v);
    }
  }
  DeleteIfEmpty(c, args[1], l->size());
}

void CmdLPop(CmdArgs a, CommandContext& c) { PopGeneric(a, c, true); }
void CmdRPop(CmdArgs a, CommandContext& c) { PopGeneric(a, c, false); }

void CmdLLen(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindList(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  c.w.Integer(static_cast<int64_t>(Obj(*r)->size()));
}

void CmdLIndex(CmdArgs args, CommandContext& c) {
  int64_t idx;
  if (!ParseInt(args[2], &idx)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindList(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Null() : void();
  }
  std::string v;
  return Obj(*r)->Index(idx, &v) ? c.w.Bulk(v) : c.w.Null();
}

void CmdLSet(CmdArgs args, CommandContext& c) {
  int64_t idx;
  if (!ParseInt(args[2], &idx)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindList(c, args[1], false);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Error("ERR no such key")
                                                : ReplyStatus(c, r.status());
  }
  return Obj(*r)->Set(idx, args[3], c.limits()) ? ReplyOk(c) : c.w.Error("ERR index out of range");
}

// Converts Redis [start, stop] indexes to a clamped range; false when empty.
bool ClampRange(int64_t start, int64_t stop, size_t size, size_t* a, size_t* b) {
  int64_t n = static_cast<int64_t>(size);
  if (start < 0) {
    start += n;
  }
  if (stop < 0) {
    stop += n;
  }
  start = std::max<int64_t>(0, start);
  if (start > stop || start >= n) {
    return false;
  }
  stop = std::min(stop, n - 1);
  *a = static_cast<size_t>(start);
  *b = static_cast<size_t>(stop);
  return true;
}

void CmdLRange(CmdArgs args, CommandContext& c) {
  int64_t start, stop;
  if (!ParseInt(args[2], &start) || !ParseInt(args[3], &stop)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindList(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.ArrayHeader(0) : void();
  }
  size_t a, b;
  if (!ClampRange(start, stop, Obj(*r)->size(), &a, &b)) {
    return c.w.ArrayHeader(0);
  }
  c.w.ArrayHeader(b - a + 1);
  Obj(*r)->ForRange(a, b, [&](size_t, std::string_view v) {
    c.w.Bulk(v);
    return true;
  });
}

void CmdLTrim(CmdArgs args, CommandContext& c) {
  int64_t start, stop;
  if (!ParseInt(args[2], &start) || !ParseInt(args[3], &stop)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindList(c, args[1], false);
  if (!r.ok()) {
    return Missing(c, r) ? ReplyOk(c) : void();
  }
  size_t a, b;
  ListObject* l = Obj(*r);
  if (!ClampRange(start, stop, l->size(), &a, &b)) {
    l->Trim(0, 0);
  } else {
    l->Trim(a, b - a + 1);
  }
  DeleteIfEmpty(c, args[1], l->size());
  ReplyOk(c);
}

void CmdLRem(CmdArgs args, CommandContext& c) {
  int64_t count;
  if (!ParseInt(args[2], &count)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindList(c, args[1], false);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  ListObject* l = Obj(*r);
  std::vector<size_t> hits;
  size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(std::abs(count));
  auto visit = [&](size_t i, std::string_view v) {
    if (v == args[3]) {
      hits.push_back(i);
    }
    return hits.size() < limit;
  };
  if (l->size() > 0) {
    if (count >= 0) {
      l->ForRange(0, l->size() - 1, visit);
    } else {
      l->ForRangeRev(l->size() - 1, 0, visit);
    }
  }
  std::sort(hits.begin(), hits.end());
  for (size_t k = hits.size(); k-- > 0;) {
    l->EraseAt(hits[k]);
  }
  DeleteIfEmpty(c, args[1], l->size());
  c.w.Integer(static_cast<int64_t>(hits.size()));
}

void CmdLInsert(CmdArgs args, CommandContext& c) {
  bool before = EqualsNoCase(args[2], "before");
  if (!before && !EqualsNoCase(args[2], "after")) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindList(c, args[1], false);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  ListObject* l = Obj(*r);
  size_t at = SIZE_MAX;
  if (l->size() > 0) {
    l->ForRange(0, l->size() - 1, [&](size_t i, std::string_view v) {
      if (v == args[3]) {
        at = i;
        return false;
      }
      return true;
    });
  }
  if (at == SIZE_MAX) {
    return c.w.Integer(-1);
  }
  l->InsertAt(before ? at : at + 1, args[4], c.limits());
  c.w.Integer(static_cast<int64_t>(l->size()));
}

void CmdLPos(CmdArgs args, CommandContext& c) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      return ReplySyntaxError(c);
    }
    int64_t v;
    if (!ParseInt(args[i + 1], &v)) {
      return ReplyStatus(c, OpStatus::INVALID_INT);
    }
    if (EqualsNoCase(args[i], "rank")) {
      if (v == 0 || v == INT64_MIN) {
        return c.w.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
      rank = v;
    } else if (EqualsNoCase(args[i], "count")) {
      if (v < 0) {
        return c.w.Error("ERR COUNT can't be negative");
      }
      count = v;
    } else if (EqualsNoCase(args[i], "maxlen")) {
      if (v < 0) {
        return c.w.Error("ERR MAXLEN can't be negative");
      }
      maxlen = v;
    } else {
      return ReplySyntaxError(c);
    }
  }
  OpResult<Entry*> r = FindList(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? (count >= 0 ? c.w.ArrayHeader(0) : c.w.Null()) : void();
  }
  const ListObject* l = Obj(*r);
  std::vector<int64_t> found;
  size_t want = count == 0 ? SIZE_MAX : (count < 0 ? 1 : static_cast<size_t>(count));
  int64_t skip = std::abs(rank) - 1;
  size_t scanned = 0;
  auto visit = [&](size_t i, std::string_view v) {
    if (maxlen > 0 && scanned++ >= static_cast<size_t>(maxlen)) {
      return false;
    }
    if (v == args[2] && skip-- <= 0) {
      found.push_back(static_cast<int64_t>(i));
    }
    return found.size() < want;
  };
  if (l->size() > 0) {
    if (rank > 0) {
      l->ForRange(0, l->size() - 1, visit);
    } else {
      l->ForRangeRev(l->size() - 1, 0, visit);
    }
  }
  if (count < 0) {
    return found.empty() ? c.w.Null() : c.w.Integer(found[0]);
  }
  c.w.ArrayHeader(found.size());
  for (int64_t f : found) {
    c.w.Integer(f);
  }
}

bool ParseSide(std::string_view s, bool* left) {
  if (EqualsNoCase(s, "left")) {
    *left = true;
    return true;
  }
  if (EqualsNoCase(s, "right")) {
    *left = false;
    return true;
  }
  return false;
}

// Pops from src and pushes to dst; KEY_NOTFOUND when src is empty.
OpResult<std::string> OpMove(CommandContext& c, std::string_view src, std::string_view dst,
                             bool from_left, bool to_left) {
  OpResult<Entry*> s = FindList(c, src, false);
  if (!s.ok()) {
    return s.status();
  }
  OpResult<Entry*> d = FindList(c, dst, false);
  if (!d.ok() && d.status() != OpStatus::KEY_NOTFOUND) {
    return d.status();
  }
  std::string v;
  Obj(*s)->Pop(from_left, &v);
  DeleteIfEmpty(c, src, Obj(*s)->size());
  OpResult<Entry*> t = FindOrCreate<ListObject>(c, dst, ObjType::kList, Enc::kQuicklist);
  Obj(*t)->Push(v, to_left, c.limits());
  c.inst.SignalKeyReady(c.db_index(), dst);
  return v;
}

void CmdLMove(CmdArgs args, CommandContext& c) {
  bool from_left = false, to_left = true;
  if (c.cmd->name == "lmove" &&
      (!ParseSide(args[3], &from_left) || !ParseSide(args[4], &to_left))) {
    return ReplySyntaxError(c);
  }
  OpResult<std::string> r = OpMove(c, args[1], args[2], from_left, to_left);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Null() : ReplyStatus(c, r.status());
  }
  c.w.Bulk(*r);
}

void BlockingPop(CmdArgs args, CommandContext& c, bool front) {
  double timeout;
  if (!ParseTimeout(c, args.back(), &timeout)) {
    return;
  }
  std::vector<std::string_view> keys(args.begin() + 1, args.end() - 1);
  for (std::string_view k : keys) {
    OpResult<Entry*> r = FindList(c, k, false);
    if (!r.ok()) {
      if (!Missing(c, r)) {
        return;
      }
      continue;
    }
    std::string v;
    Obj(*r)->Pop(front, &v);
    DeleteIfEmpty(c, k, Obj(*r)->size());
    c.w.ArrayHeader(2);
    c.w.Bulk(k);
    return c.w.Bulk(v);
  }
  if (c.in_exec) {
    return c.w.NullArray();
  }
  BlockOn(c, args, keys, timeout);
}

void CmdBLPop(CmdArgs a, CommandContext& c) { BlockingPop(a, c, true); }
void CmdBRPop(CmdArgs a, CommandContext& c) { BlockingPop(a, c, false); }

void CmdBLMove(CmdArgs args, CommandContext& c) {
  bool from_left = false, to_left = true;
  bool lmove = c.cmd->name == "blmove";
  if (lmove && (!ParseSide(args[3], &from_left) || !ParseSide(args[4], &to_left))) {
    return ReplySyntaxError(c);
  }
  double timeout;
  if (!ParseTimeout(c, args.back(), &timeout)) {
    return;
  }
  OpResult<std::string> r = OpMove(c, args[1], args[2], from_left, to_left);
  if (r.ok()) {
    return c.w.Bulk(*r);
  }
  if (r.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, r.status());
  }
  if (c.in_exec) {
    return c.w.Null();
  }
  BlockOn(c, args, {args[1]}, timeout);
}

// LMPOP numkeys key... LEFT|RIGHT [COUNT n] starting at args[first]; BLMPOP has a timeout first.
void MPopGeneric(CmdArgs args, CommandContext& c, size_t first, double timeout, bool block) {
  int64_t numkeys;
  if (!ParseInt(args[first], &numkeys) || numkeys <= 0) {
    return c.w.Error("ERR numkeys should be greater than 0");
  }
  size_t side_at = first + 1 + static_cast<size_t>(numkeys);
  bool left;
  if (side_at >= args.size() || !ParseSide(args[side_at], &left)) {
    return ReplySyntaxError(c);
  }
  int64_t count = 1;
  if (side_at + 1 < args.size()) {
    if (side_at + 3 != args.size() || !EqualsNoCase(args[side_at + 1], "count")) {
      return ReplySyntaxError(c);
    }
    if (!ParseInt(args[side_at + 2], &count) || count <= 0) {
      return c.w.Error("ERR count should be greater than 0");
    }
  }
  std::vector<std::string_view> keys(args.begin() + first + 1, args.begin() + side_at);
  for (std::string_view k : keys) {
    OpResult<Entry*> r = FindList(c, k, false);
    if (!r.ok()) {
      if (!Missing(c, r)) {
        return;
      }
      continue;
    }
    ListObject* l = Obj(*r);
    size_t n = std::min<size_t>(static_cast<size_t>(count), l->size());
    c.w.ArrayHeader(2);
    c.w.Bulk(k);
    c.w.ArrayHeader(n);
    std::string v;
    for (size_t i = 0; i < n; ++i) {
      l->Pop(left, &v);
      c.w.Bulk(v);
    }
    return DeleteIfEmpty(c, k, l->size());
  }
  if (!block || c.in_exec) {
    return c.w.NullArray();
  }
  BlockOn(c, args, keys, timeout);
}

void CmdLMPop(CmdArgs a, CommandContext& c) { MPopGeneric(a, c, 1, 0, false); }

void CmdBLMPop(CmdArgs args, CommandContext& c) {
  double timeout;
  if (!ParseTimeout(c, args[1], &timeout)) {
    return;
  }
  MPopGeneric(args, c, 2, timeout, true);
}

}  // namespace

void RegisterListFamily(CommandRegistry* r) {
  *r << CommandId{"lpush", WRITE | DENYOOM | FAST, -3, 1, 1, 1, CmdLPush}
     << CommandId{"rpush", WRITE | DENYOOM | FAST, -3, 1, 1, 1, CmdRPush}
     << CommandId{"lpushx", WRITE | DENYOOM | FAST, -3, 1, 1, 1, CmdLPushX}
     << CommandId{"rpushx", WRITE | DENYOOM | FAST, -3, 1, 1, 1, CmdRPushX}
     << CommandId{"lpop", WRITE | FAST, -2, 1, 1, 1, CmdLPop}
     << CommandId{"rpop", WRITE | FAST, -2, 1, 1, 1, CmdRPop}
     << CommandId{"llen", READONLY | FAST, 2, 1, 1, 1, CmdLLen}
     << CommandId{"lindex", READONLY, 3, 1, 1, 1, CmdLIndex}
     << CommandId{"lset", WRITE | DENYOOM, 4, 1, 1, 1, CmdLSet}
     << CommandId{"lrange", READONLY, 4, 1, 1, 1, CmdLRange}
     << CommandId{"ltrim", WRITE, 4, 1, 1, 1, CmdLTrim}
     << CommandId{"lrem", WRITE, 4, 1, 1, 1, CmdLRem}
     << CommandId{"linsert", WRITE | DENYOOM, 5, 1, 1, 1, CmdLInsert}
     << CommandId{"lpos", READONLY, -3, 1, 1, 1, CmdLPos}
     << CommandId{"lmove", WRITE | DENYOOM, 5, 1, 2, 1, CmdLMove}
     << CommandId{"rpoplpush", WRITE | DENYOOM, 3, 1, 2, 1, CmdLMove}
     << CommandId{"lmpop", WRITE, -4, 0, 0, 0, CmdLMPop}
     << CommandId{"blpop", WRITE | NOSCRIPT | BLOCKING, -3, 1, -2, 1, CmdBLPop}
     << CommandId{"brpop", WRITE | NOSCRIPT | BLOCKING, -3, 1, -2, 1, CmdBRPop}
     << CommandId{"blmove", WRITE | DENYOOM | NOSCRIPT | BLOCKING, 6, 1, 2, 1, CmdBLMove}
     << CommandId{"brpoplpush", WRITE | DENYOOM | NOSCRIPT | BLOCKING, 4, 1, 2, 1, CmdBLMove}
     << CommandId{"blmpop", WRITE | BLOCKING, -5, 0, 0, 0, CmdBLMPop};
}

}  // namespace mr::engine
