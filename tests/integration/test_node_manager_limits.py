"""node-manager's per-instance limits (max_clients, max_ops_per_sec), stopped instances' endpoints,
latency percentiles and metrics, through the real binary with redis-py, redis-cli and raw sockets."""
import socket
import subprocess
import time

import pytest
import redis
import requests

from support import NM_TOKEN, nm_api

TOKEN = NM_TOKEN
PW = "limits-password-123456"
MAX_CLIENTS_ERR = "ERR max number of clients reached"


def _busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


api = nm_api


def put(p, iid, **fields):
    body = {"memory_limit_mb": 16, "password": PW, **fields}
    r = api(p, "PUT", f"/v1/instances/{iid}", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def stats(p, iid):
    return next(s for s in api(p, "GET", "/v1/stats").json()["instances"] if s["id"] == iid)


def greeting(port, send=b""):
    """What a raw client gets on connect (after sending `send`) until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        if send:
            s.sendall(send)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data.decode()
            data += chunk


def cli(*args):
    r = subprocess.run(["redis-cli", *map(str, args)], capture_output=True, text=True, timeout=10)
    return r.stdout + r.stderr


def test_max_clients_on_both_ports_and_live_update(nm):
    port = put(nm, "mc", max_clients=2)["port"]
    a = redis.Redis(port=port, password=PW)
    b = redis.Redis(port=nm.shared_port, username="mc", password=PW)
    assert a.ping() and b.ping()
    # Dedicated port: refused on connect, like Redis' maxclients.
    assert greeting(port) == f"-{MAX_CLIENTS_ERR}\r\n"
    with pytest.raises(redis.ConnectionError, match="max number of clients reached"):
        redis.Redis(port=port, password=PW).ping()
    # Shared port: the AUTH that routes the connection gets the error as its reply.
    auth = f"AUTH mc {PW}\r\n".encode()
    assert greeting(nm.shared_port, auth) == f"-{MAX_CLIENTS_ERR}\r\n"
    with pytest.raises(redis.ConnectionError, match="max number of clients reached"):
        redis.Redis(port=nm.shared_port, username="mc", password=PW).ping()
    assert MAX_CLIENTS_ERR in cli("-p", port, "-a", PW, "--no-auth-warning", "PING")
    assert stats(nm, "mc")["rejected_connections"] >= 5
    # A PUT raises the limit for new connections at once.
    put(nm, "mc", max_clients=3)
    c = redis.Redis(port=nm.shared_port, username="mc", password=PW)
    assert c.ping()
    assert c.info("stats")["rejected_connections"] >= 5  # Redis' INFO field, per instance
    assert greeting(port) == f"-{MAX_CLIENTS_ERR}\r\n"
    c.close()
    a.close()
    time.sleep(0.2)
    assert cli("-p", port, "-a", PW, "--no-auth-warning", "PING").strip() == "PONG"
    assert api(nm, "GET", "/v1/instances/mc").json()["max_clients"] == 3


def test_ops_quota_refuses_and_counts_and_applies_live(nm):
    port = put(nm, "quota", max_ops_per_sec=50)["port"]
    c = redis.Redis(port=port, password=PW, decode_responses=True)
    time.sleep(1.05)  # a fresh second (the AUTH counted in the previous one)
    pipe = c.pipeline(transaction=False)
    for i in range(200):
        pipe.incr("n")
    replies = pipe.execute(raise_on_error=False)
    errors = [r for r in replies if isinstance(r, redis.ResponseError)]
    assert str(errors[0]) == "rate limit exceeded: instance 'quota' allows 50 commands per second"
    assert 100 <= len(errors) <= 150  # at most two one-second windows' worth ran
    st = stats(nm, "quota")
    assert st["rejected_commands"] >= len(errors)
    time.sleep(1.05)
    assert c.get("n") == str(200 - len(errors))  # refused commands did not run
    err = api(nm, "POST", "/v1/instances/quota/exec", {"command": ["PING"]})
    assert err.status_code in (200, 400)
    # redis-cli sees the same error text.
    out = cli("-p", port, "-a", PW, "--no-auth-warning", "-r", "80", "PING")
    assert "rate limit exceeded: instance 'quota' allows 50 commands per second" in out
    # Unlimited again, live.
    put(nm, "quota", max_ops_per_sec=0)
    pipe = c.pipeline(transaction=False)
    for i in range(500):
        pipe.ping()
    assert all(r is True for r in pipe.execute(raise_on_error=False))


def test_stopped_instance_keeps_its_port_and_says_so(nm):
    port = put(nm, "st")["port"]
    redis.Redis(port=port, password=PW).set("k", "v")
    assert api(nm, "POST", "/v1/instances/st/stop").json()["status"] == "stopped"
    # Dedicated port: still bound, answers before any password (so without the id) and closes.
    assert greeting(port) == "-ERR instance is stopped\r\n"
    with pytest.raises(redis.ResponseError, match="instance is stopped"):
        redis.Redis(port=port, password=PW, socket_connect_timeout=1).ping()
    assert "instance is stopped" in cli("-p", port, "-a", PW, "--no-auth-warning", "GET", "k")
    # Shared port: only the right password learns the state.
    s = socket.create_connection(("127.0.0.1", nm.shared_port), timeout=3)
    s.sendall(f"AUTH st wrong-password\r\nAUTH st {PW}\r\n".encode())
    time.sleep(0.3)
    got = s.recv(4096).decode()
    s.close()
    assert got == ("-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                   "-ERR instance 'st' is stopped\r\n")
    with pytest.raises(redis.ResponseError, match="instance 'st' is stopped"):
        redis.Redis(port=nm.shared_port, username="st", password=PW).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=nm.shared_port, username="st", password="nope").ping()
    assert "instance 'st' is stopped" in cli("-p", nm.shared_port, "--user", "st", "--pass", PW,
                                             "GET", "k")
    # Start: same port, same data; the shared port routes again.
    assert api(nm, "POST", "/v1/instances/st/start").json()["port"] == port
    assert redis.Redis(port=port, password=PW).get("k") == b"v"
    assert redis.Redis(port=nm.shared_port, username="st", password=PW).get("k") == b"v"


def test_stopped_instance_port_across_restart_and_delete(nm):
    port = put(nm, "sr")["port"]
    api(nm, "POST", "/v1/instances/sr/stop")
    assert nm.stop() == 0
    nm.start(wait_for=["node-manager"])
    assert greeting(port) == "-ERR instance is stopped\r\n"  # re-bound on restore
    # A password change while stopped applies to the shared port's answer.
    put(nm, "sr", password="a-new-password-7890")
    with pytest.raises(redis.ResponseError, match="instance 'sr' is stopped"):
        redis.Redis(port=nm.shared_port, username="sr", password="a-new-password-7890").ping()
    # Delete: the port is unbound, rests in quarantine, then serves another instance.
    assert api(nm, "DELETE", "/v1/instances/sr").status_code == 200
    assert not _busy(port)
    for i in range(3):
        put(nm, f"other{i}")
    assert api(nm, "PUT", "/v1/instances/late",
               {"memory_limit_mb": 1, "password": PW}).status_code == 409
    time.sleep(1.2)
    assert put(nm, "late")["port"] == port
    assert redis.Redis(port=port, password=PW).ping()


def test_stats_latency_percentiles(nm):
    put(nm, "lat", dedicated_port=False)
    c = redis.Redis(port=nm.shared_port, username="lat", password=PW)
    for _ in range(20):
        c.ping()
    c.rpush("big", *range(200000))  # one slow command among a few fast ones
    st = stats(nm, "lat")
    assert 0 <= st["latency_p50_us"] <= st["latency_p99_us"] <= st["latency_p999_us"]
    assert st["latency_p50_us"] < 100 and st["latency_p999_us"] >= 1000
    empty = put(nm, "idle", dedicated_port=False)
    assert empty["id"] == "idle"
    idle = stats(nm, "idle")
    assert idle["latency_p50_us"] == idle["latency_p999_us"] == 0


def test_metrics_cover_the_issue_list(nm):
    put(nm, "m1", max_ops_per_sec=1)
    put(nm, "m2", dedicated_port=False)
    c = redis.Redis(port=nm.shared_port, username="m1", password=PW)
    pipe = c.pipeline(transaction=False)
    for _ in range(5):
        pipe.ping()
    pipe.execute(raise_on_error=False)
    text = requests.get(nm.url("node-manager", "/metrics"), timeout=5).text
    lines = text.splitlines()

    def value(prefix):
        return float(next(l for l in lines if l.startswith(prefix)).rsplit(" ", 1)[1])

    assert value('miniredis_instances{state="running"}') == 2
    assert value('miniredis_instance_maxmemory_bytes{instance="m2"}') == 16 * 1024 * 1024
    assert value('miniredis_instance_used_memory_bytes{instance="m1"}') > 0
    assert value("miniredis_node_maxmemory_bytes") == 2 * 16 * 1024 * 1024
    assert value("miniredis_node_used_memory_bytes") > 0
    assert value('miniredis_instance_connected_clients{instance="m1"}') == 1
    assert value('miniredis_instance_rejected_commands{instance="m1"}') >= 3
    assert value("miniredis_node_rejected_commands") >= 3
    assert value('miniredis_instance_commands_processed{instance="m1"}') >= 1
    assert value('miniredis_instance_evicted_keys{instance="m1"}') == 0
    assert value('miniredis_port_pool_ports{state="used"}') == 1
    assert value('miniredis_port_pool_ports{state="free"}') == 3
    assert any(l.startswith('miniredis_instance_command_p99_latency_microseconds{instance="m1"}')
               for l in lines)
    api(nm, "DELETE", "/v1/instances/m1")
    text = requests.get(nm.url("node-manager", "/metrics"), timeout=5).text
    assert 'instance="m1"' not in text
