"""Helpers shared by every test suite: the built binary, free loopback ports, a platform process."""
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# Resolved now: processes are started with their own temp folder as working directory.
BINARY = Path(os.environ.get("MINIREDIS_BIN", ROOT / "build/release/bin/miniredis")).resolve()

SERVICE_PORT_SETTINGS = {
    "api-gateway": "GATEWAY_PORT",
    "auth-service": "AUTH_SERVICE_PORT",
    "backend": "BACKEND_PORT",
    "node-manager": "NODE_MANAGER_PORT",
    "monitoring-service": "MONITORING_SERVICE_PORT",
    "frontend": "FRONTEND_PORT",
}


def free_port(low=10000, high=16000):
    """A port that is free now, below the kernel's ephemeral range (32768+): an ephemeral port
    handed out by bind(0) can be taken by any client socket's outgoing connection before the
    server under test binds it. Disjoint from free_port_range's ports and from the default
    dedicated pool (16000-16999)."""
    import random
    for _ in range(500):
        port = random.randrange(low, high)
        try:
            for host in ("127.0.0.1", "0.0.0.0"):
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no free port in {low}..{high}")


def free_port_range(n, low=20000, high=32000):
    """n consecutive bindable ports below the kernel's ephemeral range (32768+ by default), so
    that client sockets of this or other processes do not wander into a dedicated port pool."""
    import random
    for _ in range(200):
        start = random.randrange(low, high - n)
        ok = True
        for port in range(start, start + n):
            with socket.socket() as s:
                try:
                    s.bind(("0.0.0.0", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return start
    raise RuntimeError(f"no {n} free ports in {low}..{high}")


class Platform:
    """A miniredis process started with its own ports and data dir; stopped by PID."""

    def __init__(self, tmp_path, target="all", extra_env=None, args=None):
        self.ports = {svc: free_port() for svc in SERVICE_PORT_SETTINGS}
        self.data_dir = tmp_path / "data"
        self.env = {k: v for k, v in os.environ.items() if not k.endswith("_PORT")}
        for svc, setting in SERVICE_PORT_SETTINGS.items():
            self.env[setting] = str(self.ports[svc])
        self.env["DATA_DIR"] = str(self.data_dir)
        self.env["REDIS_SHARED_PORT"] = str(free_port())
        self.env["FRONTEND_DIST_DIR"] = str(ROOT / "web/dist")
        self.env.update(extra_env or {})
        self.cmd = [str(BINARY), f"--target={target}"] + (args or [])
        self.cwd = tmp_path
        self.proc = None
        self.log_path = tmp_path / "miniredis.log"

    def start(self, wait_for=None):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for svc in wait_for or []:
            self.wait_healthy(svc)
        return self

    def url(self, svc, path=""):
        return f"http://127.0.0.1:{self.ports[svc]}{path}"

    def wait_healthy(self, svc, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"miniredis exited with {self.proc.returncode}: {self.output()}")
            try:
                if requests.get(self.url(svc, "/healthz"), timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{svc} not healthy within {timeout}s: {self.output()}")

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def log_lines(self):
        return [json.loads(l) for l in self.output().splitlines() if l.startswith("{")]

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode


def run_binary(args, env=None, cwd=None, timeout=10):
    """Runs miniredis to completion (for commands that should exit at once)."""
    full_env = {k: v for k, v in os.environ.items()}
    full_env.update(env or {})
    return subprocess.run([str(BINARY)] + args, env=full_env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


NM_TOKEN = "test-internal-token"


def start_node_manager(platform_factory, pool_size=4, **env):
    """node-manager alone, with a dedicated port pool of `pool_size` ports below the ephemeral
    range and a short quarantine; `.pool` and `.shared_port` tell where instances answer."""
    start = free_port_range(pool_size)
    p = platform_factory(target="node-manager", extra_env={
        "INTERNAL_TOKEN": NM_TOKEN, "REDIS_PORT_START": str(start),
        "REDIS_PORT_END": str(start + pool_size - 1), "PORT_QUARANTINE": "1s",
        "NODE_MANAGER_SHARDS": "2", **env})
    p.start(wait_for=["node-manager"])
    p.pool = range(start, start + pool_size)
    p.shared_port = int(p.env["REDIS_SHARED_PORT"])
    return p


def nm_api(p, method, path, body=None, token=NM_TOKEN):
    """A call to node-manager's lifecycle API (with the service token unless told otherwise)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, p.url("node-manager", path), json=body, headers=headers,
                            timeout=30)


class AckedWriter:
    """One client RPUSHing 0, 1, 2... to `key` as fast as acknowledgements come back, on its own
    thread; `acked` holds every value the server acknowledged (kill -9 durability checks)."""

    def __init__(self, client, key="seq"):
        import threading
        self.client, self.key, self.acked = client, key, []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        import redis
        i = 0
        while not self._done.is_set():
            try:
                self.client.rpush(self.key, i)
            except redis.RedisError:
                return
            self.acked.append(i)
            i += 1

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._done.set()
        self._thread.join()
        return self.acked


def wait_until(check, timeout, what, interval=0.1):
    """Polls `check` (truthy = done) until `timeout`; fails with `what` and the last value."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s; last: {last!r}")
