// Entry <-> RDB value conversion for every type.
#include "engine/server/rdb_entry.h"

#include <algorithm>
#include <utility>

#include "engine/core/db.h"
#include "engine/core/list_type.h"
#include "engine/core/memory.h"
#include "engine/core/set_type.h"
#include "engine/core/zset_type.h"

namespace mr::engine {

namespace {

using persistence::RdbKey;

Status WriteSet(persistence::RdbWriter& w, std::string_view key, const SetObject& s,
                int64_t expire_ms) {
  std::vector<std::string_view> members;
  members.reserve(s.size());
  std::vector<std::string> ints;  // intset members exist only as numbers: format them once
  if (s.encoding() == Enc::kIntset) {
    ints.reserve(s.size());
    s.ForEach([&](std::string_view m) { ints.emplace_back(m); });
    members.assign(ints.begin(), ints.end());
  } else {
    s.ForEach([&](std::string_view m) { members.push_back(m); });
  }
  return w.WriteSet(key, members, expire_ms);
}

// Members of big sets, hashes and zsets arrive in the saving table's order. A snapshot of this
// engine's own tables is in hash order, and hash-ordered inserts pile up at the front of a growing
// open-addressing table (quadratic time). Any other order is fine: shuffle, deterministically.
template <typename T>
void Scramble(std::vector<T>* v) {
  constexpr size_t kSmall = 64;  // listpacks and intsets do not hash
  if (v->size() <= kSmall) {
    return;
  }
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (size_t i = v->size() - 1; i > 0; --i) {
    std::swap((*v)[i], (*v)[NextRandom(&state) % (i + 1)]);
  }
}

bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

}  // namespace

persistence::RdbWriterOptions RdbOptionsFor(const EncodingLimits& limits) {
  persistence::RdbWriterOptions o;
  o.set_max_intset_entries = limits.set_intset_entries;
  o.zset_max_listpack_entries = limits.zset_listpack_entries;
  o.zset_max_listpack_value = limits.zset_listpack_value;
  o.hash_max_listpack_entries = limits.hash_listpack_entries;
  o.hash_max_listpack_value = limits.hash_listpack_value;
  return o;
}

Status WriteEntry(persistence::RdbWriter& w, const Entry& e, int64_t expire_ms) {
  const std::string_view key = e.key();
  switch (e.type()) {
    case ObjType::kString: {
      if (!e.is_int()) {
        return w.WriteString(key, e.str(), expire_ms);
      }
      char buf[24];
      return w.WriteString(key, std::string_view(buf, FormatInt64(e.int_value(), buf)), expire_ms);
    }
    case ObjType::kList: {
      const auto* l = e.obj<ListObject>();
      std::vector<std::string_view> items;
      items.reserve(l->size());
      l->ForRange(0, l->size(), [&](size_t, std::string_view v) {
        items.push_back(v);
        return true;
      });
      return w.WriteList(key, items, expire_ms);
    }
    case ObjType::kSet:
      return WriteSet(w, key, *e.obj<SetObject>(), expire_ms);
    case ObjType::kZSet: {
      const auto* z = e.obj<ZSetObject>();
      std::vector<std::pair<std::string_view, double>> entries;
      entries.reserve(z->size());
      z->ForRank(0, z->size(), false, [&](std::string_view m, double s) {
        entries.emplace_back(m, s);
        return true;
      });
      return w.WriteZSet(key, entries, expire_ms);
    }
    case ObjType::kHash: {
      std::vector<std::pair<std::string_view, std::string_view>> fields;
      fields.reserve(e.obj<HashObject>()->size());
      e.obj<HashObject>()->ForEach(
          [&](std::string_view f, std::string_view v) { fields.emplace_back(f, v); });
      return w.WriteHash(key, fields, expire_ms);
    }
  }
  return Status::Error("unknown entry type");
}

Status EntryBuilder::OnString(RdbKey key, std::string value) {
  if (!Wanted(key)) {
    return Status::Ok();
  }
  return OnEntry(key, Entry::NewString(Name(key), value));  // as SET: int, embstr or raw
}

Status EntryBuilder::OnList(RdbKey key, std::vector<std::string> elements) {
  if (!Wanted(key)) {
    return Status::Ok();
  }
  auto* l = New<ListObject>();
  for (const std::string& v : elements) {
    l->Push(v, false, limits_);
  }
  return OnEntry(key, Entry::NewObject(Name(key), ObjType::kList, Enc::kQuicklist, l));
}

Status EntryBuilder::OnSet(RdbKey key, std::vector<std::string> members) {
  if (!Wanted(key)) {
    return Status::Ok();
  }
  auto* s = New<SetObject>();
  // Going straight to the table skips building an intset that would be converted anyway; the
  // result is the same object SADD would leave.
  if (members.size() > limits_.set_intset_entries) {
    s->ConvertToFull();
  }
  Scramble(&members);
  for (const std::string& m : members) {
    s->Add(m, limits_);
  }
  return OnEntry(key, Entry::NewObject(Name(key), ObjType::kSet, s->encoding(), s));
}

Status EntryBuilder::OnZSet(RdbKey key, persistence::RdbZSetEntries entries) {
  if (!Wanted(key)) {
    return Status::Ok();
  }
  auto* z = New<ZSetObject>();
  if (entries.size() > limits_.zset_listpack_entries) {
    z->ConvertToFull();
  }
  Scramble(&entries);
  // The reader guarantees distinct members, which Insert requires.
  for (const auto& [member, score] : entries) {
    z->Insert(member, score, limits_);
  }
  return OnEntry(key, Entry::NewObject(Name(key), ObjType::kZSet, z->encoding(), z));
}

Status EntryBuilder::OnHash(RdbKey key, persistence::RdbHashFields fields) {
  if (!Wanted(key)) {
    return Status::Ok();
  }
  auto* h = New<HashObject>();
  if (fields.size() > limits_.hash_listpack_entries) {
    h->ConvertToFull();
  }
  Scramble(&fields);
  for (const auto& [field, value] : fields) {
    h->Set(field, value, limits_);
  }
  return OnEntry(key, Entry::NewObject(Name(key), ObjType::kHash, h->encoding(), h));
}

void InitAccessWithHints(Instance& inst, Entry* e, int64_t idle_seconds, int64_t lfu_freq) {
  inst.InitAccess(e);
  const int64_t now = inst.now_ms();
  if (IsLfu(inst.config().policy)) {
    if (lfu_freq >= 0) {
      uint32_t now_min = static_cast<uint32_t>(now / 60000) & 0xFFFF;
      e->set_lru((now_min << 8) | static_cast<uint32_t>(std::min<int64_t>(lfu_freq, 255)));
    }
    return;
  }
  if (idle_seconds >= 0) {
    constexpr uint32_t kClockMax = 0xFFFFFF;  // the 24-bit LRU clock wraps (every ~194 days)
    uint32_t idle = static_cast<uint32_t>(std::min<int64_t>(idle_seconds, kClockMax - 1));
    e->set_lru((inst.LruClock(now) - idle) & kClockMax);
  }
}

}  // namespace mr::engine
