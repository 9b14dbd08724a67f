// HyperLogLog: PFADD PFCOUNT PFMERGE on Redis 7.0's string format (hyperloglog.h), so values are
// interchangeable with Redis through GET/SET, DUMP/RESTORE and RDB files. Small HLLs stay sparse.
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/hyperloglog.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorrupt = "INVALIDOBJ Corrupted HLL object detected";

size_t SparseMaxBytes(const CommandContext& c) { return c.limits().hll_sparse_max_bytes; }

// The HLL bytes of a live entry; replies (WRONGTYPE / not an HLL) and returns false otherwise.
bool HllValue(CommandContext& c, const Entry* e, std::string_view* out) {
  if (e->type() != ObjType::kString) {
    ReplyStatus(c, OpStatus::WRONG_TYPE);
    return false;
  }
  if (e->is_int() || !hll::IsValid(e->str())) {  // Redis rejects int-encoded strings too
    c.w.Error(kNotHll);
    return false;
  }
  *out = e->str();
  return true;
}

void CmdPfAdd(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, false);
  std::string v;
  bool updated = false;
  if (e == nullptr) {
    v = hll::NewSparse();
    updated = true;
  } else {
    std::string_view cur;
    if (!HllValue(c, e, &cur)) {
      return;
    }
    v.assign(cur);
  }
  for (size_t i = 2; i < args.size(); ++i) {
    hll::Update u = hll::Add(&v, args[i], SparseMaxBytes(c));
    if (u == hll::Update::kCorrupt) {
      return c.w.Error(kCorrupt);
    }
    updated |= u == hll::Update::kChanged;
  }
  if (updated) {
    hll::InvalidateCache(&v);
    StoreRawString(c, args[1], v);
  }
  c.w.Integer(updated ? 1 : 0);
}

// PFCOUNT of one key answers from the cached cardinality, or computes it and stores it back in
// the value (a write, like Redis: WATCH sees it and it counts as a change).
void CountOne(CommandContext& c, std::string_view key) {
  Entry* e = LookupRead(c, key);
  if (e == nullptr) {
    return c.w.Integer(0);
  }
  std::string_view cur;
  if (!HllValue(c, e, &cur)) {
    return;
  }
  uint64_t card;
  if (hll::CachedCount(cur, &card)) {
    return c.w.Integer(static_cast<int64_t>(card));
  }
  if (!hll::Count(cur, &card)) {
    return c.w.Error(kCorrupt);
  }
  std::string v(cur);
  hll::SetCachedCount(&v, card);
  StoreRawString(c, key, v);
  c.inst.TouchWatched(c.db_index(), key);
  c.inst.counters.dirty++;
  c.w.Integer(static_cast<int64_t>(card));
}

// Folds the registers of every existing key in `keys` into `max`. Replies and returns false on a
// type error or corrupt value; *any_dense tells whether one of them was dense.
bool MergeKeys(CommandContext& c, CmdArgs keys, std::vector<uint8_t>* max, bool* any_dense) {
  for (std::string_view key : keys) {
    Entry* e = LookupRead(c, key);
    if (e == nullptr) {
      continue;
    }
    std::string_view v;
    if (!HllValue(c, e, &v)) {
      return false;
    }
    *any_dense |= !hll::IsSparse(v);
    if (!hll::MergeInto(v, max->data())) {
      c.w.Error(kCorrupt);
      return false;
    }
  }
  return true;
}

void CmdPfCount(CmdArgs args, CommandContext& c) {
  if (args.size() == 2) {
    return CountOne(c, args[1]);
  }
  std::vector<uint8_t> max(hll::kRegisters, 0);
  bool any_dense = false;
  if (MergeKeys(c, args.subspan(1), &max, &any_dense)) {
    c.w.Integer(static_cast<int64_t>(hll::CountRegisters(max.data())));
  }
}

// Like Redis 7.0: the destination (also a source) stays sparse unless an input is dense, and
// registers are written in index order so a sparse result has Redis' exact bytes.
void CmdPfMerge(CmdArgs args, CommandContext& c) {
  std::vector<uint8_t> max(hll::kRegisters, 0);
  bool any_dense = false;
  if (!MergeKeys(c, args.subspan(1), &max, &any_dense)) {
    return;
  }
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, false);
  std::string v = e != nullptr ? std::string(e->str()) : hll::NewSparse();
  if (any_dense && !hll::SparseToDense(&v)) {
    return c.w.Error(kCorrupt);
  }
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) {
      hll::Set(&v, i, max[i], SparseMaxBytes(c));
    }
  }
  hll::InvalidateCache(&v);
  StoreRawString(c, args[1], v);
  ReplyOk(c);
}

}  // namespace

void RegisterHllFamily(CommandRegistry* r) {
  *r << CommandId{"pfadd", WRITE | DENYOOM | FAST, -2, 1, 1, 1, CmdPfAdd}
     << CommandId{"pfcount", READONLY, -2, 1, -1, 1, CmdPfCount}
     << CommandId{"pfmerge", WRITE | DENYOOM, -2, 1, -1, 1, CmdPfMerge};
}

}  // namespace mr::engine
