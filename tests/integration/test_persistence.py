"""Persistence per instance through the real binary: restarts, kill -9, damaged files, snapshots
in Redis' RDB format exchanged with Debian's redis-server, SAVE/BGSAVE/LASTSAVE."""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
import requests

from support import AckedWriter, free_port, nm_api, start_node_manager

PASSWORD = "pw-" + "p" * 20


api = nm_api


def create(p, iid, persistence, **fields):
    body = {"memory_limit_mb": 64, "password": PASSWORD, "persistence": persistence,
            "dedicated_port": False, **fields}
    r = api(p, "PUT", f"/v1/instances/{iid}", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def client(p, iid):
    return redis.Redis(port=int(p.env["REDIS_SHARED_PORT"]), username=iid, password=PASSWORD,
                       decode_responses=True, socket_timeout=10)


def restart(p, sig):
    p.stop(sig)
    p.start(wait_for=["node-manager"])


def stats_of(p, iid):
    for s in api(p, "GET", "/v1/stats").json()["instances"]:
        if s["id"] == iid:
            return s
    raise AssertionError(f"{iid} not in stats")


def instance_dir(p, iid):
    return Path(p.env["DATA_DIR"]) / "instances" / iid


@pytest.mark.parametrize("persistence", ["aof-always", "aof-everysec"])
def test_every_acknowledged_write_survives_kill_9(nm, persistence):
    create(nm, "crashy", persistence)
    c = client(nm, "crashy")
    c.set("plain", "v")
    c.hset("h", mapping={"a": "1", "b": "2"})
    c.expire("h", 1000)
    writer = AckedWriter(client(nm, "crashy")).start()
    time.sleep(0.5)
    nm.proc.send_signal(signal.SIGKILL)  # under load, mid-stream
    acked = writer.stop()
    nm.proc.wait()
    assert len(acked) > 100
    restart(nm, signal.SIGKILL)
    c = client(nm, "crashy")
    got = [int(x) for x in c.lrange("seq", 0, -1)]
    assert got[:len(acked)] == acked  # nothing acknowledged is missing, order kept
    assert len(got) <= len(acked) + 1  # at most the one write in flight at the kill
    assert c.get("plain") == "v" and c.hgetall("h") == {"a": "1", "b": "2"}
    assert 990 < c.ttl("h") <= 1000
    s = stats_of(nm, "crashy")["persistence"]
    assert s["enabled"] and s["restore_problems"] == []


def test_sigterm_snapshots_and_restart_loads_the_snapshot(nm):
    create(nm, "snappy", "snapshot")
    c = client(nm, "snappy")
    c.mset({f"k{i}": str(i) for i in range(1000)})
    c.zadd("z", {"a": 1.5, "b": 2})
    restart(nm, signal.SIGTERM)
    files = os.listdir(instance_dir(nm, "snappy"))
    assert any(f.startswith("dump-") and f.endswith(".rdb") for f in files), files
    assert not any(f.endswith(".aof") for f in files), files
    c = client(nm, "snappy")
    assert c.dbsize() == 1001 and c.get("k999") == "999" and c.zscore("z", "a") == 1.5
    assert stats_of(nm, "snappy")["persistence"]["restored_keys"] == 1001


def test_snapshot_policy_after_kill_9_has_what_the_last_bgsave_had(nm):
    create(nm, "bg", "snapshot")
    c = client(nm, "bg")
    c.set("before", "1")
    before = c.lastsave()
    time.sleep(1.1)
    assert c.bgsave() in (True, "Background saving started")
    deadline = time.time() + 10
    while c.lastsave() == before and time.time() < deadline:
        time.sleep(0.05)
    assert c.lastsave() > before
    c.set("after", "1")  # not in any snapshot: this policy loses it on a crash, by contract
    restart(nm, signal.SIGKILL)
    c = client(nm, "bg")
    assert c.get("before") == "1" and c.get("after") is None


def test_damaged_log_tail_loads_what_is_valid_and_reports_the_rest(nm):
    create(nm, "damaged", "aof-always")
    c = client(nm, "damaged")
    for i in range(10):
        c.set(f"k{i}", i)
    nm.stop(signal.SIGKILL)
    logs = sorted(instance_dir(nm, "damaged").glob("appendonly-*.aof"))
    with open(logs[-1], "r+b") as f:  # cut the last record in half, as a torn write would
        f.seek(0, os.SEEK_END)
        f.truncate(f.tell() - 5)
    nm.start(wait_for=["node-manager"])
    c = client(nm, "damaged")
    assert [c.get(f"k{i}") for i in range(9)] == [str(i) for i in range(9)]
    assert c.get("k9") is None
    problems = stats_of(nm, "damaged")["persistence"]["restore_problems"]
    assert len(problems) == 1 and "dropped" in problems[0] and "appendonly-" in problems[0]
    assert any(".damaged-" in f for f in os.listdir(instance_dir(nm, "damaged")))
    assert any("restored with damage" in line.get("problem", "") for line in nm.log_lines())
    metrics = requests.get(nm.url("node-manager", "/metrics"), timeout=10).text
    assert "miniredis_node_instances_restored_with_damage 1" in metrics
    assert 'miniredis_instance_persistence_errors{instance="damaged"} 0' in metrics
    c.set("k9", "again")  # and it keeps working, durably
    restart(nm, signal.SIGKILL)
    assert client(nm, "damaged").get("k9") == "again"
    assert stats_of(nm, "damaged")["persistence"]["restore_problems"] == []


def test_garbage_in_the_log_never_starts_silently_empty(nm):
    create(nm, "garbled", "aof-everysec")
    c = client(nm, "garbled")
    c.set("kept", "yes")
    nm.stop(signal.SIGKILL)
    log = sorted(instance_dir(nm, "garbled").glob("appendonly-*.aof"))[-1]
    with open(log, "ab") as f:
        f.write(b"\x00\xffnot resp at all\r\n*3\r\n$3\r\nset\r\n")
    nm.start(wait_for=["node-manager"])
    assert client(nm, "garbled").get("kept") == "yes"
    problems = stats_of(nm, "garbled")["persistence"]["restore_problems"]
    assert problems and "not a RESP array" in problems[0]


def test_save_bgsave_lastsave_and_info(nm):
    create(nm, "cmds", "aof-everysec")
    c = client(nm, "cmds")
    c.set("a", "1")
    assert c.save() is True
    assert abs(c.lastsave().timestamp() - time.time()) < 5
    info = c.info("persistence")
    assert info["aof_enabled"] == 1 and info["aof_last_write_status"] == "ok"
    assert info["rdb_changes_since_last_save"] == 0
    assert c.bgrewriteaof() in (True, "Background append only file rewriting started")
    create(nm, "none", "none")
    n = client(nm, "none")
    with pytest.raises(redis.ResponseError, match="persistence disabled"):
        n.save()
    assert n.info("persistence")["aof_enabled"] == 0


def test_switching_persistence_on_a_live_instance(nm):
    create(nm, "switch", "none")
    c = client(nm, "switch")
    c.set("early", "1")
    create(nm, "switch", "aof-always")  # the data so far is snapshotted, then logged
    c.set("late", "2")
    restart(nm, signal.SIGKILL)
    c = client(nm, "switch")
    assert c.get("early") == "1" and c.get("late") == "2"
    create(nm, "switch", "none")
    assert not list(instance_dir(nm, "switch").glob("*.aof"))
    assert not list(instance_dir(nm, "switch").glob("*.rdb"))


def test_log_is_compacted_by_snapshots(platform_factory):
    p = start_node_manager(platform_factory, AOF_REWRITE_MIN_MB="1", NODE_MANAGER_SHARDS="1")
    create(p, "compact", "aof-everysec")
    c = client(p, "compact")
    pipe = c.pipeline(transaction=False)
    for i in range(40000):
        pipe.set("same-key", "x" * 40)  # ~2.4 MB of log for one key
    pipe.execute()
    deadline = time.time() + 10
    while time.time() < deadline:
        logs = list(instance_dir(p, "compact").glob("appendonly-*.aof"))
        if sum(f.stat().st_size for f in logs) < 1 << 20 and \
                list(instance_dir(p, "compact").glob("dump-*.rdb")):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(os.listdir(instance_dir(p, "compact")))
    assert stats_of(p, "compact")["persistence"]["snapshots"] >= 1
    restart(p, signal.SIGKILL)
    assert client(p, "compact").get("same-key") == "x" * 40


@pytest.fixture
def redis_server(tmp_path):
    procs = []

    def start(dbfilename="dump.rdb", directory=None):
        port = free_port()
        d = directory or tmp_path / f"redis-{port}"
        d.mkdir(exist_ok=True)
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--dir", str(d),
                                 "--dbfilename", dbfilename, "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL)
        procs.append(proc)
        r = redis.Redis(port=port, decode_responses=True)
        for _ in range(100):
            try:
                r.ping()
                return r, d
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def fill(c):
    c.set("str", "hello")
    c.set("int", 12345)
    c.rpush("list", *[f"e{i}" for i in range(300)])
    c.sadd("set", *range(100))
    c.sadd("strset", "a", "b", "c")
    c.zadd("zset", {f"m{i}": i / 3 for i in range(200)})
    c.hset("hash", mapping={f"f{i}": "v" * i for i in range(100)})
    c.set("ttl", "x", px=500000)
    c.pfadd("hll", *[f"x{i}" for i in range(50)])


def contents(c):
    return {
        "str": c.get("str"), "int": c.get("int"), "list": c.lrange("list", 0, -1),
        "set": sorted(c.smembers("set")), "strset": sorted(c.smembers("strset")),
        "zset": c.zrange("zset", 0, -1, withscores=True), "hash": c.hgetall("hash"),
        "ttl": c.get("ttl"), "ttl_ok": 400 < c.ttl("ttl") <= 500, "hll": c.pfcount("hll"),
        "dbsize": c.dbsize(),
    }


def test_rdb_from_redis_server_is_restored_and_ours_loads_in_redis_server(nm, redis_server):
    real, real_dir = redis_server()
    fill(real)
    expected = contents(real)
    real.save()
    # Import: a dump from Redis dropped into a stopped node-manager's instance folder.
    create(nm, "imported", "aof-everysec")
    nm.stop(signal.SIGTERM)
    d = instance_dir(nm, "imported")
    for f in d.glob("*"):
        if f.suffix in (".rdb", ".aof"):
            f.unlink()
    shutil.copy(real_dir / "dump.rdb", d / "dump-0000000001.rdb")
    nm.start(wait_for=["node-manager"])
    ours = client(nm, "imported")
    assert contents(ours) == expected
    assert stats_of(nm, "imported")["persistence"]["restore_problems"] == []
    # Export: our snapshot loads in redis-server with the same contents.
    ours.set("added", "by-miniredis")
    assert ours.save() is True
    dump = sorted(d.glob("dump-*.rdb"))[-1]
    back_dir = real_dir.parent / "back"
    back_dir.mkdir()
    shutil.copy(dump, back_dir / "ours.rdb")
    back, _ = redis_server(dbfilename="ours.rdb", directory=back_dir)
    got = contents(back)
    assert got == {**expected, "dbsize": expected["dbsize"] + 1}
    assert back.get("added") == "by-miniredis"


def test_script_effects_replay_from_the_log_exactly(nm):
    """EVAL is never logged: its writes are, as one MULTI/EXEC block, and replay exactly (even
    what the script computed from the data, which a re-run would not reproduce)."""
    create(nm, "scripted", "aof-always")
    c = client(nm, "scripted")
    c.rpush("queue", "a", "b", "c")
    moved = c.eval("local v = redis.call('lpop', KEYS[1]) redis.call('set', KEYS[2], v) "
                   "redis.call('incrby', KEYS[3], #v + redis.call('llen', KEYS[1])) "
                   "redis.call('hset', KEYS[4], 'f', redis.call('time')[1]) return v",
                   4, "queue", "moved", "counter", "stamp")
    assert moved == "a"
    stamp = c.hget("stamp", "f")
    try:
        c.eval("redis.call('set', 'partial', '1') return redis.call('incr', 'queue')", 0)
    except redis.ResponseError:
        pass  # the error stops the script; the write before it stays, as in Redis
    before = {k: c.dump(k) for k in sorted(c.keys("*"))}
    restart(nm, signal.SIGKILL)
    c = client(nm, "scripted")
    assert {k: c.dump(k) for k in sorted(c.keys("*"))} == before
    assert c.hget("stamp", "f") == stamp and c.get("partial") == "1"
    log = b"".join(p.read_bytes()
                   for p in sorted(instance_dir(nm, "scripted").glob("appendonly-*.aof")))
    assert b"eval" not in log.lower()
    assert b"*1\r\n$5\r\nmulti\r\n*2\r\n$4\r\nlpop\r\n$5\r\nqueue\r\n" in log
