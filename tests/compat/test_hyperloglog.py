"""HyperLogLog in Redis 7.0's own format: the same PFADDs give the same bytes as redis-server
(digests taken from redis-server 7.0.15), values copied from Redis count the same, and corrupt
values are refused with Redis' errors."""
import hashlib

import pytest
import redis

HEADER_INVALID = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"


@pytest.fixture
def rb(server):
    c = redis.Redis(port=server.port, password=server.password)
    yield c
    c.close()


def digest(v):
    return hashlib.sha256(v).hexdigest()


def test_hll_bytes_like_redis(rb):
    assert rb.pfadd("empty") == 1
    assert rb.get("empty") == HEADER_INVALID + b"\x7f\xff"
    assert rb.pfadd("a", "x", "y", "z") == 1
    regs = b"a\x84\x80X\xcd\x88E\xa0\x84\x08"
    assert rb.get("a") == HEADER_INVALID + regs
    assert rb.pfcount("a") == 3
    assert rb.get("a") == b"HYLL\x01\x00\x00\x00\x03" + b"\x00" * 7 + regs  # cache written back
    assert rb.object("encoding", "a") == b"raw"
    expected = {
        100: ("8176ff593bf4a6206392e83b04f3ffa2c2ab074604da93b0e2b9400549fa5744", 99,
              "7b1c93e7f0e1b98470ed7378c743bdabdf5a36120d07c9835b380c98dae9f217"),
        2000: ("e37ee7a7b10079796d1eb7ae984f37247f957e738fc412d246e683b24d68586e", 2006,
               "55f951a9ff13deb203a0c21b18309749bdad661ea1734c6d4e1b6250f53f0bce"),
        10000: ("b0e6163ad38b7b66bdc74e88af486c8860c48265a75b2713b05d9121f4f8f099", 10083,
                "d1cce7dfa12f0a3f116ffb78c163daf1d9620a1bffe05897ed7b2dc198332a98"),
    }
    for n, (before, count, after) in expected.items():
        key = f"h{n}"
        rb.pfadd(key, *[f"item:{i}" for i in range(n)])
        assert digest(rb.get(key)) == before, n
        assert rb.pfcount(key) == count
        assert digest(rb.get(key)) == after, n
    assert len(rb.get("h100")) == 277 and rb.get("h100")[4] == 1  # sparse keeps small keys small
    assert len(rb.get("h2000")) == 12304 and rb.get("h2000")[4] == 0
    assert rb.pfcount("h100", "h2000", "h10000") == 10083


def test_hll_merge_encodings(rb):
    rb.pfadd("s1", "a", "b")
    rb.pfadd("s2", "c")
    assert rb.pfmerge("m", "s1", "s2")
    assert rb.get("m")[4] == 1  # all sparse: the result stays sparse
    assert rb.pfcount("m") == 3
    rb.pfadd("d", *[f"item:{i}" for i in range(2000)])
    assert rb.pfmerge("m", "d")
    assert rb.get("m")[4] == 0
    rb.pfadd("h100", *[f"item:{i}" for i in range(100)])
    assert rb.pfmerge("m2", "h100", "d")
    assert digest(rb.get("m2")) == (
        "e37ee7a7b10079796d1eb7ae984f37247f957e738fc412d246e683b24d68586e")


def test_hll_value_copied_from_redis_counts(rb):
    # GET bytes of a Redis HLL (the 'a' value above with its cache written) restored with SET.
    v = b"HYLL\x01\x00\x00\x00\x03" + b"\x00" * 7 + b"a\x84\x80X\xcd\x88E\xa0\x84\x08"
    rb.set("copy", v)
    assert rb.pfcount("copy") == 3
    rb.set("copy2", v[:15] + b"\x80" + v[16:])  # cache invalid: recomputed from the registers
    assert rb.pfcount("copy2") == 3
    assert rb.pfadd("copy2", "x", "y") == 0
    assert rb.pfadd("copy2", "w") == 1
    assert rb.pfcount("copy2") == 4


def test_hll_sparse_max_bytes(rb):
    assert rb.config_get("hll-sparse-max-bytes") == {"hll-sparse-max-bytes": "3000"}
    rb.config_set("hll-sparse-max-bytes", 40)
    rb.pfadd("p", *[f"e{i}" for i in range(20)])
    assert rb.get("p")[4] == 0
    assert rb.pfcount("p") == 20


def test_hll_errors(rb):
    rb.set("s", "not an hll")
    for cmd in (("PFADD", "s", "a"), ("PFCOUNT", "s"), ("PFMERGE", "d", "s")):
        with pytest.raises(redis.ResponseError, match="not a valid HyperLogLog string value"):
            rb.execute_command(*cmd)
    rb.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE Operation against a key"):
        rb.pfcount("l")
    rb.set("dense_short", b"HYLL\x00" + b"\x00" * 20)
    with pytest.raises(redis.ResponseError, match="not a valid HyperLogLog"):
        rb.pfcount("dense_short")
    rb.set("short", HEADER_INVALID + b"\x7f\xfe")  # covers 16383 registers
    rb.set("long", HEADER_INVALID + b"\x7f\xff\x00")  # 16385
    for key in ("short", "long"):
        with pytest.raises(redis.ResponseError, match="INVALIDOBJ Corrupted HLL object detected"):
            rb.pfcount(key)
        with pytest.raises(redis.ResponseError, match="INVALIDOBJ Corrupted HLL object detected"):
            rb.pfcount(key, "h")
        with pytest.raises(redis.ResponseError, match="INVALIDOBJ Corrupted HLL object detected"):
            rb.pfmerge("dst", key)
    rb.set("none", HEADER_INVALID)  # no opcodes at all
    with pytest.raises(redis.ResponseError, match="INVALIDOBJ Corrupted HLL object detected"):
        rb.pfadd("none", "a")
    assert rb.exists("dst") == 0
