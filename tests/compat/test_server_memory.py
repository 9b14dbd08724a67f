"""INFO, CONFIG, maxmemory and every eviction policy, and refused server-wide commands."""
import time

import pytest
import redis

from compat_server import miniredis_only, raw_command

POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
            "volatile-random", "volatile-ttl"]


def test_info_sections_in_redis_format(r):
    r.set("a", 1)
    r.get("a")
    r.get("missing")
    info = r.info()
    for field in ("redis_version", "used_memory", "connected_clients", "keyspace_hits",
                  "keyspace_misses", "total_commands_processed"):
        assert field in info, field
    assert info["db0"]["keys"] == 1
    assert r.info("memory")["used_memory"] > 0
    assert "rdb_changes_since_last_save" in r.info("persistence")


def test_noeviction_answers_oom(r):
    r.config_set("maxmemory", "2mb")
    r.config_set("maxmemory-policy", "noeviction")
    with pytest.raises(redis.OutOfMemoryError,
                       match="^command not allowed when used memory > 'maxmemory'.$"):
        for i in range(100000):
            r.set(f"key:{i}", "x" * 100)
    assert r.get("key:0") == "x" * 100  # reads still work
    assert r.delete("key:0") == 1  # deletes are allowed


@pytest.mark.parametrize("policy", POLICIES)
def test_eviction_policy_keeps_memory_under_limit(r, policy):
    r.config_set("maxmemory-policy", policy)
    # 2 MB: well under what 30,000 keys take even at MiniRedis' ~130 B each (4 MB, the old
    # limit, was within one hash-table resize of fitting them all, so eviction sometimes never ran).
    r.config_set("maxmemory", "2mb")
    for i in range(30000):
        if policy.startswith("volatile"):
            r.set(f"key:{i}", "x" * 100, ex=1000 + i)
        else:
            r.set(f"key:{i}", "x" * 100)
    info = r.info()
    facts = {k: info.get(k) for k in ("used_memory", "evicted_keys", "expired_keys", "db0")}
    assert info["used_memory"] <= 2 * 1024 * 1024 * 1.05, facts
    assert info["evicted_keys"] > 0, facts
    assert 0 < r.dbsize() < 30000
    if policy == "volatile-ttl":
        # Keys with the shortest TTL go first: the newest keys (longest TTL) survive.
        assert r.exists("key:29999") == 1


def test_lru_keeps_recently_used_keys(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory", "3mb")
    r.set("hot", "x" * 100)
    # The LRU clock ticks once a second (as in Redis), and eviction samples a few keys: keys
    # written in the same second as the last touch of "hot" tie with it. Batches a second apart
    # make every earlier key strictly older, on either server, however fast the client runs.
    for batch in range(3):
        if batch:
            time.sleep(1.1)
        for i in range(batch * 10000, (batch + 1) * 10000):
            r.set(f"key:{i}", "x" * 100)
            if i % 50 == 0:
                r.get("hot")
    assert r.exists("hot") == 1


def test_config_get_set(r):
    assert r.config_set("maxmemory-policy", "allkeys-lru")
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    with pytest.raises(redis.ResponseError):
        r.config_set("maxmemory-policy", "sometimes")


def test_time_and_misc(r):
    secs, micros = r.time()
    assert secs > 1_700_000_000
    assert r.echo("hi") == "hi"
    assert r.command_count() > 150
    info = raw_command(r.connection_pool.connection_kwargs["port"], "COMMAND", "INFO", "get")
    assert info.startswith(b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n") and b"readonly" in info


@miniredis_only
@pytest.mark.parametrize("cmd", [["SHUTDOWN"], ["DEBUG", "SLEEP", "0"], ["REPLICAOF", "no", "one"],
                                 ["MODULE", "LIST"], ["MONITOR"]])
def test_server_wide_commands_are_refused(r, cmd):
    with pytest.raises(redis.ResponseError, match="not allowed"):
        r.execute_command(*cmd)
    assert r.ping()
