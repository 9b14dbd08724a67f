"""LCS (Redis 7.0): the string, LEN, IDX ranges with MINMATCHLEN/WITHMATCHLEN in RESP2 and RESP3,
and its errors."""
import pytest
import redis


@pytest.fixture
def pair(r):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    return r


def test_lcs_string_and_len(pair):
    r = pair
    assert r.execute_command("LCS", "key1", "key2") == "mytext"
    assert r.execute_command("LCS", "key1", "key2", "LEN") == 6
    assert r.execute_command("LCS", "key1", "missing") == ""
    r.set("n", 12345)
    r.set("m", "2x34")
    assert r.execute_command("LCS", "n", "m") == "234"


def test_lcs_idx_resp2(pair):
    r = pair
    assert r.execute_command("LCS", "key1", "key2", "IDX") == [
        "matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]
    assert r.execute_command("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4",
                             "WITHMATCHLEN") == ["matches", [[[4, 7], [5, 8], 4]], "len", 6]
    assert r.execute_command("LCS", "key1", "missing", "IDX") == ["matches", [], "len", 0]


def test_lcs_idx_resp3(server, pair):
    r3 = redis.Redis(port=server.port, protocol=3, decode_responses=True)
    try:
        reply = r3.execute_command("LCS", "key1", "key2", "IDX", "WITHMATCHLEN")
        assert reply == {"matches": [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len": 6}
    finally:
        r3.close()


def test_lcs_errors(pair):
    r = pair
    with pytest.raises(redis.ResponseError, match="please just use IDX"):
        r.execute_command("LCS", "key1", "key2", "IDX", "LEN")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("LCS", "key1", "key2", "FOO")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("LCS", "key1", "key2", "MINMATCHLEN")
    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        r.execute_command("LCS", "key1", "key2", "MINMATCHLEN", "x")
    r.rpush("l", "a")
    # Redis 7.0 replies a plain ERR here (not WRONGTYPE), before parsing the options.
    with pytest.raises(redis.ResponseError,
                       match="^The specified keys must contain string values$"):
        r.execute_command("LCS", "l", "key1", "FOO")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        r.execute_command("LCS", "key1")
    r.set("big1", "x" * 12000)
    r.set("big2", "y" * 12000)  # a 576 MB table: refused before allocating
    with pytest.raises(redis.ResponseError, match="transient memory for LCS exceeds"):
        r.execute_command("LCS", "big1", "big2", "LEN")
