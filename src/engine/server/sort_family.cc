// SORT and SORT_RO (Redis 7.0): sort a list, set or sorted set numerically or by bytes (ALPHA),
// optionally by other keys (BY pattern, "->field" hash lookups, or a constant to skip sorting),
// project GET patterns, and reply or STORE the result as a list.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/list_type.h"
#include "engine/core/set_type.h"
#include "engine/core/zset_type.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

struct SortSpec {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;  // BY <pattern without '*'>: keep the native order
  int64_t offset = 0;
  int64_t count = -1;
  std::optional<std::string_view> by;
  std::vector<std::string_view> gets;
  std::optional<std::string_view> store;
};

struct SortItem {
  std::string elem;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the looked-up value (absent sorts first)
};

// Parses options from args[2..]; replies and returns false on error.
bool ParseSortSpec(CmdArgs args, CommandContext& c, bool readonly, SortSpec* s) {
  for (size_t j = 2; j < args.size(); ++j) {
    std::string_view a = args[j];
    size_t left = args.size() - j - 1;
    if (EqualsNoCase(a, "asc")) {
      s->desc = false;
    } else if (EqualsNoCase(a, "desc")) {
      s->desc = true;
    } else if (EqualsNoCase(a, "alpha")) {
      s->alpha = true;
    } else if (EqualsNoCase(a, "limit") && left >= 2) {
      if (!ParseInt(args[j + 1], &s->offset) || !ParseInt(args[j + 2], &s->count)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      j += 2;
    } else if (!readonly && EqualsNoCase(a, "store") && left >= 1) {
      s->store = args[++j];
    } else if (EqualsNoCase(a, "by") && left >= 1) {
      s->by = args[++j];
      s->dontsort = s->by->find('*') == std::string_view::npos;
    } else if (EqualsNoCase(a, "get") && left >= 1) {
      s->gets.push_back(args[++j]);
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  return true;
}

// Redis' lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the key read as a string, or as a hash field after "->". Absent: nullopt.
std::optional<std::string> LookupByPattern(CommandContext& c, std::string_view pattern,
                                           std::string_view elem) {
  if (pattern == "#") {
    return std::string(elem);
  }
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) {
    return std::nullopt;
  }
  size_t arrow = pattern.find("->", star + 1);
  bool has_field = arrow != std::string_view::npos && arrow + 2 < pattern.size();
  size_t key_end = has_field ? arrow : pattern.size();
  std::string key;
  key.reserve(key_end + elem.size());
  key.append(pattern.substr(0, star));
  key.append(elem);
  key.append(pattern.substr(star + 1, key_end - star - 1));
  Entry* e = LookupRead(c, key);
  if (e == nullptr) {
    return std::nullopt;
  }
  if (has_field) {
    std::string_view v;
    if (e->type() != ObjType::kHash || !e->obj<HashObject>()->Get(pattern.substr(arrow + 2), &v)) {
      return std::nullopt;
    }
    return std::string(v);
  }
  if (e->type() != ObjType::kString) {
    return std::nullopt;
  }
  char buf[24];
  return std::string(StringValue(e, buf));
}

// Loads the elements to sort. With dontsort, lists and sorted sets load only [start, end) in
// the requested direction (Redis' shortcut), which the caller then outputs whole.
void LoadItems(const Entry* e, const SortSpec& s, size_t start, size_t end,
               std::vector<SortItem>* out) {
  auto add = [&](std::string_view v) { out->push_back(SortItem{std::string(v)}); };
  if (e->type() == ObjType::kList) {
    const auto* l = e->obj<ListObject>();
    if (!s.dontsort) {
      l->ForRange(0, l->size() - 1, [&](size_t, std::string_view v) {
        add(v);
        return true;
      });
    } else if (end > start && s.desc) {
      l->ForRangeRev(l->size() - start - 1, l->size() - end,
                     [&](size_t, std::string_view v) {
        add(v);
        return true;
      });
    } else if (end > start) {
      l->ForRange(start, end - 1, [&](size_t, std::string_view v) {
        add(v);
        return true;
      });
    }
  } else if (e->type() == ObjType::kSet) {
    e->obj<SetObject>()->ForEach(add);
  } else {
    const auto* z = e->obj<ZSetObject>();
    if (!s.dontsort) {
      z->ForRank(0, z->size(), false, [&](std::string_view m, double) {
        add(m);
        return true;
      });
    } else if (end > start) {
      size_t a = s.desc ? z->size() - end : start;
      size_t b = s.desc ? z->size() - start - 1 : end - 1;
      z->ForRank(a, b, s.desc, [&](std::string_view m, double) {
        add(m);
        return true;
      });
    }
  }
}

// strtod like Redis: the whole string (up to a NUL) must parse, no overflow, no NaN.
bool SortScore(const std::string& s, double* out) {
  char* end;
  errno = 0;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int r = a.compare(b);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

// Redis' sortCompare (the C locale's strcoll is a byte compare).
int CompareItems(const SortItem& a, const SortItem& b, const SortSpec& s) {
  int cmp;
  if (!s.alpha) {
    cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : CompareBytes(a.elem, b.elem);
  } else if (s.by) {
    if (!a.by || !b.by) {
      cmp = a.by.has_value() == b.by.has_value() ? 0 : !a.by ? -1 : 1;
    } else {
      cmp = CompareBytes(*a.by, *b.by);
    }
  } else {
    cmp = CompareBytes(a.elem, b.elem);
  }
  return s.desc ? -cmp : cmp;
}

// Scores every item (from BY lookups or the element); false when one is not a number.
bool ScoreItems(CommandContext& c, const SortSpec& s, std::vector<SortItem>* items) {
  bool ok = true;
  for (SortItem& it : *items) {
    std::optional<std::string> byval;
    if (s.by) {
      byval = LookupByPattern(c, *s.by, it.elem);
      if (!byval) {
        continue;
      }
    }
    if (s.alpha) {
      if (s.by) {
        it.by = std::move(byval);
      }
    } else if (!SortScore(byval ? *byval : it.elem, &it.score)) {
      ok = false;
    }
  }
  return ok;
}

void StoreResult(CommandContext& c, std::string_view dst, const std::vector<std::string>& out) {
  uint64_t h = Db::Hash(dst);
  Db::Pos pos;
  bool existed = c.db.Find(dst, h, c.now_ms, &pos) != nullptr;
  if (existed) {
    c.db.Delete(pos);
  }
  if (!out.empty()) {
    auto* l = New<ListObject>();
    for (const std::string& v : out) {
      l->Push(v, false, c.limits());
    }
    AddEntry(c, Entry::NewObject(dst, ObjType::kList, Enc::kQuicklist, l), h);
    c.inst.SignalKeyReady(c.db_index(), dst);
  }
  if (existed || !out.empty()) {
    c.inst.TouchWatched(c.db_index(), dst);
  }
}

size_t Length(const Entry* e) {
  if (e == nullptr) {
    return 0;
  }
  switch (e->type()) {
    case ObjType::kList:
      return e->obj<ListObject>()->size();
    case ObjType::kSet:
      return e->obj<SetObject>()->size();
    default:
      return e->obj<ZSetObject>()->size();
  }
}

// Output of items [start, end): the elements, or GET lookups per element; replied or STOREd.
void ReplyOrStore(CommandContext& c, const SortSpec& s, const std::vector<SortItem>& items,
                  int64_t start, int64_t end) {
  std::vector<std::optional<std::string>> out;
  for (int64_t j = start; j < end; ++j) {
    const std::string& elem = items[static_cast<size_t>(j)].elem;
    if (s.gets.empty()) {
      out.emplace_back(elem);
    }
    for (std::string_view pattern : s.gets) {
      out.push_back(LookupByPattern(c, pattern, elem));
    }
  }
  if (!s.store) {
    c.w.ArrayHeader(out.size());
    for (const auto& v : out) {
      v ? c.w.Bulk(*v) : c.w.Null();
    }
    return;
  }
  std::vector<std::string> values;
  values.reserve(out.size());
  for (auto& v : out) {
    values.push_back(v ? std::move(*v) : std::string());  // a missing GET stores ""
  }
  StoreResult(c, *s.store, values);
  c.w.Integer(static_cast<int64_t>(values.size()));
}

void SortGeneric(CmdArgs args, CommandContext& c, bool readonly) {
  SortSpec s;
  if (!ParseSortSpec(args, c, readonly, &s)) {
    return;
  }
  c.wrote_nothing = !s.store;  // only STORE writes (and invalidates a WATCH of its destination)
  Entry* e = LookupRead(c, args[1]);
  if (e != nullptr && e->type() != ObjType::kList && e->type() != ObjType::kSet &&
      e->type() != ObjType::kZSet) {
    return ReplyStatus(c, OpStatus::WRONG_TYPE);
  }
  if (e != nullptr && e->type() == ObjType::kZSet) {
    e->obj<ZSetObject>()->ConvertToFull();  // Redis 7.0 converts sorted sets for SORT, visibly
    e->set_enc(Enc::kSkiplist);
  }
  if (e != nullptr && s.dontsort && e->type() == ObjType::kSet && s.store) {
    s.dontsort = false;  // a stored set result must not depend on hash order: sort by bytes
    s.alpha = true;
    s.by.reset();
  }
  const int64_t len = static_cast<int64_t>(Length(e));
  int64_t start = std::min(std::max<int64_t>(s.offset, 0), len);
  int64_t count = std::min(std::max<int64_t>(s.count, -1), len);
  int64_t end = count < 0 ? len : std::min(start + count, len);

  std::vector<SortItem> items;
  if (e != nullptr) {
    LoadItems(e, s, static_cast<size_t>(start), static_cast<size_t>(end), &items);
  }
  if (e != nullptr && s.dontsort && e->type() != ObjType::kSet) {
    end -= start;  // LoadItems already applied LIMIT
    start = 0;
  }
  if (!s.dontsort) {
    if (!ScoreItems(c, s, &items)) {
      return c.w.Error("ERR One or more scores can't be converted into double");
    }
    auto less = [&](const SortItem& a, const SortItem& b) { return CompareItems(a, b, s) < 0; };
    // Only the first `end` positions are output: a LIMIT on a big collection sorts just those.
    if (static_cast<size_t>(end) < items.size()) {
      std::partial_sort(items.begin(), items.begin() + end, items.end(), less);
    } else {
      std::sort(items.begin(), items.end(), less);
    }
  }
  ReplyOrStore(c, s, items, start, end);
}

void CmdSort(CmdArgs args, CommandContext& c) { SortGeneric(args, c, false); }
void CmdSortRo(CmdArgs args, CommandContext& c) { SortGeneric(args, c, true); }

}  // namespace

void RegisterSortFamily(CommandRegistry* r) {
  *r << CommandId{"sort", WRITE | DENYOOM, -2, 1, 1, 1, CmdSort}
     << CommandId{"sort_ro", READONLY, -2, 1, 1, 1, CmdSortRo};
}

}  // namespace mr::engine
