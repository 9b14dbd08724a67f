// Helpers shared by geo_family.cc (GEOADD GEOPOS GEODIST GEOHASH) and geo_search.cc (GEOSEARCH,
// GEOSEARCHSTORE and the GEORADIUS forms): argument parsing and reply formats of Redis' geo.c.
#pragma once

#include <string_view>

#include "engine/server/command_context.h"
#include "engine/server/geohash.h"

namespace mr::engine {

// "lon lat" at args[0..1]: WGS84 range checked, replies Redis' error and returns false.
bool ParseLonLat(CommandContext& c, const std::string_view* args, geo::LonLat* out);
// m|km|ft|mi (any case) as meters per unit; replies Redis' error and returns false.
bool ParseGeoUnit(CommandContext& c, std::string_view s, double* meters);
// A distance: "%.4f" as a bulk string, in RESP3 too.
void ReplyDistance(CommandContext& c, double d);
// A coordinate as Redis' human long double: bulk in RESP2, a double in RESP3.
void ReplyCoord(CommandContext& c, double v);

void CmdGeoSearch(CmdArgs args, CommandContext& c);
void CmdGeoSearchStore(CmdArgs args, CommandContext& c);
void CmdGeoRadius(CmdArgs args, CommandContext& c);
void CmdGeoRadiusRo(CmdArgs args, CommandContext& c);
void CmdGeoRadiusByMember(CmdArgs args, CommandContext& c);
void CmdGeoRadiusByMemberRo(CmdArgs args, CommandContext& c);

}  // namespace mr::engine
