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
BINARY = Path(os.environ.get("MINIREDIS_BIN", ROOT / "build/release/bin/miniredis"))

SERVICE_PORT_SETTINGS = {
    "api-gateway": "GATEWAY_PORT",
    "auth-service": "AUTH_SERVICE_PORT",
    "backend": "BACKEND_PORT",
    "node-manager": "NODE_MANAGER_PORT",
    "monitoring-service": "MONITORING_SERVICE_PORT",
    "frontend": "FRONTEND_PORT",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
