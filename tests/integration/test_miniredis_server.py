"""`miniredis server` as a process: flags like redis-server's, clear refusals, clean SIGTERM."""
import signal
import socket
import subprocess
import time

import redis

from support import BINARY, free_port


def start(*args):
    port = free_port()
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
    r = subprocess.run([str(BINARY), "server", "--appendonly", "yes"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 2 and "persistence is provided by node-manager" in r.stderr
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
