"""Hashes, lists, sets, sorted sets and HyperLogLog through redis-py."""
import pytest
import redis

from compat_server import raw_command


def test_hashes(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hget("h", "a") == "1"
    assert r.hgetall("h") == {"a": "1", "b": "2"}
    assert r.hmget("h", "a", "x") == ["1", None]
    assert r.hsetnx("h", "a", "9") == 0
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrbyfloat("h", "f", 1.5) == 1.5
    assert sorted(r.hkeys("h")) == ["a", "b", "f", "n"]
    assert r.hlen("h") == 4
    assert r.hexists("h", "a") and not r.hexists("h", "zz")
    assert r.hstrlen("h", "a") == 1
    assert r.hdel("h", "a", "zz") == 1
    assert r.hrandfield("h") in {"b", "f", "n"}
    assert r.object("encoding", "h") == "listpack"
    r.hset("big", mapping={f"f{i}": i for i in range(600)})  # above hash-max-listpack-entries
    assert r.object("encoding", "big") == "hashtable"
    cursor, seen = 0, {}
    while True:
        cursor, part = r.hscan("big", cursor, count=20)
        seen.update(part)
        if cursor == 0:
            break
    assert len(seen) == 600


def test_lists(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c"]
    assert r.lindex("l", -1) == "c"
    assert r.linsert("l", "before", "b", "x") == 5
    assert r.lpos("l", "b") == 3
    assert r.lset("l", 0, "y")
    assert r.lrem("l", 1, "x") == 1
    assert r.ltrim("l", 0, 2)
    assert r.lrange("l", 0, -1) == ["y", "a", "b"]
    assert r.lpop("l") == "y" and r.rpop("l") == "b"
    assert r.lmove("l", "l2", "LEFT", "RIGHT") == "a"
    assert r.llen("l") == 0 and r.exists("l") == 0
    r.rpush("m", *range(5))
    assert r.lpop("m", 2) == ["0", "1"]
    assert r.lmpop(2, "nope", "m", direction="RIGHT", count=2) == ["m", ["4", "3"]]
    assert r.rpoplpush("m", "m2") == "2"
    assert r.lpushx("nope", "a") == 0


def test_sets(r):
    assert r.sadd("s", "a", "b", "c") == 3
    assert r.sadd("s", "a") == 0
    assert r.scard("s") == 3 and r.sismember("s", "a")
    assert r.smismember("s", "a", "x") == [1, 0]
    r.sadd("t", "b", "c", "d")
    assert r.sinter("s", "t") == {"b", "c"}
    assert r.sunion("s", "t") == {"a", "b", "c", "d"}
    assert r.sdiff("s", "t") == {"a"}
    assert r.sintercard(2, ["s", "t"]) == 2
    assert r.sinterstore("st", "s", "t") == 2
    assert r.smove("s", "t", "a") is True
    assert r.srem("s", "b") == 1
    assert r.spop("s") == "c" and r.exists("s") == 0
    r.sadd("ints", *range(10))
    assert r.object("encoding", "ints") == "intset"
    r.sadd("ints", "x")
    assert r.object("encoding", "ints") in ("listpack", "hashtable")  # 7.2 / 7.0 names
    assert len(r.srandmember("ints", 3)) == 3
    assert len(r.srandmember("ints", -20)) == 20


def test_sorted_sets(r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 5}, nx=True) == 0
    assert r.zadd("z", {"a": 0.5}, xx=True, ch=True) == 1
    assert r.zadd("z", {"a": 10}, gt=True, ch=True) == 1
    assert r.zadd("z", {"a": 1}, lt=True, ch=True) == 1
    assert r.zincrby("z", 2.5, "b") == 4.5
    assert r.zscore("z", "b") == 4.5
    assert r.zrange("z", 0, -1, withscores=True) == [("a", 1.0), ("c", 3.0), ("b", 4.5)]
    assert r.zrange("z", 0, -1, desc=True) == ["b", "c", "a"]
    assert r.zrangebyscore("z", 2, "+inf") == ["c", "b"]
    assert r.zrange("z", "(1", 4, byscore=True) == ["c"]
    assert r.zrange("z", 0, 0, byscore=False, offset=None) == ["a"]
    assert r.zrank("z", "c") == 1 and r.zrevrank("z", "c") == 1
    assert r.zcount("z", "-inf", "+inf") == 3
    assert r.zrangestore("dst", "z", 0, 1) == 2
    r.zadd("lex", {"a": 0, "b": 0, "c": 0, "d": 0})
    assert r.zrangebylex("lex", "[b", "(d") == ["b", "c"]
    assert r.zlexcount("lex", "-", "+") == 4
    assert r.zpopmin("z") == [("a", 1.0)]
    assert r.zpopmax("z") == [("b", 4.5)]
    r.zadd("z1", {"a": 1, "b": 2})
    r.zadd("z2", {"b": 3, "c": 4})
    assert r.zunionstore("u", ["z1", "z2"]) == 3 and r.zscore("u", "b") == 5
    assert r.zinterstore("i", {"z1": 2, "z2": 1}, aggregate="MAX") == 1 and r.zscore("i", "b") == 4
    assert r.zdiffstore("d", ["z1", "z2"]) == 1
    assert r.zunion(["z1", "z2"], withscores=True)[-1] == ("b", 5.0)
    assert r.zrandmember("z1") in {"a", "b"}
    assert r.zmscore("z1", ["a", "x"]) == [1.0, None]
    assert r.zrem("z1", "a") == 1
    assert r.zremrangebyscore("u", 0, 1) == 1
    r.zadd("many", {f"m{i}": i for i in range(300)})
    assert r.object("encoding", "many") == "skiplist"
    assert r.zcard("many") == 300
    assert len(list(r.zscan_iter("many"))) == 300


def test_hyperloglog(r):
    assert r.pfadd("hll", *[f"e{i}" for i in range(1000)]) == 1
    assert abs(r.pfcount("hll") - 1000) < 30
    r.pfadd("hll2", *[f"e{i}" for i in range(500, 1500)])
    assert r.pfmerge("m", "hll", "hll2")
    assert abs(r.pfcount("m") - 1500) < 45
    assert abs(r.pfcount("hll", "hll2") - 1500) < 45


def test_float_scores_format_like_redis(server, r):
    r.zadd("f", {"a": 1.1, "b": 3})
    assert raw_command(server.port, "ZSCORE", "f", "b") == b"$1\r\n3\r\n"
    assert raw_command(server.port, "ZSCORE", "f", "a") == b"$18\r\n1.1000000000000001\r\n"
    r.zadd("f", {"i": float("inf")})
    assert raw_command(server.port, "ZSCORE", "f", "i") == b"$3\r\ninf\r\n"
