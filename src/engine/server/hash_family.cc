// Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HINCRBY HINCRBYFLOAT
// HKEYS HVALS HGETALL HRANDFIELD HSCAN.
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/hash_type.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

OpResult<Entry*> FindHash(CommandContext& c, std::string_view key) {
  Db::Pos pos;
  return LookupTyped(c, key, ObjType::kHash, &pos, Db::Hash(key));
}

HashObject* Obj(Entry* e) { return e->obj<HashObject>(); }

void SyncEnc(Entry* e) { e->set_enc(Obj(e)->encoding()); }

void CmdHSet(CmdArgs args, CommandContext& c) {
  if (args.size() % 2 != 0) {
    return ReplyWrongArgs(c);
  }
  OpResult<Entry*> r = FindOrCreate<HashObject>(c, args[1], ObjType::kHash, Enc::kListpack);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  int64_t added = 0;
  for (size_t i = 2; i < args.size(); i += 2) {
    added += Obj(*r)->Set(args[i], args[i + 1], c.limits()) ? 1 : 0;
  }
  SyncEnc(*r);
  return c.cmd->name == "hmset" ? ReplyOk(c) : c.w.Integer(added);
}

void CmdHSetNx(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindOrCreate<HashObject>(c, args[1], ObjType::kHash, Enc::kListpack);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  std::string_view v;
  if (Obj(*r)->Get(args[2], &v)) {
    return c.w.Integer(0);
  }
  Obj(*r)->Set(args[2], args[3], c.limits());
  SyncEnc(*r);
  c.w.Integer(1);
}

void CmdHGet(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Null() : ReplyStatus(c, r.status());
  }
  std::string_view v;
  return Obj(*r)->Get(args[2], &v) ? c.w.Bulk(v) : c.w.Null();
}

void CmdHMGet(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, r.status());
  }
  c.w.ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    std::string_view v;
    if (r.ok() && Obj(*r)->Get(args[i], &v)) {
      c.w.Bulk(v);
    } else {
      c.w.Null();
    }
  }
}

void CmdHDel(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Integer(0) : ReplyStatus(c, r.status());
  }
  int64_t n = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    n += Obj(*r)->Del(args[i]) ? 1 : 0;
  }
  DeleteIfEmpty(c, args[1], Obj(*r)->size());
  c.w.Integer(n);
}

void CmdHLen(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Integer(0) : ReplyStatus(c, r.status());
  }
  c.w.Integer(static_cast<int64_t>(Obj(*r)->size()));
}

void CmdHStrLen(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Integer(0) : ReplyStatus(c, r.status());
  }
  std::string_view v;
  c.w.Integer(Obj(*r)->Get(args[2], &v) ? static_cast<int64_t>(v.size()) : 0);
}

void CmdHExists(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.Integer(0) : ReplyStatus(c, r.status());
  }
  std::string_view v;
  c.w.Integer(Obj(*r)->Get(args[2], &v) ? 1 : 0);
}

void CmdHIncrBy(CmdArgs args, CommandContext& c) {
  int64_t incr;
  if (!ParseInt(args[3], &incr)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindOrCreate<HashObject>(c, args[1], ObjType::kHash, Enc::kListpack);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  int64_t cur = 0;
  std::string_view v;
  if (Obj(*r)->Get(args[2], &v) && !ParseInt(v, &cur)) {
    DeleteIfEmpty(c, args[1], Obj(*r)->size());
    return c.w.Error("ERR hash value is not an integer");
  }
  if ((incr < 0 && cur < 0 && incr < INT64_MIN - cur) ||
      (incr > 0 && cur > 0 && incr > INT64_MAX - cur)) {
    DeleteIfEmpty(c, args[1], Obj(*r)->size());
    return ReplyStatus(c, OpStatus::OVERFLOW);
  }
  char buf[24];
  Obj(*r)->Set(args[2], std::string_view(buf, FormatInt64(cur + incr, buf)), c.limits());
  SyncEnc(*r);
  c.w.Integer(cur + incr);
}

void CmdHIncrByFloat(CmdArgs args, CommandContext& c) {
  long double incr;
  if (!ParseLongDouble(args[3], &incr)) {
    return ReplyStatus(c, OpStatus::INVALID_FLOAT);
  }
  OpResult<Entry*> r = FindOrCreate<HashObject>(c, args[1], ObjType::kHash, Enc::kListpack);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  long double cur = 0;
  std::string_view v;
  if (Obj(*r)->Get(args[2], &v) && !ParseLongDouble(v, &cur)) {
    DeleteIfEmpty(c, args[1], Obj(*r)->size());
    return c.w.Error("ERR hash value is not a float");
  }
  long double res = cur + incr;
  if (std::isnan(res) || std::isinf(res)) {
    DeleteIfEmpty(c, args[1], Obj(*r)->size());
    return ReplyStatus(c, OpStatus::NAN_RESULT);
  }
  std::string s = FormatLongDouble(res);
  Obj(*r)->Set(args[2], s, c.limits());
  SyncEnc(*r);
  c.w.Bulk(s);
}

// HKEYS (what=1), HVALS (2), HGETALL (3).
void GetAll(CmdArgs args, CommandContext& c, int what) {
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    if (r.status() != OpStatus::KEY_NOTFOUND) {
      return ReplyStatus(c, r.status());
    }
    return what == 3 ? c.w.MapHeader(0) : c.w.ArrayHeader(0);
  }
  const HashObject* h = Obj(*r);
  if (what == 3) {
    c.w.MapHeader(h->size());
  } else {
    c.w.ArrayHeader(h->size());
  }
  h->ForEach([&](std::string_view f, std::string_view v) {
    if (what & 1) {
      c.w.Bulk(f);
    }
    if (what & 2) {
      c.w.Bulk(v);
    }
  });
}

void CmdHKeys(CmdArgs a, CommandContext& c) { GetAll(a, c, 1); }
void CmdHVals(CmdArgs a, CommandContext& c) { GetAll(a, c, 2); }
void CmdHGetAll(CmdArgs a, CommandContext& c) { GetAll(a, c, 3); }

void CmdHRandField(CmdArgs args, CommandContext& c) {
  int64_t count = 1;
  bool with_values = false;
  if (args.size() >= 3 && !ParseInt(args[2], &count)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (args.size() == 4) {
    if (!EqualsNoCase(args[3], "withvalues")) {
      return ReplySyntaxError(c);
    }
    with_values = true;
  } else if (args.size() > 4) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok()) {
    if (r.status() != OpStatus::KEY_NOTFOUND) {
      return ReplyStatus(c, r.status());
    }
    return args.size() == 2 ? c.w.Null() : c.w.ArrayHeader(0);
  }
  const HashObject* h = Obj(*r);
  std::vector<std::pair<std::string_view, std::string_view>> picks;
  if (args.size() == 2 || count < 0) {
    size_t want = args.size() == 2 ? 1 : static_cast<size_t>(-count);
    for (size_t i = 0; i < want; ++i) {
      picks.emplace_back();
      h->Random(c.inst.NextRandom(), &picks.back().first, &picks.back().second);
    }
  } else {
    h->ForEach([&](std::string_view f, std::string_view v) { picks.emplace_back(f, v); });
    for (size_t i = 0; i < picks.size(); ++i) {
      std::swap(picks[i], picks[i + c.inst.NextRandom() % (picks.size() - i)]);
    }
    picks.resize(std::min(picks.size(), static_cast<size_t>(count)));
  }
  if (args.size() == 2) {
    return c.w.Bulk(picks[0].first);
  }
  bool pairs = with_values && c.w.protocol() == resp::Protocol::kResp3;
  c.w.ArrayHeader(picks.size() * (with_values && !pairs ? 2 : 1));
  for (const auto& [f, v] : picks) {
    if (pairs) {
      c.w.ArrayHeader(2);
    }
    c.w.Bulk(f);
    if (with_values) {
      c.w.Bulk(v);
    }
  }
}

void CmdHScan(CmdArgs args, CommandContext& c) {
  ScanOpts o;
  if (!ParseScanOpts(c, args, 2, &o)) {
    return;
  }
  OpResult<Entry*> r = FindHash(c, args[1]);
  if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, r.status());
  }
  std::vector<std::string> out;
  uint64_t next = 0;
  if (r.ok()) {
    next = Obj(*r)->Scan(o.cursor, o.count, [&](std::string_view f, std::string_view v) {
      if (o.Matches(f)) {
        out.emplace_back(f);
        out.emplace_back(v);
      }
    });
  }
  c.w.ArrayHeader(2);
  ReplyIntBulk(c, static_cast<int64_t>(next));
  c.w.ArrayHeader(out.size());
  for (const std::string& s : out) {
    c.w.Bulk(s);
  }
}

}  // namespace

void RegisterHashFamily(CommandRegistry* r) {
  *r << CommandId{"hset", WRITE | DENYOOM | FAST, -4, 1, 1, 1, CmdHSet}
     << CommandId{"hmset", WRITE | DENYOOM | FAST, -4, 1, 1, 1, CmdHSet}
     << CommandId{"hsetnx", WRITE | DENYOOM | FAST, 4, 1, 1, 1, CmdHSetNx}
     << CommandId{"hget", READONLY | FAST, 3, 1, 1, 1, CmdHGet}
     << CommandId{"hmget", READONLY | FAST, -3, 1, 1, 1, CmdHMGet}
     << CommandId{"hdel", WRITE | FAST, -3, 1, 1, 1, CmdHDel}
     << CommandId{"hlen", READONLY | FAST, 2, 1, 1, 1, CmdHLen}
     << CommandId{"hstrlen", READONLY | FAST, 3, 1, 1, 1, CmdHStrLen}
     << CommandId{"hexists", READONLY | FAST, 3, 1, 1, 1, CmdHExists}
     << CommandId{"hincrby", WRITE | DENYOOM | FAST, 4, 1, 1, 1, CmdHIncrBy}
     << CommandId{"hincrbyfloat", WRITE | DENYOOM | FAST, 4, 1, 1, 1, CmdHIncrByFloat}
     << CommandId{"hkeys", READONLY, 2, 1, 1, 1, CmdHKeys}
     << CommandId{"hvals", READONLY, 2, 1, 1, 1, CmdHVals}
     << CommandId{"hgetall", READONLY, 2, 1, 1, 1, CmdHGetAll}
     << CommandId{"hrandfield", READONLY, -2, 1, 1, 1, CmdHRandField}
     << CommandId{"hscan", READONLY, -3, 1, 1, 1, CmdHScan};
}

}  // namespace mr::engine
