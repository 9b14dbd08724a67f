// GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO: one
// parser and one search, following Redis 7.0's rules for argument order, error precedence, the
// geohash cells scanned (geo::SearchCells), result order and the STORE forms.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/server/geo_ops.h"
#include "engine/server/partial_quicksort.h"
#include "engine/server/zset_ops.h"

namespace mr::engine {

namespace {

enum Form : unsigned {
  kRadiusCoords = 1,   // GEORADIUS[_RO] key lon lat radius unit ...
  kRadiusMember = 2,   // GEORADIUSBYMEMBER[_RO] key member radius unit ...
  kSearch = 4,         // GEOSEARCH[STORE]: origin and shape given by options
  kSearchStore = 8,    // GEOSEARCHSTORE dst src ...
  kNoStore = 16,       // the _RO forms
};

enum class Order { kNone, kAsc, kDesc };

struct SearchArgs {
  geo::Shape shape;
  std::string_view store_key;
  bool store = false, store_dist = false;
  bool with_dist = false, with_hash = false, with_coord = false;
  bool any = false;
  int64_t count = 0;  // 0: no limit
  Order order = Order::kNone;
};

struct Hit {
  std::string member;
  double score;
  double dist;  // meters
  geo::LonLat pos;
};

bool ParseRadius(CommandContext& c, const std::string_view* a, geo::Shape* s) {
  if (!ParseDouble(a[0], &s->radius)) {
    c.w.Error("ERR need numeric radius");
    return false;
  }
  if (s->radius < 0) {
    c.w.Error("ERR radius cannot be negative");
    return false;
  }
  s->box = false;
  return ParseGeoUnit(c, a[1], &s->unit);
}

bool ParseBox(CommandContext& c, const std::string_view* a, geo::Shape* s) {
  if (!ParseDouble(a[0], &s->width)) {
    c.w.Error("ERR need numeric width");
    return false;
  }
  if (!ParseDouble(a[1], &s->height)) {
    c.w.Error("ERR need numeric height");
    return false;
  }
  if (s->height < 0 || s->width < 0) {
    c.w.Error("ERR height or width cannot be negative");
    return false;
  }
  s->box = true;
  return ParseGeoUnit(c, a[2], &s->unit);
}

bool MemberPosition(CommandContext& c, const ZSetObject* z, std::string_view m, geo::LonLat* p) {
  double score;
  if (!z->Score(m, &score)) {
    c.w.Error("ERR could not decode requested zset member");
    return false;
  }
  *p = geo::PositionOfScore(score);
  return true;
}

// Options after the fixed arguments. A FROMMEMBER of a missing key is accepted here: the caller
// answers "no results" once every argument has been checked.
bool ParseOptions(CommandContext& c, CmdArgs args, size_t first, unsigned form,
                  const ZSetObject* z, SearchArgs* o) {
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  const bool search = (form & kSearch) != 0;
  for (size_t i = first; i < args.size(); ++i) {
    std::string_view a = args[i];
    size_t more = args.size() - i - 1;
    if (EqualsNoCase(a, "withdist")) {
      o->with_dist = true;
    } else if (EqualsNoCase(a, "withhash")) {
      o->with_hash = true;
    } else if (EqualsNoCase(a, "withcoord")) {
      o->with_coord = true;
    } else if (EqualsNoCase(a, "any")) {
      o->any = true;
    } else if (EqualsNoCase(a, "asc")) {
      o->order = Order::kAsc;
    } else if (EqualsNoCase(a, "desc")) {
      o->order = Order::kDesc;
    } else if (EqualsNoCase(a, "count") && more >= 1) {
      if (!ParseInt(args[++i], &o->count)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      if (o->count <= 0) {
        c.w.Error("ERR COUNT must be > 0");
        return false;
      }
    } else if ((EqualsNoCase(a, "store") || EqualsNoCase(a, "storedist")) && more >= 1 &&
               (form & (kNoStore | kSearch)) == 0) {
      o->store = true;
      o->store_dist = EqualsNoCase(a, "storedist");
      o->store_key = args[++i];
    } else if (EqualsNoCase(a, "storedist") && (form & kSearchStore) != 0) {
      o->store_dist = true;
    } else if (EqualsNoCase(a, "frommember") && more >= 1 && search && !from_lonlat) {
      ++i;
      if (z != nullptr && !MemberPosition(c, z, args[i], &o->shape.center)) {
        return false;
      }
      from_member = true;
    } else if (EqualsNoCase(a, "fromlonlat") && more >= 2 && search && !from_member) {
      if (!ParseLonLat(c, &args[i + 1], &o->shape.center)) {
        return false;
      }
      from_lonlat = true;
      i += 2;
    } else if (EqualsNoCase(a, "byradius") && more >= 2 && search && !by_box) {
      if (!ParseRadius(c, &args[i + 1], &o->shape)) {
        return false;
      }
      by_radius = true;
      i += 2;
    } else if (EqualsNoCase(a, "bybox") && more >= 3 && search && !by_radius) {
      if (!ParseBox(c, &args[i + 1], &o->shape)) {
        return false;
      }
      by_box = true;
      i += 3;
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  if (o->store && (o->with_dist || o->with_hash || o->with_coord)) {
    c.w.Error((form & kSearchStore) != 0
                  ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD "
                    "options"
                  : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
                    "WITHCOORD options");
    return false;
  }
  if (search && !from_member && !from_lonlat) {
    std::string msg("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ");
    msg.append(args[0]);
    c.w.Error(msg);
    return false;
  }
  if (search && !by_radius && !by_box) {
    std::string msg("ERR exactly one of BYRADIUS and BYBOX can be specified for ");
    msg.append(args[0]);
    c.w.Error(msg);
    return false;
  }
  if (o->any && o->count == 0) {
    c.w.Error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

// Scans the cells around the shape in Redis' order and keeps the members inside it. `limit`
// (COUNT ... ANY) stops the scan early, so which members come back depends on that order.
std::vector<Hit> Collect(const ZSetObject* z, const geo::Shape& shape, size_t limit) {
  std::vector<Hit> hits;
  std::array<geo::Cell, 9> cells = geo::SearchCells(shape);
  size_t last = 0;  // index of the last scanned cell; 0 (the centre) never suppresses a repeat
  for (size_t i = 0; i < cells.size(); ++i) {
    const geo::Cell& cell = cells[i];
    if (cell.IsZero()) {
      continue;
    }
    // Huge radii make neighbours coincide: skip a cell equal to the one just scanned.
    if (last != 0 && cell.bits == cells[last].bits && cell.step == cells[last].step) {
      continue;
    }
    if (limit != 0 && hits.size() >= limit) {
      break;
    }
    uint64_t lo, hi;
    geo::ScoreRange(cell, &lo, &hi);
    size_t a = z->CountBelowScore(static_cast<double>(lo), false);
    size_t b = z->CountBelowScore(static_cast<double>(hi), false);
    if (b > a) {
      z->ForRank(a, b - 1, false, [&](std::string_view m, double score) {
        geo::LonLat p = geo::PositionOfScore(score);
        double dist;
        if (geo::WithinShape(shape, p, &dist)) {
          hits.push_back(Hit{std::string(m), score, dist, p});
        }
        return limit == 0 || hits.size() < limit;
      });
    }
    last = i;
  }
  return hits;
}

// Orders hits by distance the way redis-server does, equal distances included: all of them with
// a stable sort (glibc's qsort is a merge sort), only the first n with a partial quicksort.
void SortHits(std::vector<Hit>* hits, size_t n, bool desc) {
  auto cmp = [desc](const Hit& a, const Hit& b) {
    int r = a.dist > b.dist ? 1 : a.dist == b.dist ? 0 : -1;
    return desc ? -r : r;
  };
  if (n == hits->size()) {
    std::stable_sort(hits->begin(), hits->end(),
                     [&](const Hit& a, const Hit& b) { return cmp(a, b) < 0; });
  } else if (n > 0) {
    PartialQuicksort(*hits, 0, n - 1, cmp);
  }
}

void ReplyHits(CommandContext& c, const SearchArgs& o, const std::vector<Hit>& hits, size_t n) {
  size_t extras = (o.with_dist ? 1 : 0) + (o.with_hash ? 1 : 0) + (o.with_coord ? 1 : 0);
  c.w.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    const Hit& h = hits[i];
    if (extras > 0) {
      c.w.ArrayHeader(extras + 1);
    }
    c.w.Bulk(h.member);
    if (o.with_dist) {
      ReplyDistance(c, h.dist / o.shape.unit);
    }
    if (o.with_hash) {
      c.w.Integer(static_cast<int64_t>(h.score));
    }
    if (o.with_coord) {
      c.w.ArrayHeader(2);
      ReplyCoord(c, h.pos.lon);
      ReplyCoord(c, h.pos.lat);
    }
  }
}

// Replaces the destination with the first n hits (score: geohash, or distance for STOREDIST).
void StoreHits(CommandContext& c, const SearchArgs& o, const std::vector<Hit>& hits, size_t n) {
  ScoredMembers members;
  members.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    members.emplace_back(hits[i].member,
                         o.store_dist ? hits[i].dist / o.shape.unit : hits[i].score);
  }
  StoreZSet(c, o.store_key, members);
  // GEORADIUS' destination is not among the table's key positions: invalidate WATCH here.
  c.inst.TouchWatched(c.db_index(), o.store_key);
  c.w.Integer(static_cast<int64_t>(n));
}

void SearchGeneric(CmdArgs args, CommandContext& c, size_t src_index, unsigned form) {
  OpResult<Entry*> r = FindZSet(c, args[src_index]);
  if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
    return ReplyStatus(c, r.status());
  }
  const ZSetObject* z = r.ok() ? ZObj(*r) : nullptr;
  SearchArgs o;
  size_t first;
  if ((form & kRadiusCoords) != 0) {
    first = 6;
    if (!ParseLonLat(c, &args[2], &o.shape.center) || !ParseRadius(c, &args[4], &o.shape)) {
      return;
    }
  } else if ((form & kRadiusMember) != 0) {
    first = 5;
    // Without the key nothing is looked at but the options: the reply is empty either way.
    if (z != nullptr &&
        (!MemberPosition(c, z, args[2], &o.shape.center) || !ParseRadius(c, &args[3], &o.shape))) {
      return;
    }
  } else {
    first = (form & kSearchStore) != 0 ? 3 : 2;
    o.store = (form & kSearchStore) != 0;
    o.store_key = o.store ? args[1] : std::string_view();
  }
  if (!ParseOptions(c, args, first, form, z, &o)) {
    return;
  }
  c.wrote_nothing = !o.store;  // GEORADIUS without STORE only reads
  if (z == nullptr) {
    return o.store ? StoreHits(c, o, {}, 0) : c.w.ArrayHeader(0);
  }
  // COUNT without ANY means "the nearest N": it implies ascending distance.
  if (o.count != 0 && o.order == Order::kNone && !o.any) {
    o.order = Order::kAsc;
  }
  std::vector<Hit> hits = Collect(z, o.shape, o.any ? static_cast<size_t>(o.count) : 0);
  if (hits.empty() && !o.store) {
    return c.w.ArrayHeader(0);
  }
  size_t n = o.count == 0 ? hits.size() : std::min(hits.size(), static_cast<size_t>(o.count));
  if (o.order != Order::kNone) {
    SortHits(&hits, n, o.order == Order::kDesc);
  }
  if (o.store) {
    return StoreHits(c, o, hits, n);
  }
  ReplyHits(c, o, hits, n);
}

}  // namespace

void CmdGeoSearch(CmdArgs a, CommandContext& c) { SearchGeneric(a, c, 1, kSearch); }
void CmdGeoSearchStore(CmdArgs a, CommandContext& c) {
  SearchGeneric(a, c, 2, kSearch | kSearchStore);
}
void CmdGeoRadius(CmdArgs a, CommandContext& c) { SearchGeneric(a, c, 1, kRadiusCoords); }
void CmdGeoRadiusRo(CmdArgs a, CommandContext& c) {
  SearchGeneric(a, c, 1, kRadiusCoords | kNoStore);
}
void CmdGeoRadiusByMember(CmdArgs a, CommandContext& c) { SearchGeneric(a, c, 1, kRadiusMember); }
void CmdGeoRadiusByMemberRo(CmdArgs a, CommandContext& c) {
  SearchGeneric(a, c, 1, kRadiusMember | kNoStore);
}

}  // namespace mr::engine
