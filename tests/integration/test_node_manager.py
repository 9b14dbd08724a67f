"""node-manager's lifecycle API and RESP endpoints, through the real binary and real clients."""
import concurrent.futures
import os
import re
import socket
import subprocess
import time

import pytest
import redis
import requests

from support import NM_TOKEN, nm_api, run_binary, start_node_manager

TOKEN = NM_TOKEN


def _busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


api = nm_api


def create(p, iid, password="pw-" + "x" * 20, **fields):
    body = {"memory_limit_mb": 16, "password": password, **fields}
    return api(p, "PUT", f"/v1/instances/{iid}", body)


def test_lifecycle_through_the_api(nm):
    r = create(nm, "alpha", eviction_policy="allkeys-lru")
    assert r.status_code == 201, r.text
    inst = r.json()
    assert inst["status"] == "running" and inst["port"] in nm.pool
    assert "password" not in inst and "password_hash" not in inst
    assert create(nm, "alpha", eviction_policy="allkeys-lru").status_code == 200  # idempotent
    assert api(nm, "GET", "/v1/instances/alpha").json()["eviction_policy"] == "allkeys-lru"
    assert [i["id"] for i in api(nm, "GET", "/v1/instances").json()["instances"]] == ["alpha"]
    assert api(nm, "POST", "/v1/instances/alpha/exec", {"command": ["SET", "k", 1]}).json() == \
        {"result": "OK"}
    assert api(nm, "POST", "/v1/instances/alpha/exec", {"command": ["GET", "k"]}).json() == \
        {"result": "1"}
    err = api(nm, "POST", "/v1/instances/alpha/exec", {"command": ["HGET", "k", "f"]})
    assert err.status_code == 400 and err.json()["error"]["message"].startswith("WRONGTYPE")
    stats = api(nm, "GET", "/v1/stats").json()["instances"][0]
    assert stats["id"] == "alpha" and stats["keys"] == 1 and stats["used_memory"] > 0
    assert stats["maxmemory"] == 16 * 1024 * 1024
    assert api(nm, "POST", "/v1/instances/alpha/stop").json()["status"] == "stopped"
    assert api(nm, "POST", "/v1/instances/alpha/exec", {"command": ["GET", "k"]}).status_code == 409
    assert api(nm, "POST", "/v1/instances/alpha/start").json()["status"] == "running"
    assert api(nm, "POST", "/v1/instances/alpha/exec", {"command": ["GET", "k"]}).json() == \
        {"result": "1"}
    assert api(nm, "DELETE", "/v1/instances/alpha").status_code == 200
    assert api(nm, "GET", "/v1/instances/alpha").status_code == 404
    assert api(nm, "DELETE", "/v1/instances/alpha").status_code == 404


def test_the_api_needs_the_service_token(nm):
    assert api(nm, "GET", "/v1/instances", token=None).status_code == 401
    assert api(nm, "GET", "/v1/instances", token="wrong").status_code == 401
    assert requests.get(nm.url("node-manager", "/healthz")).status_code == 200


@pytest.mark.parametrize("iid,body,status,code", [
    ("Bad_Id", {"memory_limit_mb": 1, "password": "p"}, 400, "invalid_id"),
    ("ok", {"memory_limit_mb": -5, "password": "p"}, 400, "invalid_memory_limit_mb"),
    ("ok", {"memory_limit_mb": 10**9, "password": "p"}, 400, "invalid_memory_limit_mb"),
    ("ok", {"memory_limit_mb": 1, "password": "p", "eviction_policy": "lru"}, 400,
     "invalid_eviction_policy"),
    ("ok", {"memory_limit_mb": 1, "password": "p", "port": 1}, 400, "invalid_port"),
    ("ok", {"memory_limit_mb": 1}, 400, "missing_field"),
    ("ok", {"memory_limit_mb": 1, "password": "p", "extra": 1}, 400, "unknown_field"),
])
def test_bad_specs_are_refused_and_change_nothing(nm, iid, body, status, code):
    r = api(nm, "PUT", f"/v1/instances/{iid}", body)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    assert api(nm, "GET", "/v1/instances").json()["instances"] == []
    assert list((nm.data_dir / "instances").iterdir()) == []


def test_malformed_json_and_exec_bodies(nm):
    r = requests.put(nm.url("node-manager", "/v1/instances/x"), data="{not json",
                     headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    create(nm, "ex")
    for body in ({}, {"command": []}, {"command": "GET k"}, {"command": [["nested"]]}):
        assert api(nm, "POST", "/v1/instances/ex/exec", body).status_code == 400
    assert api(nm, "POST", "/v1/instances/ex/exec", {"command": ["BLPOP", "q", 0]}).status_code == 400
    big = {"command": ["SET", "k", "x" * (2 * 1024 * 1024)]}
    assert api(nm, "POST", "/v1/instances/ex/exec", big).status_code == 413


def batch(p, iid, commands, **fields):
    return api(p, "POST", f"/v1/instances/{iid}/exec", {"commands": commands, **fields})


def test_exec_batch_runs_a_pipeline_in_order(nm):
    create(nm, "pipe")
    r = batch(nm, "pipe", [["SET", "a", 1], ["INCR", "a"], ["HGET", "a", "f"], ["GET", "a"],
                           ["BLPOP", "q", 0], ["RPUSH", "l", "x", "y"], ["LRANGE", "l", 0, -1],
                           ["GET", "missing"]])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results[:2] == [{"result": "OK"}, {"result": 2}]
    assert results[2]["error"].startswith("WRONGTYPE")
    assert results[3] == {"result": "2"}
    assert "persistent connection" in results[4]["error"]
    assert results[5:] == [{"result": 2}, {"result": ["x", "y"]}, {"result": None}]
    assert "aborted" not in r.json()


def test_exec_batch_base64_encoding(nm):
    create(nm, "b64")
    r = batch(nm, "b64", [["SET", "k", "h\u00e9"], ["GET", "k"], ["PING"], ["STRLEN", "k"],
                          ["HGET", "k", "f"]], encoding="base64")
    assert r.json()["results"][:4] == [{"result": "OK"}, {"result": "aMOp"},
                                       {"result": "UE9ORw=="}, {"result": 3}]
    assert r.json()["results"][4]["error"].startswith("WRONGTYPE")  # errors stay text


def test_exec_batch_transaction_is_atomic_and_logged_as_multi_exec(nm):
    create(nm, "tx", persistence="aof-always")
    r = batch(nm, "tx", [["SET", "n", 10], ["INCR", "n"], ["LPUSH", "n", "x"], ["GET", "n"]],
              transaction=True)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results[:2] == [{"result": "OK"}, {"result": 11}]
    assert results[2]["error"].startswith("WRONGTYPE")  # a runtime error fails only itself
    assert results[3] == {"result": "11"}
    log = b"".join(f.read_bytes() for f in
                   sorted((nm.data_dir / "instances" / "tx").glob("appendonly-*.aof"))).lower()
    multi, exec_ = log.find(b"$5\r\nmulti\r\n"), log.find(b"$4\r\nexec\r\n")
    assert 0 <= multi < log.find(b"$4\r\nincr\r\n") < exec_, log


def test_exec_batch_transaction_with_a_syntax_error_runs_nothing(nm):
    create(nm, "abort")
    r = batch(nm, "abort", [["SET", "a", 1], ["GET"], ["SUBSCRIBE", "c"], ["SET", "b", 1]],
              transaction=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["aborted"] is True
    errors = [x["error"] for x in body["results"]]
    assert errors[0].startswith("EXECABORT") and errors[3].startswith("EXECABORT")
    assert errors[1].startswith("ERR wrong number of arguments")
    assert "persistent connection" in errors[2]
    got = batch(nm, "abort", [["EXISTS", "a", "b"]]).json()["results"]
    assert got == [{"result": 0}]


def test_exec_batch_limits_and_refusals(nm):
    create(nm, "lim")
    ok = batch(nm, "lim", [["INCR", "n"]] * 1000)
    assert ok.status_code == 200 and ok.json()["results"][-1] == {"result": 1000}
    too_many = batch(nm, "lim", [["INCR", "n"]] * 1001)
    assert too_many.status_code == 400, too_many.text
    assert too_many.json()["error"]["code"] == "too_many_commands"
    for commands in ([], [[]], [["GET", ["x"]]], "GET k", [["GET", None]], {"a": 1}):
        assert batch(nm, "lim", commands).status_code == 400, commands
    assert batch(nm, "lim", [["GET", "k"]], transaction="yes").status_code == 400
    assert batch(nm, "lim", [["GET", "k"]], encoding="hex").status_code == 400
    assert batch(nm, "lim", [["GET", "k"]], other=1).status_code == 400
    assert batch(nm, "nope", [["GET", "k"]]).status_code == 404
    assert api(nm, "POST", "/v1/instances/lim/stop").status_code == 200
    assert batch(nm, "lim", [["GET", "k"]]).status_code == 409


def test_pool_exhaustion_is_409_and_shared_only_instances_still_fit(nm):
    for i in range(4):
        assert create(nm, f"d{i}").status_code == 201
    r = create(nm, "d4")
    assert r.status_code == 409 and r.json()["error"]["code"] == "port_pool_exhausted"
    shared = create(nm, "s1", dedicated_port=False)
    assert shared.status_code == 201 and shared.json()["port"] is None


def test_freed_port_is_reused_only_after_quarantine(nm):
    ports = {create(nm, f"q{i}").json()["port"] for i in range(4)}
    assert ports == set(nm.pool)
    freed = api(nm, "GET", "/v1/instances/q0").json()["port"]
    api(nm, "DELETE", "/v1/instances/q0")
    assert create(nm, "q4").status_code == 409  # the freed port is resting
    time.sleep(1.2)
    again = create(nm, "q4")
    assert again.status_code == 201 and again.json()["port"] == freed


def test_concurrent_put_and_delete_leave_a_consistent_state(nm):
    def churn(i):
        return [create(nm, "race").status_code, api(nm, "DELETE", "/v1/instances/race").status_code]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = [s for r in ex.map(churn, range(24)) for s in r]
    assert set(results) <= {200, 201, 404, 409}  # 409: every port resting in quarantine
    final = api(nm, "GET", "/v1/instances/race")
    on_disk = (nm.data_dir / "instances" / "race").exists()
    assert (final.status_code == 200) == on_disk
    if final.status_code == 404:
        time.sleep(1.2)
        assert all(create(nm, f"after{i}").status_code == 201 for i in range(4))


def test_records_survive_a_restart_with_the_same_port(nm):
    port = create(nm, "keep").json()["port"]
    api(nm, "POST", "/v1/instances/keep/stop")
    assert nm.stop() == 0
    nm.start(wait_for=["node-manager"])
    inst = api(nm, "GET", "/v1/instances/keep").json()
    assert inst["port"] == port and inst["status"] == "stopped"
    assert api(nm, "POST", "/v1/instances/keep/start").json()["status"] == "running"


def test_dedicated_and_shared_endpoints_with_real_clients(nm):
    pw = "s3cret-" + "a" * 24
    port = create(nm, "redisy", password=pw).json()["port"]
    create(nm, "other", password="another-password-123")
    d = redis.Redis(port=port, password=pw, decode_responses=True)
    assert d.set("k", "dedicated") and d.get("k") == "dedicated"
    s = redis.Redis(port=nm.shared_port, username="redisy", password=pw, decode_responses=True)
    assert s.get("k") == "dedicated"
    o = redis.Redis(port=nm.shared_port, username="other", password="another-password-123",
                    decode_responses=True)
    assert o.get("k") is None  # isolation between instances
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=nm.shared_port, username="redisy", password="wrong").ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=nm.shared_port, username="nosuch", password=pw).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="wrong").ping()
    out = subprocess.run(["redis-cli", "-p", str(nm.shared_port), "--user", "redisy", "--pass", pw,
                          "GET", "k"], capture_output=True, text=True).stdout.strip()
    assert out == "dedicated"
    out = subprocess.run(["redis-cli", "-p", str(port), "-a", pw, "GET", "k"],
                         capture_output=True, text=True).stdout.strip()
    assert out == "dedicated"
    api(nm, "POST", "/v1/instances/redisy/stop")
    with pytest.raises(redis.ResponseError, match="instance is stopped"):  # the port stays bound
        redis.Redis(port=port, password=pw, socket_connect_timeout=1).ping()


def test_pubsub_is_isolated_per_instance(nm):
    create(nm, "pa", password="password-aaaaaaaa")
    create(nm, "pb", password="password-bbbbbbbb")
    a = redis.Redis(port=nm.shared_port, username="pa", password="password-aaaaaaaa")
    b = redis.Redis(port=nm.shared_port, username="pb", password="password-bbbbbbbb")
    sub = b.pubsub()
    sub.subscribe("news")
    assert sub.get_message(timeout=1)["type"] == "subscribe"
    assert a.publish("news", "hello") == 0  # A's channel "news" is not B's
    assert sub.get_message(timeout=0.3) is None


def test_memory_limit_and_eviction_per_instance(nm):
    create(nm, "small", password="password-small-123", memory_limit_mb=2,
           eviction_policy="allkeys-lru")
    c = redis.Redis(port=nm.shared_port, username="small", password="password-small-123")
    for i in range(20000):
        c.set(f"key:{i}", "x" * 100)
    info = c.info()
    assert info["used_memory"] <= 2 * 1024 * 1024 * 1.05 and info["evicted_keys"] > 0
    create(nm, "strict", password="password-strict-12", memory_limit_mb=1)
    s = redis.Redis(port=nm.shared_port, username="strict", password="password-strict-12")
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for i in range(20000):
            s.set(f"key:{i}", "x" * 100)


def test_node_reports_identity_capacity_and_totals(platform_factory):
    nm = start_node_manager(platform_factory, NODE_MEMORY_MB="4096")
    node = api(nm, "GET", "/v1/node").json()
    assert re.fullmatch(r"[0-9a-f]{16}", node["boot_id"])
    assert abs(node["started_at_ms"] - time.time() * 1000) < 60_000
    assert node["memory_capacity_mb"] == 4096
    assert (node["instances"], node["allocated_memory_mb"], node["used_memory_bytes"]) == (0, 0, 0)
    assert node["ports"] == {"free": 4, "used": 0, "quarantined": 0}
    assert node["host"] == "127.0.0.1" and node["shared_port"] == nm.shared_port

    assert create(nm, "n1", memory_limit_mb=16).status_code == 201
    assert create(nm, "n2", memory_limit_mb=32, dedicated_port=False).status_code == 201
    api(nm, "POST", "/v1/instances/n1/exec", {"command": ["SET", "k", "v" * 1000]})
    api(nm, "POST", "/v1/instances/n2/stop")  # a stopped instance still holds its memory limit
    now = api(nm, "GET", "/v1/node").json()
    assert now["boot_id"] == node["boot_id"] and now["started_at_ms"] == node["started_at_ms"]
    assert now["instances"] == 2 and now["allocated_memory_mb"] == 48
    used = sum(s["used_memory"] for s in api(nm, "GET", "/v1/stats").json()["instances"])
    assert now["used_memory_bytes"] == used > 1000
    assert now["ports"] == {"free": 3, "used": 1, "quarantined": 0}
    api(nm, "DELETE", "/v1/instances/n1")
    assert api(nm, "GET", "/v1/node").json()["ports"] == {"free": 3, "used": 0, "quarantined": 1}

    assert api(nm, "GET", "/v1/node", token=None).status_code == 401
    assert api(nm, "GET", "/v1/node", token="wrong").status_code == 401

    assert nm.stop() == 0  # a restart is a new boot: backend re-checks what the node holds
    nm.start(wait_for=["node-manager"])
    again = api(nm, "GET", "/v1/node").json()
    assert re.fullmatch(r"[0-9a-f]{16}", again["boot_id"]) and again["boot_id"] != node["boot_id"]
    assert again["started_at_ms"] >= node["started_at_ms"]
    assert again["instances"] == 1 and again["allocated_memory_mb"] == 32


def test_node_memory_defaults_to_the_machine(nm):
    physical_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    assert api(nm, "GET", "/v1/node").json()["memory_capacity_mb"] == physical_mb


def test_bad_node_memory_setting_is_refused(tmp_path):
    r = run_binary(["--target=node-manager", f"--data-dir={tmp_path}"],
                   env={"NODE_MEMORY_MB": "-1"}, cwd=tmp_path)
    assert r.returncode != 0 and "NODE_MEMORY_MB" in r.stderr, r.stderr
