"""`miniredis server` as a process: flags like redis-server's, clear refusals, clean SIGTERM."""
import signal
import socket
import subprocess
import time

import redis

from support import BINARY, free_port


def start(*args, port=None):
    port = port or free_port()
    proc = subprocess.Popen([str(BINARY), "server", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    assert f"ready to accept connections on 127.0.0.1:{port}" in line, line
    return proc, port


def test_flags_apply_and_sigterm_exits_zero():
    proc, port = start("--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lfu",
                       "--requirepass", "pw", "--shards", "2")
    c = redis.Redis(port=port, password="pw", decode_responses=True)
    assert c.config_get("maxmemory") == {"maxmemory": str(10 * 1024 * 1024)}
    assert c.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lfu"}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


def test_refusals_are_one_clear_line():
    r = subprocess.run([str(BINARY), "server", "--appendonly", "maybe"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 2 and "--appendonly must be yes or no" in r.stderr
    r = subprocess.run([str(BINARY), "server", "--appendfsync", "sometimes"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "--appendfsync must be always, everysec or no" in r.stderr
    r = subprocess.run([str(BINARY), "server", "--maxmemory", "lots"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 2 and "--maxmemory 'lots' is not a size" in r.stderr
    r = subprocess.run([str(BINARY), "server", "--maxmemory-policy", "sometimes"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "sometimes" in (r.stderr + r.stdout)


def test_port_in_use_exits_one():
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        r = subprocess.run([str(BINARY), "server", "--port", str(port)], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode == 1 and str(port) in r.stderr


def test_appendonly_survives_kill_9_and_save_survives_sigterm(tmp_path):
    port = free_port()
    args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(tmp_path)]
    proc, _ = start(*args, port=port)
    c = redis.Redis(port=port, decode_responses=True)
    c.set("k", "v")
    c.incrby("n", 41)
    proc.kill()
    proc.wait()
    proc, _ = start(*args, port=port)
    c = redis.Redis(port=port, decode_responses=True)
    assert c.get("k") == "v" and c.get("n") == "41"
    assert c.info("persistence")["aof_enabled"] == 1
    c.set("k2", "v2")  # a change since the restore: SIGTERM snapshots it
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert any(f.name.startswith("dump-") for f in tmp_path.iterdir())

    snap_dir = tmp_path / "snap"
    snap_dir.mkdir()
    args = ["--save", "3600 1", "--dir", str(snap_dir)]
    proc, _ = start(*args, port=port)
    c = redis.Redis(port=port, decode_responses=True)
    c.set("saved", "on-exit")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not list(snap_dir.glob("*.aof"))
    proc, _ = start(*args, port=port)
    c = redis.Redis(port=port, decode_responses=True)
    assert c.get("saved") == "on-exit"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
