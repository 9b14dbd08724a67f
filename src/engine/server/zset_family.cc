// Sorted-set commands on one key: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
// ZLEXCOUNT ZRANGE (+BYSCORE/BYLEX/REV/LIMIT) ZRANGESTORE ZREVRANGE ZRANGEBY* ZREMRANGEBY*
// ZRANDMEMBER ZSCAN. Multi-key algebra and pops live in zset_algebra.cc.
#include <cmath>
#include <string>
#include <vector>

#include "engine/server/families.h"
#include "engine/server/zset_ops.h"

namespace mr::engine {

OpResult<Entry*> FindZSet(CommandContext& c, std::string_view key, bool read) {
  Db::Pos pos;
  return LookupTyped(c, key, ObjType::kZSet, &pos, Db::Hash(key), read);
}

size_t StoreZSet(CommandContext& c, std::string_view dst, const ScoredMembers& members) {
  Db::Pos pos;
  std::string key(dst);
  if (c.db.Find(key, Db::Hash(key), c.now_ms, &pos) != nullptr) {
    c.db.Delete(pos);
  }
  if (members.empty()) {
    return 0;
  }
  auto* z = New<ZSetObject>();
  for (const auto& [m, s] : members) {
    double old;
    if (z->Score(m, &old)) {
      z->Update(m, old, s);
    } else {
      z->Insert(m, s, c.limits());
    }
  }
  size_t n = z->size();
  AddEntry(c, Entry::NewObject(key, ObjType::kZSet, z->encoding(), z), Db::Hash(key));
  return n;
}

void ReplyScored(CommandContext& c, const ScoredMembers& m, bool with_scores) {
  bool pairs = with_scores && c.w.protocol() == resp::Protocol::kResp3;
  c.w.ArrayHeader(with_scores && !pairs ? m.size() * 2 : m.size());
  for (const auto& [member, score] : m) {
    if (pairs) {
      c.w.ArrayHeader(2);
    }
    c.w.Bulk(member);
    if (with_scores) {
      c.w.Double(score);
    }
  }
}

namespace {

using namespace co;

bool Missing(CommandContext& c, const OpResult<Entry*>& r) {
  if (r.status() != OpStatus::KEY_NOTFOUND) {
    ReplyStatus(c, r.status());
    return false;
  }
  return true;
}

struct ScoreBound {
  double v;
  bool ex;
};

bool ParseScoreBound(std::string_view s, ScoreBound* b) {
  b->ex = !s.empty() && s[0] == '(';
  if (b->ex) {
    s.remove_prefix(1);
  }
  return ParseDouble(s, &b->v);
}

bool ParseLexBound(std::string_view s, LexBound* b) {
  if (s == "-") {
    b->kind = LexBound::kNegInf;
  } else if (s == "+") {
    b->kind = LexBound::kPosInf;
  } else if (!s.empty() && (s[0] == '[' || s[0] == '(')) {
    b->kind = s[0] == '[' ? LexBound::kInclusive : LexBound::kExclusive;
    b->s = s.substr(1);
  } else {
    return false;
  }
  return true;
}

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// Applies one ZADD element; returns 1 added, 2 updated, 0 untouched; *out = resulting score.
int ZAddOne(CommandContext& c, ZSetObject* z, std::string_view m, double score,
            const ZAddFlags& f, double* out, bool* nan) {
  double cur;
  if (z->Score(m, &cur)) {
    if (f.nx) {
      return 0;
    }
    double next = f.incr ? cur + score : score;
    if (std::isnan(next)) {
      *nan = true;
      return 0;
    }
    if ((f.gt && next <= cur) || (f.lt && next >= cur)) {
      return 0;
    }
    *out = next;
    if (next != cur) {
      z->Update(m, cur, next);
      return 2;
    }
    return 3;  // same score: counts for INCR's reply, not for CH
  }
  if (f.xx) {
    return 0;
  }
  z->Insert(m, score, c.limits());
  *out = score;
  return 1;
}

void CmdZAdd(CmdArgs args, CommandContext& c) {
  ZAddFlags f;
  size_t i = 2;
  for (; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (EqualsNoCase(a, "nx")) f.nx = true;
    else if (EqualsNoCase(a, "xx")) f.xx = true;
    else if (EqualsNoCase(a, "gt")) f.gt = true;
    else if (EqualsNoCase(a, "lt")) f.lt = true;
    else if (EqualsNoCase(a, "ch")) f.ch = true;
    else if (EqualsNoCase(a, "incr")) f.incr = true;
    else break;
  }
  size_t pairs = args.size() - i;
  if (pairs == 0 || pairs % 2 != 0) {
    return ReplySyntaxError(c);
  }
  if (f.nx && f.xx) {
    return c.w.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return c.w.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (f.incr && pairs != 2) {
    return c.w.Error("ERR INCR option supports a single increment-element pair");
  }
  constexpr size_t kInline = 16;  // the common single-pair ZADD allocates nothing here
  double inline_scores[kInline];
  std::vector<double> heap_scores(pairs / 2 > kInline ? pairs / 2 : 0);
  double* scores = pairs / 2 > kInline ? heap_scores.data() : inline_scores;
  for (size_t k = i, n = 0; k < args.size(); k += 2, ++n) {
    if (!ParseDouble(args[k], &scores[n])) {
      return ReplyStatus(c, OpStatus::INVALID_FLOAT);
    }
  }
  OpResult<Entry*> r = FindZSet(c, args[1], false);
  if (!r.ok() && !Missing(c, r)) {
    return;
  }
  if (!r.ok()) {
    if (f.xx) {
      return f.incr ? c.w.Null() : c.w.Integer(0);
    }
    r = FindOrCreate<ZSetObject>(c, args[1], ObjType::kZSet, Enc::kListpack);
  }
  ZSetObject* z = ZObj(*r);
  int64_t added = 0, changed = 0;
  double last = 0;
  bool nan = false;
  int res = 0;
  for (size_t k = i, n = 0; k < args.size(); k += 2, ++n) {
    res = ZAddOne(c, z, args[k + 1], scores[n], f, &last, &nan);
    added += res == 1 ? 1 : 0;
    changed += res == 2 ? 1 : 0;
  }
  (*r)->set_enc(z->encoding());
  DeleteIfEmpty(c, args[1], z->size());
  if (nan) {
    return c.w.Error("ERR resulting score is not a number (NaN)");
  }
  if (f.incr) {
    return res == 0 ? c.w.Null() : c.w.Double(last);
  }
  c.w.Integer(f.ch ? added + changed : added);
}

void CmdZIncrBy(CmdArgs args, CommandContext& c) {
  double incr;
  if (!ParseDouble(args[2], &incr)) {
    return ReplyStatus(c, OpStatus::INVALID_FLOAT);
  }
  OpResult<Entry*> r = FindOrCreate<ZSetObject>(c, args[1], ObjType::kZSet, Enc::kListpack);
  if (!r.ok()) {
    return ReplyStatus(c, r.status());
  }
  ZAddFlags f;
  f.incr = true;
  double out = 0;
  bool nan = false;
  ZAddOne(c, ZObj(*r), args[3], incr, f, &out, &nan);
  (*r)->set_enc(ZObj(*r)->encoding());
  DeleteIfEmpty(c, args[1], ZObj(*r)->size());
  if (nan) {
    return c.w.Error("ERR resulting score is not a number (NaN)");
  }
  c.w.Double(out);
}

void CmdZRem(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindZSet(c, args[1], false);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  int64_t n = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    n += ZObj(*r)->Remove(args[i]) ? 1 : 0;
  }
  DeleteIfEmpty(c, args[1], ZObj(*r)->size());
  c.w.Integer(n);
}

void CmdZCard(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  c.w.Integer(static_cast<int64_t>(ZObj(*r)->size()));
}

void CmdZScore(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Null() : void();
  }
  double s;
  return ZObj(*r)->Score(args[2], &s) ? c.w.Double(s) : c.w.Null();
}

void CmdZMScore(CmdArgs args, CommandContext& c) {
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok() && !Missing(c, r)) {
    return;
  }
  c.w.ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    double s;
    if (r.ok() && ZObj(*r)->Score(args[i], &s)) {
      c.w.Double(s);
    } else {
      c.w.Null();
    }
  }
}

void RankGeneric(CmdArgs args, CommandContext& c, bool rev) {
  bool with_score = args.size() == 4 && EqualsNoCase(args[3], "withscore");
  if (args.size() > 4 || (args.size() == 4 && !with_score)) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? (with_score ? c.w.NullArray() : c.w.Null()) : void();
  }
  int64_t rank = ZObj(*r)->Rank(args[2]);
  if (rank < 0) {
    return with_score ? c.w.NullArray() : c.w.Null();
  }
  int64_t v = rev ? static_cast<int64_t>(ZObj(*r)->size()) - 1 - rank : rank;
  if (!with_score) {
    return c.w.Integer(v);
  }
  double s;
  ZObj(*r)->Score(args[2], &s);
  c.w.ArrayHeader(2);
  c.w.Integer(v);
  c.w.Double(s);
}

void CmdZRank(CmdArgs a, CommandContext& c) { RankGeneric(a, c, false); }
void CmdZRevRank(CmdArgs a, CommandContext& c) { RankGeneric(a, c, true); }

void CmdZCount(CmdArgs args, CommandContext& c) {
  ScoreBound lo, hi;
  if (!ParseScoreBound(args[2], &lo) || !ParseScoreBound(args[3], &hi)) {
    return c.w.Error("ERR min or max is not a float");
  }
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  size_t a = ZObj(*r)->CountBelowScore(lo.v, lo.ex);
  size_t b = ZObj(*r)->CountBelowScore(hi.v, !hi.ex);
  c.w.Integer(b > a ? static_cast<int64_t>(b - a) : 0);
}

void CmdZLexCount(CmdArgs args, CommandContext& c) {
  LexBound lo, hi;
  if (!ParseLexBound(args[2], &lo) || !ParseLexBound(args[3], &hi)) {
    return c.w.Error("ERR min or max not valid string range item");
  }
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? c.w.Integer(0) : void();
  }
  size_t a = ZObj(*r)->CountBelowLex(lo, false);
  size_t b = ZObj(*r)->CountBelowLex(hi, true);
  c.w.Integer(b > a ? static_cast<int64_t>(b - a) : 0);
}

enum class RangeBy { kRank, kScore, kLex };

struct RangeSpec {
  RangeBy by = RangeBy::kRank;
  bool rev = false;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  bool has_limit = false;
  std::string_view min, max;  // as given: for REV by score/lex, min is args' second bound
};

// Resolves the spec to ascending ranks [a, b]; false when the range is empty. Replies on error.
bool ResolveRange(CommandContext& c, const ZSetObject* z, const RangeSpec& s, size_t* a,
                  size_t* b, bool* err) {
  size_t n = z->size();
  *err = false;
  if (s.by == RangeBy::kRank) {
    int64_t start, stop;
    if (!ParseInt(s.min, &start) || !ParseInt(s.max, &stop)) {
      ReplyStatus(c, OpStatus::INVALID_INT);
      *err = true;
      return false;
    }
    int64_t sz = static_cast<int64_t>(n);
    start = start < 0 ? std::max<int64_t>(0, start + sz) : start;
    stop = stop < 0 ? stop + sz : stop;
    if (start > stop || start >= sz) {
      return false;
    }
    stop = std::min(stop, sz - 1);
    *a = s.rev ? static_cast<size_t>(sz - 1 - stop) : static_cast<size_t>(start);
    *b = s.rev ? static_cast<size_t>(sz - 1 - start) : static_cast<size_t>(stop);
    return true;
  }
  std::string_view lo_s = s.rev ? s.max : s.min;
  std::string_view hi_s = s.rev ? s.min : s.max;
  size_t lo, hi;
  if (s.by == RangeBy::kScore) {
    ScoreBound l, h;
    if (!ParseScoreBound(lo_s, &l) || !ParseScoreBound(hi_s, &h)) {
      c.w.Error("ERR min or max is not a float");
      *err = true;
      return false;
    }
    lo = z->CountBelowScore(l.v, l.ex);
    hi = z->CountBelowScore(h.v, !h.ex);
  } else {
    LexBound l, h;
    if (!ParseLexBound(lo_s, &l) || !ParseLexBound(hi_s, &h)) {
      c.w.Error("ERR min or max not valid string range item");
      *err = true;
      return false;
    }
    lo = z->CountBelowLex(l, false);
    hi = z->CountBelowLex(h, true);
  }
  if (hi <= lo) {
    return false;
  }
  *a = lo;
  *b = hi - 1;
  return true;
}

// Collects the members selected by the spec (in reply order). Replies and returns false on error.
bool CollectRange(CommandContext& c, std::string_view key, const RangeSpec& s, ScoredMembers* out) {
  OpResult<Entry*> r = FindZSet(c, key);
  if (!r.ok()) {
    return Missing(c, r);
  }
  const ZSetObject* z = ZObj(*r);
  size_t a, b;
  bool err;
  if (!ResolveRange(c, z, s, &a, &b, &err)) {
    return !err;
  }
  int64_t skip = s.offset;
  if (skip < 0) {
    return true;
  }
  z->ForRank(a, b, s.rev, [&](std::string_view m, double score) {
    if (skip > 0) {
      skip--;
      return true;
    }
    if (s.limit >= 0 && static_cast<int64_t>(out->size()) >= s.limit) {
      return false;
    }
    out->emplace_back(std::string(m), score);
    return true;
  });
  return true;
}

// Parses ZRANGE-style options from args[first..].
bool ParseRangeOpts(CommandContext& c, CmdArgs args, size_t first, RangeSpec* s, bool store) {
  for (size_t i = first; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (EqualsNoCase(a, "byscore")) {
      s->by = RangeBy::kScore;
    } else if (EqualsNoCase(a, "bylex")) {
      s->by = RangeBy::kLex;
    } else if (EqualsNoCase(a, "rev")) {
      s->rev = true;
    } else if (EqualsNoCase(a, "withscores") && !store) {
      s->with_scores = true;
    } else if (EqualsNoCase(a, "limit") && i + 2 < args.size()) {
      if (!ParseInt(args[i + 1], &s->offset) || !ParseInt(args[i + 2], &s->limit)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      s->has_limit = true;
      i += 2;
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  if (s->has_limit && s->by == RangeBy::kRank) {
    c.w.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (s->with_scores && s->by == RangeBy::kLex) {
    c.w.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  return true;
}

void CmdZRange(CmdArgs args, CommandContext& c) {
  RangeSpec s;
  s.min = args[2];
  s.max = args[3];
  if (!ParseRangeOpts(c, args, 4, &s, false)) {
    return;
  }
  ScoredMembers out;
  if (CollectRange(c, args[1], s, &out)) {
    ReplyScored(c, out, s.with_scores);
  }
}

void CmdZRangeStore(CmdArgs args, CommandContext& c) {
  RangeSpec s;
  s.min = args[3];
  s.max = args[4];
  if (!ParseRangeOpts(c, args, 5, &s, true)) {
    return;
  }
  ScoredMembers out;
  if (CollectRange(c, args[2], s, &out)) {
    c.w.Integer(static_cast<int64_t>(StoreZSet(c, args[1], out)));
  }
}

// ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX.
void LegacyRange(CmdArgs args, CommandContext& c, RangeBy by, bool rev) {
  RangeSpec s;
  s.by = by;
  s.rev = rev;
  s.min = args[2];  // for the REV forms this is the max bound, as in ZRANGE ... REV
  s.max = args[3];
  for (size_t i = 4; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "withscores") && by != RangeBy::kLex) {
      s.with_scores = true;
    } else if (EqualsNoCase(args[i], "limit") && by != RangeBy::kRank && i + 2 < args.size()) {
      if (!ParseInt(args[i + 1], &s.offset) || !ParseInt(args[i + 2], &s.limit)) {
        return ReplyStatus(c, OpStatus::INVALID_INT);
      }
      i += 2;
    } else {
      return ReplySyntaxError(c);
    }
  }
  ScoredMembers out;
  if (CollectRange(c, args[1], s, &out)) {
    ReplyScored(c, out, s.with_scores);
  }
}

void CmdZRevRange(CmdArgs a, CommandContext& c) { LegacyRange(a, c, RangeBy::kRank, true); }
void CmdZRangeByScore(CmdArgs a, CommandContext& c) { LegacyRange(a, c, RangeBy::kScore, false); }
void CmdZRevRangeByScore(CmdArgs a, CommandContext& c) { LegacyRange(a, c, RangeBy::kScore, true); }
void CmdZRangeByLex(CmdArgs a, CommandContext& c) { LegacyRange(a, c, RangeBy::kLex, false); }
void CmdZRevRangeByLex(CmdArgs a, CommandContext& c) { LegacyRange(a, c, RangeBy::kLex, true); }

void RemRange(CmdArgs args, CommandContext& c, RangeBy by) {
  RangeSpec s;
  s.by = by;
  s.min = args[2];
  s.max = args[3];
  ScoredMembers out;
  if (!CollectRange(c, args[1], s, &out)) {
    return;
  }
  OpResult<Entry*> r = FindZSet(c, args[1], false);
  if (r.ok()) {
    for (const auto& [m, score] : out) {
      ZObj(*r)->Remove(m);
    }
    DeleteIfEmpty(c, args[1], ZObj(*r)->size());
  }
  c.w.Integer(static_cast<int64_t>(out.size()));
}

void CmdZRemRangeByRank(CmdArgs a, CommandContext& c) { RemRange(a, c, RangeBy::kRank); }
void CmdZRemRangeByScore(CmdArgs a, CommandContext& c) { RemRange(a, c, RangeBy::kScore); }
void CmdZRemRangeByLex(CmdArgs a, CommandContext& c) { RemRange(a, c, RangeBy::kLex); }

void CmdZRandMember(CmdArgs args, CommandContext& c) {
  int64_t count = 1;
  bool with_scores = args.size() == 4 && EqualsNoCase(args[3], "withscores");
  if ((args.size() == 4 && !with_scores) || args.size() > 4) {
    return ReplySyntaxError(c);
  }
  if (args.size() >= 3 && !ParseInt(args[2], &count)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok()) {
    return Missing(c, r) ? (args.size() == 2 ? c.w.Null() : c.w.ArrayHeader(0)) : void();
  }
  const ZSetObject* z = ZObj(*r);
  size_t n = z->size();
  std::vector<size_t> picks;
  if (args.size() == 2 || count < 0) {
    size_t want = args.size() == 2 ? 1 : static_cast<size_t>(-count);
    for (size_t i = 0; i < want; ++i) {
      picks.push_back(c.inst.NextRandom() % n);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      picks.push_back(i);
    }
    for (size_t i = 0; i < n; ++i) {
      std::swap(picks[i], picks[i + c.inst.NextRandom() % (n - i)]);
    }
    picks.resize(std::min(n, static_cast<size_t>(count)));
  }
  ScoredMembers out;
  for (size_t p : picks) {
    z->ForRank(p, p, false, [&](std::string_view m, double s) {
      out.emplace_back(std::string(m), s);
      return false;
    });
  }
  if (args.size() == 2) {
    return c.w.Bulk(out[0].first);
  }
  ReplyScored(c, out, with_scores);
}

void CmdZScan(CmdArgs args, CommandContext& c) {
  ScanOpts o;
  if (!ParseScanOpts(c, args, 2, &o)) {
    return;
  }
  OpResult<Entry*> r = FindZSet(c, args[1]);
  if (!r.ok() && !Missing(c, r)) {
    return;
  }
  ScoredMembers out;
  uint64_t next = 0;
  if (r.ok()) {
    next = ZObj(*r)->Scan(o.cursor, o.count, [&](std::string_view m, double s) {
      if (o.Matches(m)) {
        out.emplace_back(std::string(m), s);
      }
    });
  }
  c.w.ArrayHeader(2);
  ReplyIntBulk(c, static_cast<int64_t>(next));
  c.w.ArrayHeader(out.size() * 2);
  for (const auto& [m, s] : out) {
    c.w.Bulk(m);
    char buf[64];
    int len = std::snprintf(buf, sizeof(buf), "%.17g", s);
    c.w.Bulk(std::string_view(buf, static_cast<size_t>(len)));
  }
}

}  // namespace

void RegisterZSetFamily(CommandRegistry* r) {
  *r << CommandId{"zadd", WRITE | DENYOOM | FAST, -4, 1, 1, 1, CmdZAdd}
     << CommandId{"zincrby", WRITE | DENYOOM | FAST, 4, 1, 1, 1, CmdZIncrBy}
     << CommandId{"zrem", WRITE | FAST, -3, 1, 1, 1, CmdZRem}
     << CommandId{"zcard", READONLY | FAST, 2, 1, 1, 1, CmdZCard}
     << CommandId{"zscore", READONLY | FAST, 3, 1, 1, 1, CmdZScore}
     << CommandId{"zmscore", READONLY | FAST, -3, 1, 1, 1, CmdZMScore}
     << CommandId{"zrank", READONLY | FAST, 3, 1, 1, 1, CmdZRank}
     << CommandId{"zrevrank", READONLY | FAST, 3, 1, 1, 1, CmdZRevRank}
     << CommandId{"zcount", READONLY | FAST, 4, 1, 1, 1, CmdZCount}
     << CommandId{"zlexcount", READONLY | FAST, 4, 1, 1, 1, CmdZLexCount}
     << CommandId{"zrange", READONLY, -4, 1, 1, 1, CmdZRange}
     << CommandId{"zrangestore", WRITE | DENYOOM, -5, 1, 2, 1, CmdZRangeStore}
     << CommandId{"zrevrange", READONLY, -4, 1, 1, 1, CmdZRevRange}
     << CommandId{"zrangebyscore", READONLY, -4, 1, 1, 1, CmdZRangeByScore}
     << CommandId{"zrevrangebyscore", READONLY, -4, 1, 1, 1, CmdZRevRangeByScore}
     << CommandId{"zrangebylex", READONLY, -4, 1, 1, 1, CmdZRangeByLex}
     << CommandId{"zrevrangebylex", READONLY, -4, 1, 1, 1, CmdZRevRangeByLex}
     << CommandId{"zremrangebyrank", WRITE, 4, 1, 1, 1, CmdZRemRangeByRank}
     << CommandId{"zremrangebyscore", WRITE, 4, 1, 1, 1, CmdZRemRangeByScore}
     << CommandId{"zremrangebylex", WRITE, 4, 1, 1, 1, CmdZRemRangeByLex}
     << CommandId{"zrandmember", READONLY, -2, 1, 1, 1, CmdZRandMember}
     << CommandId{"zscan", READONLY, -3, 1, 1, 1, CmdZScan}
     << CommandId{"zunion", READONLY, -3, 0, 0, 0, CmdZUnion}
     << CommandId{"zinter", READONLY, -3, 0, 0, 0, CmdZInter}
     << CommandId{"zdiff", READONLY, -3, 0, 0, 0, CmdZDiff}
     << CommandId{"zunionstore", WRITE | DENYOOM, -4, 1, 1, 1, CmdZUnionStore}
     << CommandId{"zinterstore", WRITE | DENYOOM, -4, 1, 1, 1, CmdZInterStore}
     << CommandId{"zdiffstore", WRITE | DENYOOM, -4, 1, 1, 1, CmdZDiffStore}
     << CommandId{"zintercard", READONLY, -3, 0, 0, 0, CmdZInterCard}
     << CommandId{"zpopmin", WRITE | FAST, -2, 1, 1, 1, CmdZPopMin}
     << CommandId{"zpopmax", WRITE | FAST, -2, 1, 1, 1, CmdZPopMax}
     << CommandId{"bzpopmin", WRITE | NOSCRIPT | FAST | BLOCKING, -3, 1, -2, 1, CmdBZPopMin}
     << CommandId{"bzpopmax", WRITE | NOSCRIPT | FAST | BLOCKING, -3, 1, -2, 1, CmdBZPopMax}
     << CommandId{"zmpop", WRITE, -4, 0, 0, 0, CmdZMPop}
     << CommandId{"bzmpop", WRITE | BLOCKING, -5, 0, 0, 0, CmdBZMPop};
}

}  // namespace mr::engine
