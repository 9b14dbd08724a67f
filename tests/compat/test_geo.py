"""GEO commands against redis-server 7.0: a table of cases (options, errors, edge positions) and
seeded random ones (points worldwide, radii and boxes from meters to thousands of kilometers),
with the raw replies compared byte for byte."""
import random

import pytest

from differential import RawConn, pair, pair3, parse, reference  # noqa: F401 (fixtures)

SICILY = ["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
          "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"]

TABLE = [
    ["geoadd", "Sicily", *SICILY],
    ["geoadd", "Sicily", "ch", *SICILY[:3]],
    ["geoadd", "Sicily", "ch", "13.4", "38.1", "Palermo"],
    ["geoadd", "Sicily", "xx", "ch", "13.361389", "38.115556", "Palermo", "1", "1", "new"],
    ["geoadd", "Sicily", "nx", "13.5", "38.1", "Palermo", "1", "1", "new"],
    ["geoadd", "Sicily", "NX", "XX", "1", "1", "x"],
    ["geoadd", "Sicily", "ch", "ch", "ch"],
    ["geoadd", "Sicily", "1", "2", "m", "3"],
    ["geoadd", "Sicily", "200", "100", "x"],
    ["geoadd", "Sicily", "-180.0001", "0", "x"],
    ["geoadd", "Sicily", "0", "85.05112879", "x"],
    ["geoadd", "Sicily", "inf", "0", "x"],
    ["geoadd", "Sicily", "abc", "0", "x"],
    ["geoadd", "Sicily", "gt", "1", "1", "x"],
    ["geoadd", "Sicily", "1", "2"],
    ["geoadd", "edges", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "o",
     "180", "0", "e", "-180", "0", "w", "0", "85.05112878", "n", "0", "-85.05112878", "s"],
    ["zrange", "edges", "0", "-1", "withscores"],
    ["geopos", "edges", "ne", "sw", "o", "e", "w", "n", "s", "missing"],
    ["geohash", "edges", "ne", "sw", "o", "e", "w", "n", "s", "missing"],
    ["geosearch", "edges", "fromlonlat", "0", "0", "byradius", "30000", "km", "asc", "withdist"],
    ["geosearch", "edges", "fromlonlat", "179", "0", "bybox", "500", "500", "km", "withcoord"],
    ["geosearch", "edges", "frommember", "ne", "byradius", "0", "m", "withhash"],
    ["zadd", "odd", "-1", "neg", "0", "zero", "9007199254740992", "big", "1e30", "huge", "-inf",
     "ninf", "inf", "pinf", "4503599627370496", "b52"],
    ["geopos", "odd", "neg", "zero", "big", "huge", "ninf", "pinf", "b52"],
    ["geohash", "odd", "neg", "zero", "big", "huge", "ninf", "pinf", "b52"],
    ["geodist", "odd", "neg", "zero"],
    ["geopos", "Sicily", "Palermo", "Catania", "nope"],
    ["geopos", "nokey", "a", "b"],
    ["geopos", "Sicily"],
    ["geohash", "Sicily", "Palermo", "Catania", "nope"],
    ["geohash", "nokey", "a"],
    ["geodist", "Sicily", "Palermo", "Catania"],
    ["geodist", "Sicily", "Palermo", "Catania", "km"],
    ["geodist", "Sicily", "Palermo", "Catania", "MI"],
    ["geodist", "Sicily", "Palermo", "Catania", "ft"],
    ["geodist", "Sicily", "Palermo", "Catania", "yd"],
    ["geodist", "Sicily", "Palermo", "Catania", "km", "extra"],
    ["geodist", "Sicily", "Palermo", "nope"],
    ["geodist", "Sicily", "Palermo", "Palermo"],
    ["geodist", "nokey", "a", "b"],
    ["geodist", "nokey", "a", "b", "yd"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "asc"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "desc"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "count", "1"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "count", "1", "any"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "count", "1", "any",
     "desc"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "withcoord",
     "withdist", "withhash"],
    ["geosearch", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "asc",
     "withcoord"],
    ["geosearch", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "frommember",
     "Palermo"],
    ["geosearch", "Sicily", "frommember", "Palermo", "fromlonlat", "1", "2", "byradius", "1", "m"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "m", "bybox", "1", "1", "m"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "withdist", "store",
     "x"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "storedist"],
    ["GEOSEARCH", "Sicily", "byradius", "200", "km", "asc", "withdist"],
    ["geosearch", "Sicily", "fromlonlat", "1", "2", "asc", "withdist", "desc"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "-1", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "x", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "parsec"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "1", "-1", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "x", "1", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "1", "x", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "any"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count", "0"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count", "x"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count"],
    ["geosearch", "Sicily", "fromlonlat", "15", "370", "byradius", "1", "km"],
    ["geosearch", "Sicily", "frommember", "nope", "byradius", "1", "km"],
    ["geosearch", "nokey", "frommember", "nope", "byradius", "1", "km"],
    ["geosearch", "nokey", "frommember", "nope", "byradius", "x", "km"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "inf", "km", "asc"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "0", "km"],
    ["geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km"],
    ["zrange", "dst", "0", "-1", "withscores"],
    ["geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km",
     "storedist", "count", "1"],
    ["zrange", "dst", "0", "-1", "withscores"],
    ["object", "encoding", "dst"],
    ["geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km",
     "withdist"],
    ["geosearchstore", "dst", "Sicily", "fromlonlat", "0", "0", "byradius", "1", "m"],
    ["exists", "dst"],
    ["georadius", "Sicily", "15", "37", "200", "km"],
    ["georadius", "Sicily", "15", "37", "200", "km", "withdist", "withcoord", "withhash", "asc"],
    ["georadius", "Sicily", "15", "37", "200", "km", "store", "d2"],
    ["zrange", "d2", "0", "-1", "withscores"],
    ["georadius", "Sicily", "15", "37", "200", "km", "storedist", "d3", "desc", "count", "1"],
    ["zrange", "d3", "0", "-1", "withscores"],
    ["georadius", "Sicily", "15", "37", "200", "km", "withdist", "store", "d2"],
    ["georadius", "Sicily", "15", "37", "200", "km", "fromlonlat", "1", "2"],
    ["georadius", "Sicily", "15", "x", "200", "km"],
    ["georadius", "Sicily", "15", "37", "-1", "km"],
    ["georadius", "nokey", "15", "37", "200", "km", "store", "d2"],
    ["exists", "d2"],
    ["georadius_ro", "Sicily", "15", "37", "200", "km", "withdist"],
    ["georadius_ro", "Sicily", "15", "37", "200", "km", "store", "x"],
    ["georadiusbymember", "Sicily", "Palermo", "300", "km", "withdist", "count", "3"],
    ["georadiusbymember", "Sicily", "nope", "300", "km"],
    ["georadiusbymember", "Sicily", "Palermo", "x", "km"],
    ["georadiusbymember", "nokey", "m", "foo", "bar"],
    ["georadiusbymember", "nokey", "m", "foo", "bar", "store", "x"],
    ["georadiusbymember", "Sicily", "Palermo", "300", "km", "storedist", "d4"],
    ["zrange", "d4", "0", "-1", "withscores"],
    ["georadiusbymember_ro", "Sicily", "Palermo", "300", "km", "asc", "withhash"],
    ["georadiusbymember_ro", "Sicily", "Palermo", "300", "km", "storedist", "d4"],
    ["set", "str", "x"],
    ["geoadd", "str", "1", "2", "m"],
    ["geoadd", "str", "200", "2", "m"],
    ["geopos", "str", "m"],
    ["geohash", "str", "m"],
    ["geodist", "str", "a", "b"],
    ["geosearch", "str", "fromlonlat", "15", "37", "byradius", "1", "km"],
    ["geosearch", "str", "fromlonlat", "15", "370", "byradius", "1", "km"],
    ["geosearchstore", "d", "str", "fromlonlat", "15", "37", "byradius", "1", "km"],
    ["georadius", "str", "15", "37", "1", "km"],
    ["georadiusbymember", "str", "m", "1", "km"],
    ["geosearchstore", "str", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km"],
    ["type", "str"],
    ["geoadd"],
    ["geosearch", "Sicily", "fromlonlat", "15", "37"],
]

NAMES = ["geoadd", "geopos", "geodist", "geohash", "geosearch", "geosearchstore", "georadius",
         "georadius_ro", "georadiusbymember", "georadiusbymember_ro"]


def test_geo_table(pair):
    for cmd in TABLE:
        pair.run(*cmd)


def test_geo_resp3(pair3):
    pair3.run("geoadd", "Sicily", *SICILY)
    for cmd in TABLE:
        if cmd[0] in ("geopos", "geodist", "geosearch", "georadius", "georadius_ro",
                      "georadiusbymember", "geohash", "zrange"):
            pair3.run(*cmd)


def test_geo_command_info(server, reference):
    """Name, arity, flags and key positions as redis-server reports them."""
    ours, theirs = RawConn(server.port), RawConn(reference.port)
    for name in NAMES:
        a = parse(ours.call("COMMAND", "INFO", name))[0][:6]
        b = parse(theirs.call("COMMAND", "INFO", name))[0][:6]
        assert a == b, name


def random_point(rng):
    # Mostly worldwide, some clustered (dense cells), some near the poles and the antimeridian.
    kind = rng.random()
    if kind < 0.6:
        return rng.uniform(-180, 180), rng.uniform(-85.05112878, 85.05112878)
    if kind < 0.8:
        return rng.gauss(2.35, 0.5), rng.gauss(48.85, 0.5)
    if kind < 0.9:
        return rng.uniform(-180, 180), rng.choice([-1, 1]) * rng.uniform(75, 85.05)
    return rng.choice([-1, 1]) * rng.uniform(175, 180), rng.uniform(-60, 60)


def clamp_point(lon, lat):
    return max(-180.0, min(180.0, lon)), max(-85.05112878, min(85.05112878, lat))


def random_origin(rng, members):
    if rng.random() < 0.4:
        return ["frommember", rng.choice(members)]
    lon, lat = clamp_point(*random_point(rng))
    return ["fromlonlat", repr(lon), repr(lat)]


def random_size(rng):
    return repr(round(10 ** rng.uniform(0, 4.5), rng.choice([0, 3])))


def random_shape(rng):
    unit = rng.choice(["m", "km", "km", "mi", "ft"])
    if rng.random() < 0.5:
        return ["byradius", random_size(rng), unit]
    return ["bybox", random_size(rng), random_size(rng), unit]


def random_options(rng, store):
    opts = []
    if rng.random() < 0.6:
        opts.append(rng.choice(["asc", "desc"]))
    if rng.random() < 0.4:
        opts += ["count", str(rng.randint(1, 20))]
        if rng.random() < 0.4:
            opts.append("any")
    if not store:
        for o in ("withcoord", "withdist", "withhash"):
            if rng.random() < 0.4:
                opts.append(o)
    rng.shuffle(opts) if "any" not in opts and "count" not in opts else None
    return opts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_geo_random(pair, seed):
    rng = random.Random(seed)
    members = []
    for batch in range(10):
        args = []
        for _ in range(60):
            lon, lat = clamp_point(*random_point(rng))
            name = f"m{len(members)}"
            members.append(name)
            args += [repr(lon), repr(lat), name]
        pair.run("geoadd", "pts", *args)
    for i in range(250):
        kind = rng.random()
        if kind < 0.35:
            pair.run("geosearch", "pts", *random_origin(rng, members), *random_shape(rng),
                     *random_options(rng, False))
        elif kind < 0.5:
            pair.run("geosearchstore", "dst", "pts", *random_origin(rng, members),
                     *random_shape(rng), *random_options(rng, True),
                     *(["storedist"] if rng.random() < 0.5 else []))
            pair.run("zrange", "dst", "0", "-1", "withscores")
        elif kind < 0.65:
            lon, lat = clamp_point(*random_point(rng))
            shape = random_shape(rng)
            radius = shape[1:] if shape[0] == "byradius" else shape[2:]
            store = []
            if rng.random() < 0.3:
                store = [rng.choice(["store", "storedist"]), "dst2"]
            pair.run("georadius", "pts", repr(lon), repr(lat), *radius,
                     *random_options(rng, bool(store)), *store)
            if store:
                pair.run("zrange", "dst2", "0", "-1", "withscores")
        elif kind < 0.75:
            shape = random_shape(rng)
            radius = shape[1:] if shape[0] == "byradius" else shape[2:]
            pair.run(rng.choice(["georadiusbymember", "georadiusbymember_ro"]), "pts",
                     rng.choice(members), *radius, *random_options(rng, False))
        elif kind < 0.85:
            pair.run("geodist", "pts", rng.choice(members), rng.choice(members),
                     rng.choice(["m", "km", "mi", "ft"]))
        elif kind < 0.95:
            pair.run("geopos", "pts", *rng.sample(members, 5), "missing")
            pair.run("geohash", "pts", *rng.sample(members, 5), "missing")
        else:
            pair.run("geoadd", "pts", rng.choice(["ch", "xx", "nx"]), "1", "2",
                     rng.choice(members), "3", "4", f"new{i}")


def test_geo_equal_distances(pair):
    """Members at the same spot tie on distance: COUNT's partial sort and the full sort must
    leave them in redis-server's order (scan order for the full sort)."""
    rng = random.Random(7)
    args = []
    for i in range(120):
        lon, lat = rng.choice([(2.35, 48.85), (2.36, 48.86), (2.30, 48.80)])
        args += [repr(lon), repr(lat), f"p{rng.randint(0, 10**6)}"]
    pair.run("geoadd", "same", *args)
    for count in (1, 5, 10, 41, 60, 100, 119, 200):
        for order in ("asc", "desc"):
            pair.run("geosearch", "same", "fromlonlat", "2.351", "48.851", "byradius", "50", "km",
                     order, "count", str(count), "withdist")
            pair.run("georadius", "same", "2.351", "48.851", "50", "km", order, "count", str(count),
                     "store", "dst")
            pair.run("zrange", "dst", "0", "-1")
    pair.run("geosearch", "same", "fromlonlat", "2.351", "48.851", "byradius", "50", "km", "asc")
