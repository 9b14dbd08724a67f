// Sorted-set commands over several keys or that pop: ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD
// ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZMPOP BZMPOP.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "engine/core/set_type.h"
#include "engine/server/zset_ops.h"

namespace mr::engine {

namespace {

enum class Agg { kSum, kMin, kMax };
enum class ZOp { kUnion, kInter, kDiff };

// One source: a zset or a plain set (scores 1), or absent.
struct Source {
  const ZSetObject* z = nullptr;
  const SetObject* s = nullptr;
  size_t size() const { return z ? z->size() : s ? s->size() : 0; }
  bool Score(std::string_view m, double* out) const {
    if (z) {
      return z->Score(m, out);
    }
    if (s && s->Contains(m)) {
      *out = 1.0;
      return true;
    }
    return false;
  }
  template <typename F>
  void ForEach(F&& f) const {
    if (z) {
      z->ForRank(0, z->size(), false, [&](std::string_view m, double sc) {
        f(m, sc);
        return true;
      });
    } else if (s) {
      s->ForEach([&](std::string_view m) { f(m, 1.0); });
    }
  }
};

OpStatus LoadSource(CommandContext& c, std::string_view key, Source* out) {
  Db::Pos pos;
  Entry* e = LookupKey(c, key, Db::Hash(key), &pos, true);
  if (e == nullptr) {
    return OpStatus::OK;
  }
  if (e->type() == ObjType::kZSet) {
    out->z = e->obj<ZSetObject>();
  } else if (e->type() == ObjType::kSet) {
    out->s = e->obj<SetObject>();
  } else {
    return OpStatus::WRONG_TYPE;
  }
  return OpStatus::OK;
}

double Combine(Agg a, double x, double y) {
  if (a == Agg::kMin) {
    return std::min(x, y);
  }
  if (a == Agg::kMax) {
    return std::max(x, y);
  }
  double r = x + y;
  return std::isnan(r) ? 0.0 : r;
}

double Weighted(double s, double w) {
  double r = s * w;
  return std::isnan(r) ? 0.0 : r;
}

ScoredMembers Compute(const std::vector<Source>& src, const std::vector<double>& w, ZOp op,
                      Agg agg) {
  std::unordered_map<std::string, double> acc;
  if (op == ZOp::kUnion) {
    for (size_t i = 0; i < src.size(); ++i) {
      src[i].ForEach([&](std::string_view m, double s) {
        double v = Weighted(s, w[i]);
        auto [it, inserted] = acc.try_emplace(std::string(m), v);
        if (!inserted) {
          it->second = Combine(agg, it->second, v);
        }
      });
    }
  } else {
    src[0].ForEach([&](std::string_view m, double s) {
      double v = Weighted(s, w[0]);
      for (size_t i = 1; i < src.size(); ++i) {
        double o;
        bool has = src[i].Score(m, &o);
        if (op == ZOp::kDiff && has) {
          return;
        }
        if (op == ZOp::kInter) {
          if (!has) {
            return;
          }
          v = Combine(agg, v, Weighted(o, w[i]));
        }
      }
      acc.emplace(std::string(m), v);
    });
  }
  ScoredMembers out(acc.begin(), acc.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  return out;
}

// Parses "numkeys key... [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]" starting at args[first].
bool ParseAlgebra(CommandContext& c, CmdArgs args, size_t first, ZOp op, bool store,
                  std::vector<Source>* src, std::vector<double>* w, Agg* agg, bool* with_scores) {
  int64_t numkeys;
  if (!ParseInt(args[first], &numkeys)) {
    ReplyStatus(c, OpStatus::INVALID_INT);
    return false;
  }
  if (numkeys < 1) {
    c.w.Error("ERR at least 1 input key is needed for '" + std::string(c.cmd->name) + "' command");
    return false;
  }
  if (static_cast<size_t>(numkeys) > args.size() - first - 1) {
    ReplySyntaxError(c);
    return false;
  }
  size_t nk = static_cast<size_t>(numkeys);
  src->resize(nk);
  for (size_t k = 0; k < nk; ++k) {  // types are checked before the options, like Redis
    OpStatus st = LoadSource(c, args[first + 1 + k], &(*src)[k]);
    if (st != OpStatus::OK) {
      ReplyStatus(c, st);
      return false;
    }
  }
  w->assign(nk, 1.0);
  for (size_t i = first + 1 + nk; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (op != ZOp::kDiff && EqualsNoCase(a, "weights") && i + nk < args.size()) {
      for (size_t k = 0; k < nk; ++k) {
        if (!ParseDouble(args[i + 1 + k], &(*w)[k])) {
          c.w.Error("ERR weight value is not a float");
          return false;
        }
      }
      i += nk;
    } else if (op != ZOp::kDiff && EqualsNoCase(a, "aggregate") && i + 1 < args.size()) {
      std::string_view v = args[++i];
      if (EqualsNoCase(v, "sum")) {
        *agg = Agg::kSum;
      } else if (EqualsNoCase(v, "min")) {
        *agg = Agg::kMin;
      } else if (EqualsNoCase(v, "max")) {
        *agg = Agg::kMax;
      } else {
        ReplySyntaxError(c);
        return false;
      }
    } else if (!store && EqualsNoCase(a, "withscores")) {
      *with_scores = true;
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  return true;
}

void Algebra(CmdArgs args, CommandContext& c, ZOp op, bool store) {
  std::vector<Source> src;
  std::vector<double> w;
  Agg agg = Agg::kSum;
  bool with_scores = false;
  if (!ParseAlgebra(c, args, store ? 2 : 1, op, store, &src, &w, &agg, &with_scores)) {
    return;
  }
  ScoredMembers res = Compute(src, w, op, agg);
  if (store) {
    return c.w.Integer(static_cast<int64_t>(StoreZSet(c, args[1], res)));
  }
  ReplyScored(c, res, with_scores);
}

// Pops up to count from the min (or max) end of key's zset.
ScoredMembers PopFrom(CommandContext& c, std::string_view key, Entry* e, size_t count, bool max) {
  ZSetObject* z = ZObj(e);
  ScoredMembers out;
  size_t n = std::min(count, z->size());
  if (n == 0) {
    return out;
  }
  size_t a = max ? z->size() - n : 0;
  size_t b = max ? z->size() - 1 : n - 1;
  z->ForRank(a, b, max, [&](std::string_view m, double s) {
    out.emplace_back(std::string(m), s);
    return true;
  });
  for (const auto& [m, s] : out) {
    z->Remove(m);
  }
  DeleteIfEmpty(c, key, z->size());
  return out;
}

void PopGeneric(CmdArgs args, CommandContext& c, bool max) {
  int64_t count = 1;
  if (args.size() == 3 && (!ParseInt(args[2], &count) || count < 0)) {
    return c.w.Error("ERR value is out of range, must be positive");
  }
  if (args.size() > 3) {
    return ReplySyntaxError(c);
  }
  OpResult<Entry*> r = FindZSet(c, args[1], false);
  if (!r.ok()) {
    return r.status() == OpStatus::KEY_NOTFOUND ? c.w.ArrayHeader(0) : ReplyStatus(c, r.status());
  }
  ScoredMembers out = PopFrom(c, args[1], *r, static_cast<size_t>(count), max);
  if (args.size() == 2) {
    c.w.ArrayHeader(out.empty() ? 0 : 2);
    if (!out.empty()) {
      c.w.Bulk(out[0].first);
      c.w.Double(out[0].second);
    }
    return;
  }
  ReplyScored(c, out, true);
}

void BlockingPop(CmdArgs args, CommandContext& c, bool max) {
  double timeout;
  if (!ParseTimeout(c, args.back(), &timeout)) {
    return;
  }
  std::vector<std::string_view> keys(args.begin() + 1, args.end() - 1);
  for (std::string_view k : keys) {
    OpResult<Entry*> r = FindZSet(c, k, false);
    if (!r.ok()) {
      if (r.status() != OpStatus::KEY_NOTFOUND) {
        return ReplyStatus(c, r.status());
      }
      continue;
    }
    ScoredMembers out = PopFrom(c, k, *r, 1, max);
    c.w.ArrayHeader(3);
    c.w.Bulk(k);
    c.w.Bulk(out[0].first);
    return c.w.Double(out[0].second);
  }
  if (c.in_exec) {
    return c.w.NullArray();
  }
  BlockOn(c, args, keys, timeout);
}

void MPop(CmdArgs args, CommandContext& c, size_t first, double timeout, bool block) {
  int64_t numkeys;
  if (!ParseInt(args[first], &numkeys) || numkeys <= 0) {
    return c.w.Error("ERR numkeys should be greater than 0");
  }
  size_t side_at = first + 1 + static_cast<size_t>(numkeys);
  if (side_at >= args.size() || (!EqualsNoCase(args[side_at], "min") &&
                                 !EqualsNoCase(args[side_at], "max"))) {
    return ReplySyntaxError(c);
  }
  bool max = EqualsNoCase(args[side_at], "max");
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
    OpResult<Entry*> r = FindZSet(c, k, false);
    if (!r.ok()) {
      if (r.status() != OpStatus::KEY_NOTFOUND) {
        return ReplyStatus(c, r.status());
      }
      continue;
    }
    ScoredMembers out = PopFrom(c, k, *r, static_cast<size_t>(count), max);
    c.w.ArrayHeader(2);
    c.w.Bulk(k);
    c.w.ArrayHeader(out.size());
    for (const auto& [m, s] : out) {
      c.w.ArrayHeader(2);
      c.w.Bulk(m);
      c.w.Double(s);
    }
    return;
  }
  if (!block || c.in_exec) {
    return c.w.NullArray();
  }
  BlockOn(c, args, keys, timeout);
}

}  // namespace

void CmdZUnion(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kUnion, false); }
void CmdZInter(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kInter, false); }
void CmdZDiff(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kDiff, false); }
void CmdZUnionStore(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kUnion, true); }
void CmdZInterStore(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kInter, true); }
void CmdZDiffStore(CmdArgs a, CommandContext& c) { Algebra(a, c, ZOp::kDiff, true); }

void CmdZInterCard(CmdArgs args, CommandContext& c) {
  int64_t numkeys = 0, limit = 0;
  if (!ParseInterCardArgs(c, args, &numkeys, &limit)) {
    return;
  }
  std::vector<Source> src(static_cast<size_t>(numkeys));
  for (size_t k = 0; k < src.size(); ++k) {
    OpStatus st = LoadSource(c, args[2 + k], &src[k]);
    if (st != OpStatus::OK) {
      return ReplyStatus(c, st);
    }
  }
  std::vector<double> w(src.size(), 1.0);
  size_t n = Compute(src, w, ZOp::kInter, Agg::kSum).size();
  size_t capped = limit > 0 ? std::min<size_t>(n, static_cast<size_t>(limit)) : n;
  c.w.Integer(static_cast<int64_t>(capped));
}

void CmdZPopMin(CmdArgs a, CommandContext& c) { PopGeneric(a, c, false); }
void CmdZPopMax(CmdArgs a, CommandContext& c) { PopGeneric(a, c, true); }
void CmdBZPopMin(CmdArgs a, CommandContext& c) { BlockingPop(a, c, false); }
void CmdBZPopMax(CmdArgs a, CommandContext& c) { BlockingPop(a, c, true); }
void CmdZMPop(CmdArgs a, CommandContext& c) { MPop(a, c, 1, 0, false); }

void CmdBZMPop(CmdArgs args, CommandContext& c) {
  double timeout;
  if (!ParseTimeout(c, args[1], &timeout)) {
    return;
  }
  MPop(args, c, 2, timeout, true);
}

}  // namespace mr::engine
