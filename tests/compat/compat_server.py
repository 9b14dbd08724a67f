"""The server under test for the compatibility suites: `miniredis server`, or Debian's
redis-server when COMPAT_TARGET=redis (which validates the tests themselves)."""
import os
import subprocess
import time

import pytest
import redis

from support import BINARY, free_port

TARGET = os.environ.get("COMPAT_TARGET", "miniredis")


class Server:
    def __init__(self, tmp_path, password=None, extra=None):
        self.port = free_port()
        self.password = password
        if TARGET == "redis":
            cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(tmp_path)]
        else:
            cmd = [str(BINARY), "server", "--port", str(self.port), "--bind", "127.0.0.1",
                   "--dir", str(tmp_path)]
        if password:
            cmd += ["--requirepass", password]
        cmd += extra or []
        self.log = open(tmp_path / "server.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                redis.Redis(port=self.port, password=password, socket_timeout=1).ping()
                break
            except redis.AuthenticationError:
                break
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError((tmp_path / "server.log").read_text())
                time.sleep(0.05)

    def client(self, **kw):
        kw.setdefault("password", self.password)
        return redis.Redis(port=self.port, decode_responses=True, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


miniredis_only = pytest.mark.skipif(TARGET == "redis", reason="MiniRedis-specific behaviour")


def raw_command(port, *args):
    """Sends one command and returns the raw reply bytes (redis-py would convert them)."""
    import socket
    payload = b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() if isinstance(x, str) else x
                                                 for x in args))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        data = b""
        while not data.endswith(b"\r\n") or not _complete(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def _complete(data):
    """True when `data` holds one whole RESP2 reply."""
    def parse(i):
        line_end = data.find(b"\r\n", i)
        if line_end < 0:
            return None
        kind, head = data[i:i + 1], data[i + 1:line_end]
        if kind in b"+-:":
            return line_end + 2
        n = int(head)
        if kind == b"$":
            end = line_end + 2 + max(n, 0) + (2 if n >= 0 else 0)
            return end if len(data) >= end else None
        pos = line_end + 2
        for _ in range(max(n, 0)):
            pos = parse(pos)
            if pos is None:
                return None
        return pos
    return parse(0) == len(data)
