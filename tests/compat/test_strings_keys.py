"""Strings, bitmaps, keys and expiry through redis-py."""
import time

import pytest
import redis


def test_set_get_with_options(r):
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True) is True
    assert r.set("k", "x", get=True) == "w"
    assert r.set("n", "1", ex=100) and 0 < r.ttl("n") <= 100
    assert r.set("n", "2", keepttl=True) and r.ttl("n") > 0
    assert r.set("p", "1", px=5000) and 0 < r.pttl("p") <= 5000
    assert r.set("a", "1", exat=int(time.time()) + 50) and 0 < r.ttl("a") <= 50
    assert r.set("b", "1", pxat=int(time.time() * 1000) + 50000) and r.ttl("b") > 0
    assert r.get("missing") is None


def test_counters_and_errors(r):
    assert r.incr("c") == 1
    assert r.incrby("c", 10) == 11
    assert r.decr("c") == 10
    assert r.decrby("c", 5) == 5
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.incrbyfloat("f", "2.25") == 3.75
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        r.incr("s")
    r.set("big", str(2**63 - 1))
    with pytest.raises(redis.ResponseError, match="increment or decrement would overflow"):
        r.incr("big")
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        r.incrbyfloat("s", 1)


def test_string_ops(r):
    assert r.append("s", "hello") == 5
    assert r.append("s", " world") == 11
    assert r.strlen("s") == 11
    assert r.getrange("s", 0, 4) == "hello"
    assert r.getrange("s", -5, -1) == "world"
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == "hello Redis"
    assert r.setrange("z", 3, "x") == 4 and r.get("z") == "\x00\x00\x00x"
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "nope") == ["1", "2", None]
    assert r.msetnx({"a": "9", "c": "3"}) is False and r.get("c") is None
    assert r.getset("a", "10") == "1"
    assert r.getdel("a") == "10" and r.exists("a") == 0
    assert r.getex("b", ex=100) == "2" and r.ttl("b") > 0
    assert r.getex("b", persist=True) == "2" and r.ttl("b") == -1
    assert r.setnx("b", "x") is False
    assert r.setex("e", 10, "v") and r.ttl("e") > 0
    assert r.psetex("e2", 10000, "v") and r.pttl("e2") > 0


def test_bitmaps(r):
    assert r.setbit("bm", 7, 1) == 0
    assert r.getbit("bm", 7) == 1
    assert r.get("bm") == "\x01"
    r.set("bc", "foobar")
    assert r.bitcount("bc") == 26
    assert r.bitcount("bc", 1, 1) == 6
    assert r.bitpos("bc", 1) == 1
    r.set("x1", b"\xff")
    r.set("x2", b"\x0f")
    assert r.bitop("AND", "dest", "x1", "x2") == 1
    assert r.getbit("dest", 7) == 1 and r.getbit("dest", 0) == 0


def test_keys_family(r):
    r.mset({"user:1": "a", "user:2": "b", "other": "c"})
    assert sorted(r.keys("user:*")) == ["user:1", "user:2"]
    assert r.exists("user:1", "user:2", "nope") == 2
    assert r.type("user:1") == "string" and r.type("nope") == "none"
    assert r.rename("other", "renamed") and r.get("renamed") == "c"
    assert r.renamenx("renamed", "user:1") is False
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.rename("nope", "x")
    assert r.copy("user:1", "copy") and r.get("copy") == "a"
    assert r.dbsize() == 4
    assert r.randomkey() in {"user:1", "user:2", "renamed", "copy"}
    assert r.touch("user:1", "nope") == 1
    assert r.delete("user:1", "nope") == 1
    assert r.unlink("user:2") == 1
    assert r.object("encoding", "copy") == "embstr"
    r.set("num", "12345")
    assert r.object("encoding", "num") == "int"
    assert r.memory_usage("copy") > 0
    r.flushdb()
    assert r.dbsize() == 0


def test_scan_visits_every_key_once(r):
    r.mset({f"k{i}": i for i in range(1000)})
    r.hset("h", "f", "v")
    seen = list(r.scan_iter(match="k*", count=50))
    assert len(seen) == len(set(seen)) == 1000
    assert list(r.scan_iter(_type="hash")) == ["h"]


def test_expire_variants(r):
    r.set("k", "v")
    assert r.expire("k", 100) is True
    assert r.expire("k", 50, gt=True) is False
    assert r.expire("k", 200, gt=True) is True
    assert r.expire("k", 300, lt=True) is False
    assert r.expire("k", 10, xx=True) is True
    assert r.expire("k", 10, nx=True) is False
    assert r.persist("k") is True and r.ttl("k") == -1
    assert r.ttl("missing") == -2
    assert r.pexpire("k", 100000) and r.pttl("k") > 0
    assert r.expireat("k", int(time.time()) + 100) and r.expiretime("k") > time.time()
    assert r.pexpireat("k", int(time.time() * 1000) + 100000) and r.pexpiretime("k") > 0


def test_expiry_accuracy(r):
    r.set("short", "v", px=200)
    assert r.get("short") == "v"
    time.sleep(0.3)
    assert r.get("short") is None  # lazy expiry on access
    for i in range(200):
        r.set(f"a{i}", "v", px=100)
    time.sleep(1.5)
    # Active expiry removes keys nobody touches.
    assert r.dbsize() == 0
    assert int(r.info("stats")["expired_keys"]) >= 201


def test_select_isolates_databases(server):
    c0, c1 = server.client(db=0), server.client(db=1)
    c0.set("k", "zero")
    c1.set("k", "one")
    assert c0.get("k") == "zero" and c1.get("k") == "one"
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        server.client(db=16).ping()


def test_wrong_type_and_arity_errors(r):
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE Operation against a key holding"):
        r.get("l")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'get' command"):
        r.execute_command("GET")
    with pytest.raises(redis.ResponseError,
                       match="unknown command 'NOSUCHCMD', with args beginning with: 'a' "):
        r.execute_command("NOSUCHCMD", "a")
    assert r.ping() is True  # connection still usable


def test_big_value_round_trip(r):
    big = "x" * (20 * 1024 * 1024)
    assert r.set("big", big)
    assert r.strlen("big") == len(big)
    assert r.get("big") == big
