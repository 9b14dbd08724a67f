"""DUMP and RESTORE through redis-py: payload format, every type, TTL options, and Redis' errors."""
import struct
import time

import pytest
import redis


@pytest.fixture
def rb(server):
    """A client that keeps replies as bytes: DUMP payloads are binary."""
    c = redis.Redis(port=server.port, password=server.password)
    yield c
    c.close()


def crc64_jones(data, crc=0):
    """Redis' CRC64 (Jones polynomial, reflected, init 0)."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def with_version(payload, version):
    body = payload[:-10] + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64_jones(body))


def payload_of(body):
    """A payload around an arbitrary value body, with a correct footer (RDB 10, CRC64)."""
    data = body + struct.pack("<H", 10)
    return data + struct.pack("<Q", crc64_jones(data))


def value_of(r, key):
    t = r.type(key)
    if t == b"string":
        return r.get(key)
    if t == b"list":
        return r.lrange(key, 0, -1)
    if t == b"set":
        return sorted(r.smembers(key))
    if t == b"zset":
        return r.zrange(key, 0, -1, withscores=True)
    if t == b"hash":
        return sorted(r.hgetall(key).items())
    return None


def test_dump_crc64_is_redis_jones():
    assert crc64_jones(b"123456789") == 0xE9C6D914C4B8D9CA


def test_dump_string_payload_bytes(rb):
    rb.set("s", "hello")
    body = b"\x00\x05hello\x0a\x00"
    assert rb.dump("s") == body + struct.pack("<Q", crc64_jones(body))
    rb.set("i", "10")
    assert rb.dump("i")[:2] == b"\x00\xc0"
    assert rb.dump("missing") is None


def test_dump_restore_every_type_and_encoding(rb):
    rb.set("str:int", 12345)
    rb.set("str:emb", "hello world")
    rb.set("str:raw", "r" * 300)
    rb.set("str:bin", b"a\x00b\xff")
    rb.rpush("list:small", "a", "1", "")
    rb.rpush("list:large", *[f"e{i}" for i in range(1000)])
    rb.sadd("set:intset", 1, -5, 2**62)
    rb.sadd("set:table", *[f"m{i}" for i in range(600)])
    rb.zadd("zset:small", {"a": 1.5, "b": float("-inf"), "c": 0.1})
    rb.zadd("zset:large", {f"m{i}": i / 7 for i in range(300)})
    rb.hset("hash:small", mapping={"f": "v", "n": "123"})
    rb.hset("hash:large", mapping={f"f{i}": f"v{i}" for i in range(600)})
    for key in [k.decode() for k in rb.keys("*")]:
        payload = rb.dump(key)
        assert rb.restore("copy:" + key, 0, payload)
        assert value_of(rb, "copy:" + key) == value_of(rb, key), key
        assert rb.object("encoding", "copy:" + key) == rb.object("encoding", key), key
        assert rb.ttl("copy:" + key) == -1


def test_dump_restore_busykey_and_replace(rb):
    rb.set("a", "1")
    rb.rpush("b", "x")
    payload = rb.dump("a")
    with pytest.raises(redis.ResponseError, match="^BUSYKEY Target key name already exists.$"):
        rb.restore("b", 0, payload)
    assert rb.restore("b", 0, payload, replace=True)
    assert rb.get("b") == b"1"


def test_dump_restore_ttl_and_absttl(rb):
    rb.set("a", "1")
    payload = rb.dump("a")
    assert rb.restore("rel", 5000, payload)
    assert 0 < rb.pttl("rel") <= 5000
    at = int(time.time() * 1000) + 60000
    assert rb.restore("abs", at, payload, absttl=True)
    assert rb.pexpiretime("abs") == at
    # Already expired: OK, and no key (REPLACE still removes the old one).
    assert rb.restore("past", 1000, payload, absttl=True)
    assert rb.exists("past") == 0
    assert rb.restore("a", 1000, payload, absttl=True, replace=True)
    assert rb.exists("a") == 0


def test_dump_restore_idletime_and_freq(rb):
    rb.set("a", "1")
    payload = rb.dump("a")
    assert rb.restore("idle", 0, payload, idletime=1000)
    assert rb.object("idletime", "idle") >= 1000
    rb.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        assert rb.restore("freq", 0, payload, frequency=100)
        assert rb.object("freq", "freq") == 100
    finally:
        rb.config_set("maxmemory-policy", "noeviction")


def test_dump_restore_errors(rb):
    rb.set("a", "1")
    payload = rb.dump("a")

    def err(*args):
        with pytest.raises(redis.ResponseError) as e:
            rb.execute_command("RESTORE", *args)
        return str(e.value)

    assert err("k", "-1", payload) == "Invalid TTL value, must be >= 0"
    assert err("k", "x", payload) == "value is not an integer or out of range"
    assert err("k", "0", payload, "BOGUS") == "syntax error"
    assert err("k", "0", payload, "IDLETIME") == "syntax error"
    assert err("k", "0", payload, "IDLETIME", "1", "FREQ", "1") == "syntax error"
    assert err("k", "0", payload, "IDLETIME", "-1") == "Invalid IDLETIME value, must be >= 0"
    assert err("k", "0", payload, "FREQ", "256") == "Invalid FREQ value, must be >= 0 and <= 255"
    assert err("a", "x", b"junk") == "BUSYKEY Target key name already exists."
    wrong = "DUMP payload version or checksum are wrong"
    assert err("k", "0", b"junk") == wrong
    assert err("k", "0", b"") == wrong
    assert err("k", "0", payload[:-1] + bytes([payload[-1] ^ 1])) == wrong
    assert err("k", "0", with_version(payload, 11)) == wrong
    assert rb.restore("v9", 0, with_version(payload, 9))  # older versions are accepted
    bad = "Bad data format"
    assert err("k", "0", payload_of(b"")) == bad
    assert err("k", "0", payload_of(b"\x2a")) == bad  # unknown type
    assert err("k", "0", payload_of(b"\x00\x3fhel")) == bad  # truncated string
    assert err("k", "0", payload_of(b"\x01\x00")) == bad  # empty list
    assert rb.exists("k") == 0
    # Redis reads the value from the whole payload: a string may run into the footer's bytes.
    assert rb.restore("tail", 0, payload_of(b"\x00\x05hel"))
    assert rb.strlen("tail") == 5
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'restore'"):
        rb.execute_command("RESTORE", "k", "0")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'dump'"):
        rb.execute_command("DUMP")
