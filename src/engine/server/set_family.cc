// Set commands: SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SPOP SRANDMEMBER SMOVE
// SINTER/SUNION/SDIFF (+STORE) SINTERCARD SSCAN.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/core/set_type.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

SetObject* Obj(Entry* e) { return e->obj<SetObject>(); }

OpResult<Entry*> FindSet(CommandContext& c, std::string_view key) {
  Db::Pos pos;
  return LookupTyped(c, key, ObjType::kSet, &pos, Db::Hash(key));
}

// Reply helper for read commands on a missing key.
bool Missing(CommandContext& c, const OpResult<Entry*>& r) {
  if (r.status() != OpStatus::KEY_NOTFOUND) {
    ReplyStatus(c, r.status());
    return false;
  }
  return true;
}

void CmdSAdd(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindOrCreate<SetObject>(c, args[1], ObjType::kSet, Enc::kIntset);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  int64_t n = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    n += Obj(*r)->Add(args[i], c.limits()) ? 1 : 0;
  }
  (*r)->set_enc(Obj(*r)->encoding());
  c.w.Integer(n);
}

void CmdSRem(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  int64_t n = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    n += Obj(*r)->Remove(args[i]) ? 1 : 0;
  }
  DeleteIfEmpty(c, args[1], Obj(*r)->size());
  c.w.Integer(n);
}

void CmdSIsMember(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  c.w.Integer(Obj(*r)->Contains(args[2]) ? 1 : 0);
}

void CmdSMIsMember(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok() && !Missing(c, r)) {
    return;
  }
  c.w.ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    c.w.Integer(r.ok() && Obj(*r)->Contains(args[i]) ? 1 : 0);
  }
}

void CmdSCard(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  c.w.Integer(static_cast<int64_t>(Obj(*r)->size()));
}

void ReplyMembers(CommandContext& c, const std::vector<std::string>& m) {
  c.w.SetHeader(m.size());
  for (const std::string& s : m) {
    c.w.Bulk(s);
  }
}

std::vector<std::string> Members(const SetObject* s) {
  std::vector<std::string> out;
  out.reserve(s->size());
  s->ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

void CmdSMembers(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.SetHeader(0) : void();
  }
  ReplyMembers(c, Members(Obj(*r)));
}

void CmdSPop(CmdArgs args, CommandContext& c) {
  int64_t count = 1;
  if (args.size() == 3) {
    if (!ParseInt(args[2], &count) || count < 0) {
      return c.w.Error("ERR value is out of range, must be positive");
    }
  } else if (args.size() > 3) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    if (!Missing(c, r)) {
      return;
    }
    return args.size() == 2 ? c.w.Null() : c.w.SetHeader(0);
  }
  std::vector<std::string> out;
  SetObject* s = Obj(*r);
  for (int64_t i = 0; i < count && s->size() > 0; ++i) {
    std::string m;
    s->Random(c.inst.NextRandom(), &m);
    s->Remove(m);
    out.push_back(std::move(m));
  }
  c.propagated = true;  // recorded as SREM of what was popped: replay must not draw again
  if (!out.empty()) {
    std::vector<std::string_view> srem{"srem", args[1]};
    srem.insert(srem.end(), out.begin(), out.end());
    PropagateAs(c, srem);
  }
  DeleteIfEmpty(c, args[1], s->size());
  if (args.size() == 2) {
    return c.w.Bulk(out[0]);
  }
  ReplyMembers(c, out);
}

void CmdSRandMember(CmdArgs args, CommandContext& c) {
  int64_t count = 1;
  if (args.size() == 3 && !ParseInt(args[2], &count)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (args.size() > 3) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok()) {
    if (!Missing(c, r)) {
      return;
    }
    return args.size() == 2 ? c.w.Null() : c.w.ArrayHeader(0);
  }
  const SetObject* s = Obj(*r);
  std::vector<std::string> out;
  if (args.size() == 2 || count < 0) {
    size_t want = args.size() == 2 ? 1 : static_cast<size_t>(-count);
    for (size_t i = 0; i < want; ++i) {
      out.emplace_back();
      s->Random(c.inst.NextRandom(), &out.back());
    }
  } else {
    out = Members(s);
    for (size_t i = 0; i < out.size(); ++i) {
      std::swap(out[i], out[i + c.inst.NextRandom() % (out.size() - i)]);
    }
    out.resize(std::min(out.size(), static_cast<size_t>(count)));
  }
  if (args.size() == 2) {
    return c.w.Bulk(out[0]);
  }
  c.w.ArrayHeader(out.size());
  for (const std::string& m : out) {
    c.w.Bulk(m);
  }
}

void CmdSMove(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> src = FindSet(c, args[1]);
  if (src.status() == OpStatus::KEY_NOTFOUND) {
    return c.w.Integer(0);
  }
  if (!src.ok()) {
    return ReplyStatus(c, src.status());
  }
  OpResult<Entry*> dst = FindSet(c, args[2]);
  if (!dst.ok() && dst.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, dst.status());
  }
  if (!src.ok() || !Obj(*src)->Contains(args[3])) {
    return c.w.Integer(0);
  }
  if (args[1] == args[2]) {
    return c.w.Integer(1);
  }
  Obj(*src)->Remove(args[3]);
  DeleteIfEmpty(c, args[1], Obj(*src)->size());
  OpResult<Entry*> d = FindOrCreate<SetObject>(c, args[2], ObjType::kSet, Enc::kIntset);
  Obj(*d)->Add(args[3], c.limits());
  (*d)->set_enc(Obj(*d)->encoding());
  c.w.Integer(1);
}

// Loads the sets named by keys; missing keys are nullptr. WRONG_TYPE if any is not a set.
OpStatus LoadSets(CommandContext& c, CmdArgs keys, std::vector<const SetObject*>* out) {
  for (std::string_view k : keys) {
    OpResult<Entry*> r = FindSet(c, k);
    if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
      return r.status();
    }
    out->push_back(r.ok() ? Obj(*r) : nullptr);
  }
  return OpStatus::OK;
}

enum class SetOp { kInter, kUnion, kDiff };

std::vector<std::string> Compute(const std::vector<const SetObject*>& sets, SetOp op,
                                 size_t limit = 0) {
  std::vector<std::string> out;
  if (op == SetOp::kUnion) {
    std::unordered_set<std::string> seen;
    for (const SetObject* s : sets) {
      if (s) {
        s->ForEach([&](std::string_view m) { seen.emplace(m); });
      }
    }
    out.assign(seen.begin(), seen.end());
    return out;
  }
  if (sets.empty() || sets[0] == nullptr) {
    return out;
  }
  const SetObject* base = sets[0];
  if (op == SetOp::kInter) {
    for (const SetObject* s : sets) {
      if (s == nullptr) {
        return out;
      }
      base = s->size() < base->size() ? s : base;
    }
  }
  base->ForEach([&](std::string_view m) {
    if (limit > 0 && out.size() >= limit) {
      return;
    }
    bool keep = true;
    for (size_t i = op == SetOp::kDiff ? 1 : 0; i < sets.size() && keep; ++i) {
      if (sets[i] == base && op == SetOp::kInter) {
        continue;
      }
      bool has = sets[i] != nullptr && sets[i]->Contains(m);
      keep = op == SetOp::kInter ? has : !has;
    }
    if (keep) {
      out.emplace_back(m);
    }
  });
  return out;
}

// Redis builds all-integer results as an intset, so they come back sorted numerically.
void SortLikeIntset(std::vector<std::string>* res, const EncodingLimits& lim) {
  if (res->size() > lim.set_intset_entries) {
    return;
  }
  std::vector<std::pair<int64_t, std::string*>> ints;
  for (std::string& m : *res) {
    int64_t v;
    if (!ParseInt64(m, &v)) {
      return;
    }
    ints.emplace_back(v, &m);
  }
  std::sort(ints.begin(), ints.end());
  std::vector<std::string> sorted;
  for (auto& [v, m] : ints) {
    sorted.push_back(std::move(*m));
  }
  res->swap(sorted);
}

void SetAlgebra(CmdArgs args, CommandContext& c, SetOp op, bool store) {
  std::vector<const SetObject*> sets;
  OpStatus st = LoadSets(c, args.subspan(store ? 2 : 1), &sets);
  if (st != OpStatus::OK) {
    return ReplyStatus(c, st);
  }
  std::vector<std::string> res = Compute(sets, op);
  if (!store) {
    SortLikeIntset(&res, c.limits());
    return ReplyMembers(c, res);
  }
  Db::Pos pos;
  if (c.db.Find(args[1], Db::Hash(args[1]), c.now_ms, &pos) != nullptr) {
    c.db.Delete(pos);
  }
  if (!res.empty()) {
    auto* s = New<SetObject>();
    for (const std::string& m : res) {
      s->Add(m, c.limits());
    }
    AddEntry(c, Entry::NewObject(args[1], ObjType::kSet, s->encoding(), s), Db::Hash(args[1]));
  }
  c.w.Integer(static_cast<int64_t>(res.size()));
}

void CmdSInter(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kInter, false); }
void CmdSUnion(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kUnion, false); }
void CmdSDiff(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kDiff, false); }
void CmdSInterStore(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kInter, true); }
void CmdSUnionStore(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kUnion, true); }
void CmdSDiffStore(CmdArgs a, CommandContext& c) { SetAlgebra(a, c, SetOp::kDiff, true); }

void CmdSInterCard(CmdArgs args, CommandContext& c) {
  int64_t numkeys = 0, limit = 0;
  if (!ParseInterCardArgs(c, args, &numkeys, &limit)) {
    return;
  }
  std::vector<const SetObject*> sets;
  OpStatus st = LoadSets(c, args.subspan(2, static_cast<size_t>(numkeys)), &sets);
  if (st != OpStatus::OK) {
    return ReplyStatus(c, st);
  }
  size_t n = Compute(sets, SetOp::kInter, static_cast<size_t>(limit)).size();
  c.w.Integer(static_cast<int64_t>(n));
}

void CmdSScan(CmdArgs args, CommandContext& c) {
  ScanOpts o;
  if (!ParseScanOpts(c, args, 2, &o)) {
    return;
  }
  OpResult<Entry*> r = FindSet(c, args[1]);
  if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, r.status());
  }
  std::vector<std::string> out;
  uint64_t next = 0;
  if (r.ok()) {
    next = Obj(*r)->Scan(o.cursor, o.count, [&](std::string_view m) {
      if (o.Matches(m)) {
        out.emplace_back(m);
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

void RegisterSetFamily(CommandRegistry* r) {
  *r << CommandId{"sadd", WRITE | DENYOOM | FAST, -3, 1, 1, 1, CmdSAdd}
     << CommandId{"srem", WRITE | FAST, -3, 1, 1, 1, CmdSRem}
     << CommandId{"sismember", READONLY | FAST, 3, 1, 1, 1, CmdSIsMember}
     << CommandId{"smismember", READONLY | FAST, -3, 1, 1, 1, CmdSMIsMember}
     << CommandId{"scard", READONLY | FAST, 2, 1, 1, 1, CmdSCard}
     << CommandId{"smembers", READONLY, 2, 1, 1, 1, CmdSMembers}
     << CommandId{"spop", WRITE | FAST, -2, 1, 1, 1, CmdSPop}
     << CommandId{"srandmember", READONLY, -2, 1, 1, 1, CmdSRandMember}
     << CommandId{"smove", WRITE | FAST, 4, 1, 2, 1, CmdSMove}
     << CommandId{"sinter", READONLY, -2, 1, -1, 1, CmdSInter}
     << CommandId{"sunion", READONLY, -2, 1, -1, 1, CmdSUnion}
     << CommandId{"sdiff", READONLY, -2, 1, -1, 1, CmdSDiff}
     << CommandId{"sinterstore", WRITE | DENYOOM, -3, 1, -1, 1, CmdSInterStore}
     << CommandId{"sunionstore", WRITE | DENYOOM, -3, 1, -1, 1, CmdSUnionStore}
     << CommandId{"sdiffstore", WRITE | DENYOOM, -3, 1, -1, 1, CmdSDiffStore}
     << CommandId{"sintercard", READONLY, -3, 0, 0, 0, CmdSInterCard}
     << CommandId{"sscan", READONLY, -3, 1, 1, 1, CmdSScan};
}

}  // namespace mr::engine
