// Geohash arithmetic (see geohash.h). Every formula keeps the operation order of Redis' float
// computations: a different but equivalent expression can round differently in the last bit,
// which shows in the 17 printed decimals of a coordinate or moves a point across a search edge.
#include "engine/server/geohash.h"

#include <cmath>
#include <numbers>

namespace mr::engine::geo {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kMercatorMax = 20037726.37;  // half the equator in the projection, meters

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Moves the 32 bits of v to the even bit positions of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

// Inverse of Spread: gathers the even bits of x.
uint32_t Gather(uint64_t x) {
  x &= 0x5555555555555555ull;
  x = (x | (x >> 1)) & 0x3333333333333333ull;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
  return static_cast<uint32_t>(x);
}

uint64_t Interleave(uint32_t lon_idx, uint32_t lat_idx) {
  return Spread(lat_idx) | (Spread(lon_idx) << 1);
}

// A cell index moved by d (-1, 0, +1) with wrap-around at 2^step. A zero move leaves the index
// untouched, even an index of 2^step (a point on the max edge), as Redis' neighbour walk does.
uint32_t MoveIndex(uint32_t idx, int d, int step) {
  if (d == 0) {
    return idx;
  }
  uint64_t mask = (1ull << step) - 1;
  return static_cast<uint32_t>((static_cast<uint64_t>(idx) + static_cast<uint64_t>(d)) & mask);
}

Cell Neighbour(Cell c, int dlon, int dlat) {
  uint32_t lon = Gather(c.bits >> 1);
  uint32_t lat = Gather(c.bits);
  return Cell{Interleave(MoveIndex(lon, dlon, c.step), MoveIndex(lat, dlat, c.step)), c.step};
}

double Clamp(double v, Range r) { return v > r.max ? r.max : v < r.min ? r.min : v; }

// The step whose cells are about the size of the search radius (coarser near the poles, where a
// cell spans fewer meters of longitude).
int EstimateStep(double range_m, double lat) {
  if (range_m == 0) {
    return kMaxStep;
  }
  int step = 1;
  while (range_m < kMercatorMax) {
    range_m *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) {
      step--;
    }
  }
  return step < 1 ? 1 : step > kMaxStep ? kMaxStep : step;
}

// Longitude/latitude bounds of the shape: {min_lon, min_lat, max_lon, max_lat}.
std::array<double, 4> BoundingBox(const Shape& s) {
  double height = s.unit * (s.box ? s.height / 2 : s.radius);
  double width = s.unit * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = RadToDeg(height / kEarthRadiusM);
  const double lon_delta_top =
      RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.center.lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.center.lat - lat_delta)));
  // The edge nearer the pole is the wider one: which one that is depends on the hemisphere.
  double lon_delta = s.center.lat < 0 ? lon_delta_bottom : lon_delta_top;
  return {s.center.lon - lon_delta, s.center.lat - lat_delta, s.center.lon + lon_delta,
          s.center.lat + lat_delta};
}

struct Around {
  Cell center;
  Area area;
  std::array<Cell, 8> n;  // N, S, E, W, NE, NW, SE, SW
};

Around CellsAround(LonLat p, int step) {
  Around a;
  Encode(kLonRange, kLatRange, p.lon, p.lat, step, &a.center);
  a.area = Decode(kLonRange, kLatRange, a.center);
  static constexpr int kMoves[8][2] = {{0, 1}, {0, -1}, {1, 0}, {-1, 0},
                                       {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  for (size_t i = 0; i < 8; ++i) {
    a.n[i] = Neighbour(a.center, kMoves[i][0], kMoves[i][1]);
  }
  return a;
}

}  // namespace

bool InRange(double lon, double lat) {
  return !(lon < kLonMin || lon > kLonMax || lat < kLatMin || lat > kLatMax);
}

bool Encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* out) {
  *out = Cell{};
  if (!InRange(lon, lat) || lat < lat_r.min || lat > lat_r.max || lon < lon_r.min ||
      lon > lon_r.max) {
    return false;
  }
  out->step = step;
  double lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min);
  double lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min);
  lat_off *= static_cast<double>(1ull << step);
  lon_off *= static_cast<double>(1ull << step);
  out->bits = Interleave(static_cast<uint32_t>(lon_off), static_cast<uint32_t>(lat_off));
  return true;
}

Area Decode(Range lon_r, Range lat_r, Cell cell) {
  uint32_t ilon = Gather(cell.bits >> 1);
  uint32_t ilat = Gather(cell.bits);
  const double cells = static_cast<double>(1ull << cell.step);
  // The +1 wraps in 32 bits like Redis' unsigned arithmetic (only reachable from odd scores).
  const uint32_t ilon1 = ilon + 1, ilat1 = ilat + 1;
  double lat_scale = lat_r.max - lat_r.min;
  double lon_scale = lon_r.max - lon_r.min;
  Area a;
  a.lat.min = lat_r.min + (ilat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_r.min + (ilat1 * 1.0 / cells) * lat_scale;
  a.lon.min = lon_r.min + (ilon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_r.min + (ilon1 * 1.0 / cells) * lon_scale;
  return a;
}

LonLat Center(const Area& a) {
  return {Clamp((a.lon.min + a.lon.max) / 2, kLonRange),
          Clamp((a.lat.min + a.lat.max) / 2, kLatRange)};
}

uint64_t ScoreOf(double lon, double lat) {
  Cell c;
  Encode(kLonRange, kLatRange, lon, lat, kMaxStep, &c);
  return c.bits;
}

LonLat PositionOfScore(double score) {
  // What cvttsd2si-based code (GCC on x86-64) yields for any double, in range or not.
  constexpr double k2p63 = 9223372036854775808.0;
  constexpr uint64_t kTop = 1ull << 63;
  uint64_t bits;
  if (score < k2p63) {
    bits = score >= -k2p63 ? static_cast<uint64_t>(static_cast<int64_t>(score)) : kTop;
  } else {
    double rest = score - k2p63;
    bits = (rest < k2p63 ? static_cast<uint64_t>(static_cast<int64_t>(rest)) : kTop) ^ kTop;
  }
  return Center(Decode(kLonRange, kLatRange, Cell{bits, kMaxStep}));
}

std::string HashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  LonLat p = PositionOfScore(score);
  Cell c;
  Encode(kLonRange, Range{-90, 90}, p.lon, p.lat, kMaxStep, &c);
  // 52 bits make ten 5-bit characters; the customary 11th is always '0'.
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) {
    out[static_cast<size_t>(i)] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  }
  return out;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lon1r = DegToRad(lon1);
  double lon2r = DegToRad(lon2);
  double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) {  // same meridian: Redis takes the cheaper (and differently rounded) path
    return LatDistance(lat1, lat2);
  }
  double lat1r = DegToRad(lat1);
  double lat2r = DegToRad(lat2);
  double u = std::sin((lat2r - lat1r) / 2);
  double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

bool WithinShape(const Shape& s, LonLat p, double* dist) {
  if (!s.box) {
    *dist = Distance(s.center.lon, s.center.lat, p.lon, p.lat);
    return *dist <= s.radius * s.unit;
  }
  // Latitude first: it is the cheaper test and rejects most points of a scanned cell.
  if (LatDistance(p.lat, s.center.lat) > s.height * s.unit / 2) {
    return false;
  }
  if (Distance(p.lon, p.lat, s.center.lon, p.lat) > s.width * s.unit / 2) {
    return false;
  }
  *dist = Distance(s.center.lon, s.center.lat, p.lon, p.lat);
  return true;
}

std::array<Cell, 9> SearchCells(const Shape& s) {
  // A box is searched as the circle through its corners.
  double radius_m =
      s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_m *= s.unit;
  const auto [min_lon, min_lat, max_lon, max_lat] = BoundingBox(s);
  int step = EstimateStep(radius_m, s.center.lat);
  Around a = CellsAround(s.center, step);
  // Near a cell edge the estimated cells can be too small to reach the shape's far side: if a
  // side neighbour does not cover the bounding box, use cells twice as large.
  Area north = Decode(kLonRange, kLatRange, a.n[0]);
  Area south = Decode(kLonRange, kLatRange, a.n[1]);
  Area east = Decode(kLonRange, kLatRange, a.n[2]);
  Area west = Decode(kLonRange, kLatRange, a.n[3]);
  bool too_small = north.lat.max < max_lat || south.lat.min > min_lat ||
                   east.lon.max < max_lon || west.lon.min > min_lon;
  if (step > 1 && too_small) {
    a = CellsAround(s.center, --step);
  }
  enum { N, S, E, W, NE, NW, SE, SW };
  // Drop the neighbours on a side the centre cell already covers past the bounding box.
  if (step >= 2) {
    auto zero = [&](std::initializer_list<int> which) {
      for (int i : which) {
        a.n[static_cast<size_t>(i)] = Cell{};
      }
    };
    if (a.area.lat.min < min_lat) zero({S, SW, SE});
    if (a.area.lat.max > max_lat) zero({N, NE, NW});
    if (a.area.lon.min < min_lon) zero({W, SW, NW});
    if (a.area.lon.max > max_lon) zero({E, SE, NE});
  }
  return {a.center, a.n[N], a.n[S], a.n[E], a.n[W], a.n[NE], a.n[NW], a.n[SE], a.n[SW]};
}

void ScoreRange(Cell c, uint64_t* lo, uint64_t* hi) {
  int shift = 52 - c.step * 2;
  *lo = c.bits << shift;
  *hi = (c.bits + 1) << shift;
}

}  // namespace mr::engine::geo
