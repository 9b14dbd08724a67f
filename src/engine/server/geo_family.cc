// Geo commands on sorted sets whose scores are 52-bit geohashes (geohash.h): GEOADD GEOPOS GEODIST
// GEOHASH here, the searches in geo_search.cc. A geo set is a plain zset, so ZRANGE, DUMP and
// snapshots need nothing geo-specific.
#include <cstdio>
#include <string>
#include <vector>

#include "engine/server/families.h"
#include "engine/server/geo_ops.h"
#include "engine/server/zset_ops.h"

namespace mr::engine {

bool ParseLonLat(CommandContext& c, const std::string_view* args, geo::LonLat* out) {
  if (!ParseDouble(args[0], &out->lon) || !ParseDouble(args[1], &out->lat)) {
    ReplyStatus(c, OpStatus::INVALID_FLOAT);
    return false;
  }
  if (!geo::InRange(out->lon, out->lat)) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", out->lon,
                  out->lat);
    c.w.Error(buf);
    return false;
  }
  return true;
}

bool ParseGeoUnit(CommandContext& c, std::string_view s, double* meters) {
  if (EqualsNoCase(s, "m")) {
    *meters = 1;
  } else if (EqualsNoCase(s, "km")) {
    *meters = 1000;
  } else if (EqualsNoCase(s, "ft")) {
    *meters = 0.3048;
  } else if (EqualsNoCase(s, "mi")) {
    *meters = 1609.34;
  } else {
    c.w.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
    return false;
  }
  return true;
}

void ReplyDistance(CommandContext& c, double d) {
  char buf[400];  // %.4f of the largest double is 309 digits + 5
  int len = std::snprintf(buf, sizeof(buf), "%.4f", d);
  c.w.Bulk(std::string_view(buf, static_cast<size_t>(len)));
}

void ReplyCoord(CommandContext& c, double v) {
  std::string s = FormatLongDouble(v);
  if (c.w.protocol() == resp::Protocol::kResp3) {
    c.w.Raw(",");
    c.w.Raw(s);
    return c.w.Raw("\r\n");
  }
  c.w.Bulk(s);
}

namespace {

using namespace co;

// GEOADD key [NX|XX] [CH] lon lat member ...: validated here, then run as the equivalent ZADD
// (score = geohash), so flags, WRONGTYPE and replies are exactly ZADD's.
void CmdGeoAdd(CmdArgs args, CommandContext& c) {
  size_t first = 2;
  bool nx = false, xx = false;
  for (; first < args.size(); ++first) {
    if (EqualsNoCase(args[first], "nx")) {
      nx = true;
    } else if (EqualsNoCase(args[first], "xx")) {
      xx = true;
    } else if (!EqualsNoCase(args[first], "ch")) {
      break;
    }
  }
  size_t triples = args.size() - first;
  if (triples == 0 || triples % 3 != 0 || (nx && xx)) {
    return ReplySyntaxError(c);
  }
  std::vector<std::string> scores;
  scores.reserve(triples / 3);
  for (size_t i = first; i < args.size(); i += 3) {
    geo::LonLat p;
    if (!ParseLonLat(c, &args[i], &p)) {
      return;  // nothing is written unless every pair is valid
    }
    scores.push_back(std::to_string(geo::ScoreOf(p.lon, p.lat)));
  }
  std::vector<std::string_view> zadd(args.begin(), args.begin() + static_cast<ptrdiff_t>(first));
  zadd[0] = "zadd";
  for (size_t i = first, n = 0; i < args.size(); i += 3, ++n) {
    zadd.push_back(scores[n]);
    zadd.push_back(args[i + 2]);
  }
  Commands().Find("zadd")->handler(zadd, c);
}

// Looks up a geo set for reading: nullptr when absent; false after replying WRONGTYPE.
bool ReadGeoSet(CommandContext& c, std::string_view key, const ZSetObject** out) {
  OpResult<Entry*> r = FindZSet(c, key);
  if (!r.ok() && r.status() != OpStatus::KEY_NOTFOUND) {
    ReplyStatus(c, r.status());
    return false;
  }
  *out = r.ok() ? ZObj(*r) : nullptr;
  return true;
}

// GEOPOS and GEOHASH: one reply per member named after the key, `missing` for an absent one.
template <typename Missing, typename Found>
void ReplyPerMember(CmdArgs args, CommandContext& c, Missing missing, Found found) {
  const ZSetObject* z;
  if (!ReadGeoSet(c, args[1], &z)) {
    return;
  }
  c.w.ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    double score;
    if (z == nullptr || !z->Score(args[i], &score)) {
      missing();
    } else {
      found(score);
    }
  }
}

void CmdGeoPos(CmdArgs args, CommandContext& c) {
  ReplyPerMember(
      args, c, [&] { c.w.NullArray(); },
      [&](double score) {
        geo::LonLat p = geo::PositionOfScore(score);
        c.w.ArrayHeader(2);
        ReplyCoord(c, p.lon);
        ReplyCoord(c, p.lat);
      });
}

void CmdGeoDist(CmdArgs args, CommandContext& c) {
  double unit = 1;
  if (args.size() > 5) {
    return ReplySyntaxError(c);
  }
  if (args.size() == 5 && !ParseGeoUnit(c, args[4], &unit)) {
    return;
  }
  const ZSetObject* z;
  if (!ReadGeoSet(c, args[1], &z)) {
    return;
  }
  double s1, s2;
  if (z == nullptr || !z->Score(args[2], &s1) || !z->Score(args[3], &s2)) {
    return c.w.Null();
  }
  geo::LonLat a = geo::PositionOfScore(s1);
  geo::LonLat b = geo::PositionOfScore(s2);
  ReplyDistance(c, geo::Distance(a.lon, a.lat, b.lon, b.lat) / unit);
}

void CmdGeoHash(CmdArgs args, CommandContext& c) {
  ReplyPerMember(
      args, c, [&] { c.w.Null(); }, [&](double score) { c.w.Bulk(geo::HashString(score)); });
}

}  // namespace

void RegisterGeoFamily(CommandRegistry* r) {
  // GEORADIUS(BYMEMBER) write through STORE/STOREDIST, a key found by parsing: "movablekeys".
  *r << CommandId{"geoadd", WRITE | DENYOOM, -5, 1, 1, 1, CmdGeoAdd}
     << CommandId{"geopos", READONLY, -2, 1, 1, 1, CmdGeoPos}
     << CommandId{"geodist", READONLY, -4, 1, 1, 1, CmdGeoDist}
     << CommandId{"geohash", READONLY, -2, 1, 1, 1, CmdGeoHash}
     << CommandId{"geosearch", READONLY, -7, 1, 1, 1, CmdGeoSearch}
     << CommandId{"geosearchstore", WRITE | DENYOOM, -8, 1, 2, 1, CmdGeoSearchStore}
     << CommandId{"georadius", WRITE | DENYOOM | MOVABLEKEYS, -6, 1, 1, 1, CmdGeoRadius}
     << CommandId{"georadius_ro", READONLY, -6, 1, 1, 1, CmdGeoRadiusRo}
     << CommandId{"georadiusbymember", WRITE | DENYOOM | MOVABLEKEYS, -5, 1, 1, 1,
                  CmdGeoRadiusByMember}
     << CommandId{"georadiusbymember_ro", READONLY, -5, 1, 1, 1, CmdGeoRadiusByMemberRo};
}

}  // namespace mr::engine
