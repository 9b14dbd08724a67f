"""SORT and SORT_RO through redis-py: numeric/ALPHA order, BY (keys, hash fields, nosort), LIMIT,
GET, STORE and Redis 7.0's errors."""
import pytest
import redis


@pytest.fixture
def data(r):
    r.rpush("l", 3, 1, 2, 10)
    r.mset({"w_1": 30, "w_2": 20, "w_3": 10, "w_10": 5})
    r.hset("h_1", "f", "a")
    r.hset("hw_1", "f", 9)
    r.hset("hw_2", "f", 1)
    r.hset("hw_3", "f", 5)
    r.hset("hw_10", "f", 7)
    return r


def test_sort_numeric_alpha_limit(data):
    r = data
    assert r.sort("l") == ["1", "2", "3", "10"]
    assert r.sort("l", desc=True, start=1, num=2) == ["3", "2"]
    assert r.sort("l", alpha=True) == ["1", "10", "2", "3"]
    assert r.execute_command("SORT", "l", "LIMIT", "-5", "2") == ["1", "2"]
    assert r.execute_command("SORT", "l", "LIMIT", "1", "-1") == ["2", "3", "10"]
    assert r.execute_command("SORT_RO", "l", "DESC") == ["10", "3", "2", "1"]
    assert r.sort("missing") == []
    r.rpush("f", "1.5", "-inf", "1e3", "0x10")
    assert r.sort("f") == ["-inf", "1.5", "0x10", "1e3"]


def test_sort_by_and_get(data):
    r = data
    assert r.sort("l", by="w_*") == ["10", "3", "2", "1"]
    assert r.sort("l", by="w_*", get=["#", "h_*->f", "missing_*"]) == [
        "10", None, None, "3", None, None, "2", None, None, "1", "a", None]
    assert r.sort("l", by="w_*->f") == ["1", "10", "2", "3"]  # all missing: element order
    assert r.sort("l", by="hw_*->f") == ["2", "3", "10", "1"]
    assert r.sort("l", by="w_*", alpha=True, desc=True) == ["10", "1", "2", "3"]
    assert r.sort("l", by="nosort") == ["3", "1", "2", "10"]
    assert r.sort("l", by="nosort", desc=True, start=1, num=2) == ["2", "1"]
    assert r.sort("l", by="nosort", get="w_*") == ["10", "30", "20", "5"]
    r.zadd("z", {"a": 3, "b": 1, "c": 2})
    assert r.sort("z", by="nosort") == ["b", "c", "a"]
    assert r.sort("z", by="nosort", desc=True, start=1, num=1) == ["c"]
    assert r.sort("z", alpha=True, desc=True) == ["c", "b", "a"]
    assert r.object("encoding", "z") == "skiplist"  # SORT converts sorted sets in Redis 7.0
    r.sadd("s", 5, 3, 9)
    assert r.sort("s") == ["3", "5", "9"]


def test_sort_store(data):
    r = data
    assert r.sort("l", by="w_*", store="dst") == 4
    assert r.lrange("dst", 0, -1) == ["10", "3", "2", "1"]
    assert r.sort("l", get="h_*->f", store="dst2") == 4
    assert r.lrange("dst2", 0, -1) == ["a", "", "", ""]
    r.sadd("s", 5, 3, 9)
    assert r.sort("s", by="nosort", store="dst3") == 3
    assert r.lrange("dst3", 0, -1) == ["3", "5", "9"]
    r.expire("dst", 100)
    assert r.sort("l", store="dst") == 4
    assert r.ttl("dst") == -1
    assert r.sort("missing", store="dst") == 0
    assert r.exists("dst") == 0


def test_sort_errors(data):
    r = data
    r.rpush("bad", 1, "x")
    r.rpush("trailing", "3 ")
    for key in ("bad", "trailing"):
        with pytest.raises(redis.ResponseError, match="One or more scores can't be converted"):
            r.sort(key)
    with pytest.raises(redis.ResponseError, match="One or more scores can't be converted"):
        r.sort("bad", store="dst")
    assert r.exists("dst") == 0
    assert r.sort("bad", alpha=True) == ["1", "x"]
    for args in (("l", "LIMIT", "0"), ("l", "GET"), ("l", "STORE"), ("l", "FOO")):
        with pytest.raises(redis.ResponseError, match="syntax error"):
            r.execute_command("SORT", *args)
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("SORT_RO", "l", "STORE", "x")
    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        r.execute_command("SORT", "l", "LIMIT", "a", "1")
    for key in ("w_1", "h_1"):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            r.sort(key)


def test_sort_command_info(r):
    info = r.execute_command("COMMAND", "INFO", "sort", "sort_ro")
    for name, flags in (("sort", {"write", "denyoom"}), ("sort_ro", {"readonly"})):
        cmd = info[name]
        assert cmd["arity"] == -2 and flags <= set(cmd["flags"])
        assert (cmd["first_key_pos"], cmd["last_key_pos"], cmd["step_count"]) == (1, 1, 1)
