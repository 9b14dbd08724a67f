// GEO commands: replies checked against redis-server 7.0.15 (scores, coordinates, distances,
// geohash strings, search order, STORE forms, errors).
#include <algorithm>
#include <random>

#include "engine/server/change_log_test_util.h"
#include "engine/server/engine_test_base.h"
#include "engine/server/geohash.h"
#include "engine/server/partial_quicksort.h"

namespace mr::engine {
namespace {

class GeoFamilyTest : public EngineTest {
 protected:
  void AddSicily() {
    ASSERT_EQ(Run({"geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269",
                   "37.502669", "Catania", "12.758489", "38.788135", "edge1", "17.241510",
                   "38.788135", "edge2"}),
              4);
  }
};

TEST_F(GeoFamilyTest, AddPosDistHash) {
  AddSicily();
  EXPECT_EQ(Run({"zscore", "Sicily", "Palermo"}), "3479099956230698");
  EXPECT_EQ(Run({"zscore", "Sicily", "Catania"}), "3479447370796909");
  RespValue pos = Run({"geopos", "Sicily", "Palermo", "nope"});
  ASSERT_EQ(pos.size(), 2u);
  EXPECT_EQ(pos[0].Strings(),
            (std::vector<std::string>{"13.36138933897018433", "38.11555639549629859"}));
  EXPECT_EQ(pos[1].type, RespValue::kNil);
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "Catania"}), "166274.1516");
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "Catania", "KM"}), "166.2742");
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "nope"}), "(nil)");
  EXPECT_EQ(Run({"geodist", "none", "a", "b"}), "(nil)");
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "Catania", "yd"}),
            "ERR unsupported unit provided. please use M, KM, FT, MI");
  EXPECT_EQ(Run({"geohash", "Sicily", "Palermo", "Catania", "nope"}).Strings(),
            (std::vector<std::string>{"sqc8b49rny0", "sqdtr74hyu0", "(nil)"}));
  EXPECT_EQ(Run({"geohash", "none", "a"}).Strings(), (std::vector<std::string>{"(nil)"}));
}

TEST_F(GeoFamilyTest, AddOptionsAndErrors) {
  EXPECT_EQ(Run({"geoadd", "k", "200", "100", "x"}),
            "ERR invalid longitude,latitude pair 200.000000,100.000000");
  EXPECT_EQ(Run({"geoadd", "k", "10", "85.06", "x"}),
            "ERR invalid longitude,latitude pair 10.000000,85.060000");
  EXPECT_EQ(Run({"geoadd", "k", "nx", "xx", "10", "20", "x"}), "ERR syntax error");
  EXPECT_EQ(Run({"geoadd", "k", "foo", "20", "x"}), "ERR value is not a valid float");
  EXPECT_EQ(Run({"geoadd", "k", "ch", "ch", "ch"}), "ERR syntax error");
  EXPECT_EQ(Run({"geoadd", "k", "10", "20", "x", "30"}), "ERR syntax error");
  EXPECT_EQ(Run({"geoadd", "k", "10", "20"}), "ERR wrong number of arguments for 'geoadd' command");
  EXPECT_EQ(Run({"exists", "k"}), 0);
  EXPECT_EQ(Run({"geoadd", "k", "10", "20", "x"}), 1);
  EXPECT_EQ(Run({"geoadd", "k", "nx", "11", "20", "x", "1", "2", "y"}), 1);
  EXPECT_EQ(Run({"geoadd", "k", "xx", "ch", "11", "20", "x", "3", "4", "z"}), 1);
  EXPECT_EQ(Run({"zcard", "k"}), 2);
  Run({"set", "s", "v"});
  EXPECT_EQ(Run({"geoadd", "s", "1", "2", "m"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"geopos", "s", "m"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(GeoFamilyTest, OddScoresDecodeLikeRedis) {
  Run({"zadd", "k", "-1", "neg", "0", "zero", "9007199254740992", "big", "1e30", "huge"});
  EXPECT_EQ(Run({"geopos", "k", "neg"})[0].Strings(),
            (std::vector<std::string>{"180", "85.0511287799999991"}));
  EXPECT_EQ(Run({"geopos", "k", "big"})[0].Strings(),
            (std::vector<std::string>{"180", "-85.05112751263942528"}));
  EXPECT_EQ(Run({"geopos", "k", "huge"})[0].Strings(),
            (std::vector<std::string>{"-179.99999731779098511", "-85.05112751263942528"}));
  EXPECT_EQ(Run({"geohash", "k", "neg", "zero"}).Strings(),
            (std::vector<std::string>{"bp05b5048p0", "00bh0hbj200"}));
  EXPECT_EQ(Run({"geoadd", "k", "180", "85.05112878", "corner"}), 1);
  EXPECT_EQ(Run({"zscore", "k", "corner"}), "13510798882111488");
}

TEST_F(GeoFamilyTest, Search) {
  AddSicily();
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "asc"})
                .Strings(),
            (std::vector<std::string>{"Catania", "Palermo"}));
  // ANY stops at the first match in scan order, not the nearest.
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km",
                 "count", "1", "any"})
                .Strings(),
            (std::vector<std::string>{"Palermo"}));
  RespValue r = Run({"georadius", "Sicily", "15", "37", "200", "km", "withdist", "desc"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].Strings(), (std::vector<std::string>{"Palermo", "190.4424"}));
  EXPECT_EQ(r[1].Strings(), (std::vector<std::string>{"Catania", "56.4413"}));
  r = Run({"georadiusbymember", "Sicily", "Palermo", "300", "km", "withdist", "count", "3"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].Strings(), (std::vector<std::string>{"edge1", "91.4007"}));
  r = Run({"geosearch", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "asc",
           "withcoord", "withhash"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1][0], "edge1");
  EXPECT_EQ(r[1][1], int64_t{3479273021651468});
  EXPECT_EQ(r[1][2].Strings(),
            (std::vector<std::string>{"12.7584877610206604", "38.78813451624225195"}));
  EXPECT_EQ(Run({"geosearch", "none", "frommember", "x", "byradius", "1", "m"}).size(), 0u);
  EXPECT_EQ(Run({"georadiusbymember", "none", "m", "foo", "bar"}).size(), 0u);
}

TEST_F(GeoFamilyTest, SearchStore) {
  AddSicily();
  EXPECT_EQ(Run({"geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "200",
                 "km", "storedist"}),
            2);
  EXPECT_EQ(Run({"zrange", "dst", "0", "-1", "withscores"}).Strings(),
            (std::vector<std::string>{"Catania", "56.441257870158204", "Palermo",
                                      "190.44242984775784"}));
  EXPECT_EQ(Run({"georadius", "Sicily", "15", "37", "200", "km", "store", "dst"}), 2);
  EXPECT_EQ(Run({"zscore", "dst", "Palermo"}), "3479099956230698");
  EXPECT_EQ(Run({"georadius", "Sicily", "15", "37", "1", "m", "store", "dst"}), 0);
  EXPECT_EQ(Run({"exists", "dst"}), 0);
  Run({"set", "dst", "x"});
  EXPECT_EQ(Run({"geosearchstore", "dst", "none", "fromlonlat", "1", "2", "byradius", "1", "m"}),
            0);
  EXPECT_EQ(Run({"exists", "dst"}), 0);
}

TEST_F(GeoFamilyTest, SearchErrors) {
  AddSicily();
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km",
                 "withdist", "store", "x"}),
            "ERR syntax error");
  EXPECT_EQ(Run({"georadius", "Sicily", "15", "37", "200", "km", "withdist", "store", "x"}),
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD "
            "options");
  EXPECT_EQ(Run({"geosearchstore", "d", "Sicily", "fromlonlat", "15", "37", "byradius", "200",
                 "km", "withhash"}),
            "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  EXPECT_EQ(Run({"GEOSEARCH", "Sicily", "byradius", "200", "km", "asc", "withdist"}),
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "1", "2", "asc", "withdist", "desc"}),
            "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "-1", "km"}),
            "ERR radius cannot be negative");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "x", "km"}),
            "ERR need numeric radius");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "1", "-1", "km"}),
            "ERR height or width cannot be negative");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "any"}),
            "ERR the ANY argument requires COUNT argument");
  EXPECT_EQ(Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count",
                 "0"}),
            "ERR COUNT must be > 0");
  EXPECT_EQ(Run({"geosearch", "Sicily", "frommember", "nope", "byradius", "1", "km"}),
            "ERR could not decode requested zset member");
  EXPECT_EQ(Run({"georadius_ro", "Sicily", "15", "37", "200", "km", "store", "x"}),
            "ERR syntax error");
  Run({"set", "str", "x"});
  EXPECT_EQ(Run({"geosearch", "str", "fromlonlat", "15", "37", "byradius", "1", "km"}),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

// GEORADIUS' STORE key is found by parsing (movablekeys): it must still invalidate a WATCH.
TEST_F(GeoFamilyTest, RadiusStoreInvalidatesWatch) {
  AddSicily();
  Session other;
  other.id = 2;
  OpenSession(inst_, other);
  RunOn(other, {"watch", "dst"});
  RunOn(other, {"multi"});
  RunOn(other, {"ping"});
  EXPECT_EQ(Run({"georadius", "Sicily", "15", "37", "200", "km", "store", "dst"}), 2);
  EXPECT_EQ(RunOn(other, {"exec"}).type, RespValue::kNil);
  CloseSession(inst_, other);
}

TEST_F(GeoFamilyTest, Resp3Coordinates) {
  AddSicily();
  session_.protocol = resp::Protocol::kResp3;
  Run({"geopos", "Sicily", "Palermo", "nope"});
  EXPECT_EQ(last_raw_, "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
  Run({"geodist", "Sicily", "Palermo", "Catania"});
  EXPECT_EQ(last_raw_, "$11\r\n166274.1516\r\n");
}

TEST_F(GeoFamilyTest, CommandInfo) {
  EXPECT_EQ(Run({"command", "info", "georadius"})[0][2].Strings(),
            (std::vector<std::string>{"write", "denyoom", "movablekeys"}));
  EXPECT_EQ(Run({"command", "info", "geosearchstore"})[0][4], 2);
}

// What the change log records for GEOADD and the STORE forms rebuilds the same sets on replay;
// searches that only read record nothing.
TEST_F(GeoFamilyTest, ChangeLogReplaysToSameData) {
  MemoryChangeLog log;
  inst_.set_change_log(&log);
  AddSicily();
  Run({"geoadd", "Sicily", "xx", "ch", "13.5", "38.2", "Palermo"});
  Run({"geosearchstore", "a", "Sicily", "fromlonlat", "15", "37", "byradius", "300", "km",
       "storedist", "count", "3"});
  Run({"georadius", "Sicily", "15", "37", "200", "km", "store", "b"});
  Run({"georadiusbymember", "Sicily", "Palermo", "100", "km", "storedist", "c"});
  Run({"georadius", "Sicily", "15", "37", "200", "km", "withdist"});
  Run({"geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km"});
  inst_.set_change_log(nullptr);
  const std::string& recorded = log.Recorded();
  EXPECT_EQ(recorded.find("withdist"), std::string::npos);
  EXPECT_EQ(recorded.find("geosearch\r"), std::string::npos);
  Instance copy{InstanceConfig{}};
  ASSERT_TRUE(ReplayLog(copy, recorded));
  Session s;
  for (std::string key : {"Sicily", "a", "b", "c"}) {
    std::vector<std::string_view> args = {"zrange", key, "0", "-1", "withscores"};
    std::string want, got;
    resp::Writer w1(&want), w2(&got);
    Dispatch(inst_, session_, args, w1);
    Dispatch(copy, s, args, w2);
    EXPECT_EQ(got, want) << key;
    EXPECT_NE(want, "*0\r\n") << key;
  }
}

TEST(GeohashTest, EncodeDecodeRoundTrip) {
  uint64_t s = geo::ScoreOf(13.361389, 38.115556);
  EXPECT_EQ(s, 3479099956230698u);
  geo::LonLat p = geo::PositionOfScore(static_cast<double>(s));
  EXPECT_NEAR(p.lon, 13.361389, 1e-5);
  EXPECT_NEAR(p.lat, 38.115556, 1e-5);
  // One degree of meridian on Redis' sphere (GEODIST differs: it measures decoded cell centres).
  EXPECT_NEAR(geo::Distance(0, 0, 0, 1), 111226.30, 0.001);
}

// The ranks asked for end up sorted, whatever the size (insertion sort, median of 3, ninther).
TEST(PartialQuicksortTest, SortsTheRequestedRanks) {
  std::mt19937 rng(42);
  for (size_t n : {1u, 2u, 6u, 7u, 8u, 40u, 41u, 100u, 1000u}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<int> v(n);
      for (int& x : v) {
        x = static_cast<int>(rng() % (round % 2 == 0 ? 5 : 1000));  // many ties, or few
      }
      std::vector<int> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      size_t want = 1 + rng() % n;
      PartialQuicksort(v, 0, want - 1, [](int a, int b) { return a < b ? -1 : a > b ? 1 : 0; });
      EXPECT_TRUE(std::equal(v.begin(), v.begin() + static_cast<ptrdiff_t>(want), sorted.begin()))
          << n << " " << want;
    }
  }
}

}  // namespace
}  // namespace mr::engine
