// Geohash arithmetic for the GEO commands, with Redis 7.0's numbers so that scores, decoded
// coordinates, distances and the boxes a search scans are bit-for-bit those of redis-server.
//
// A position is two 26-bit cell indexes (longitude over [-180, 180], latitude over the Web
// Mercator range [-85.05112878, 85.05112878]) interleaved into 52 bits: longitude bits at the odd
// positions, latitude bits at the even ones. That integer is the sorted-set score, so a cell of
// any coarser precision is one contiguous score range.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace mr::engine::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kMaxStep = 26;  // bits per coordinate: 52-bit scores
inline constexpr double kEarthRadiusM = 6372797.560856;  // Redis' value (not WGS84's 6378137)

struct Range {
  double min, max;
};
inline constexpr Range kLonRange{kLonMin, kLonMax};
inline constexpr Range kLatRange{kLatMin, kLatMax};

// A cell: `step` bits per coordinate, interleaved (longitude first) into the low 2*step bits.
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool IsZero() const { return bits == 0 && step == 0; }
};

struct Area {
  Range lon, lat;
};

struct LonLat {
  double lon, lat;
};

bool InRange(double lon, double lat);  // within kLonRange x kLatRange (GEOADD's check)
// Cell of the point at `step` bits per coordinate; false (and a zero cell) when out of range.
bool Encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* out);
Area Decode(Range lon_r, Range lat_r, Cell cell);
// The centre of a cell, clamped to the WGS84 ranges (a 2^26 index can step past the edge).
LonLat Center(const Area& a);

// Sorted-set score of a point (52 bits, or 53 for a coordinate exactly on the max edge).
uint64_t ScoreOf(double lon, double lat);
// Position a score stands for; `score` is converted the way x86-64 turns a double into uint64_t,
// so scores written with ZADD decode as in redis-server.
LonLat PositionOfScore(double score);
// GEOHASH's 11-character string: the position re-encoded over latitude [-90, 90].
std::string HashString(double score);

double Distance(double lon1, double lat1, double lon2, double lat2);  // haversine, meters
double LatDistance(double lat1, double lat2);                         // along a meridian

// The search shape of GEOSEARCH/GEORADIUS in meters (width/height for a box).
struct Shape {
  LonLat center;
  bool box = false;
  double radius = 0, width = 0, height = 0;  // in `unit`s
  double unit = 1;                           // meters per unit
};

// Distance from the centre when the point lies inside the shape.
bool WithinShape(const Shape& s, LonLat p, double* dist);

// The cells to scan for a shape, in Redis' order: centre, N, S, E, W, NE, NW, SE, SW. Cells that
// cannot hold a match are zero; callers skip those and repeats of the previously scanned cell.
std::array<Cell, 9> SearchCells(const Shape& s);
// Half-open score range [*lo, *hi) covered by a cell.
void ScoreRange(Cell c, uint64_t* lo, uint64_t* hi);

}  // namespace mr::engine::geo
