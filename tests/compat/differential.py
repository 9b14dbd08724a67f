"""Differential testing against a real redis-server: the same commands go to the server under
test and to Debian's redis-server 7.0, and the raw RESP bytes of the replies must be identical
(errors included). Used by test_geo.py and test_bitfield.py."""
import shutil
import socket
import subprocess
import time

import pytest

from support import free_port


class RawConn:
    """One connection that sends a command and returns its reply exactly as received."""

    def __init__(self, port, resp3=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        if resp3:
            self.call("HELLO", "3")

    def call(self, *args):
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.sock.sendall(b"*%d\r\n" % len(parts) +
                          b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        end = None
        while end is None:
            end = self._reply_end(0)
            if end is None:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                self.buf += chunk
        reply, self.buf = self.buf[:end], self.buf[end:]
        return reply

    def _reply_end(self, i):
        """Index just past the reply starting at i, or None when incomplete (RESP2 and RESP3)."""
        eol = self.buf.find(b"\r\n", i)
        if eol < 0:
            return None
        kind, head = self.buf[i:i + 1], self.buf[i + 1:eol]
        pos = eol + 2
        if kind in b"+-:,_#(":
            return pos
        n = int(head)
        if kind in b"$=!":
            if n < 0:
                return pos
            return pos + n + 2 if len(self.buf) >= pos + n + 2 else None
        count = n * 2 if kind in b"%|" else n
        for _ in range(max(count, 0)):
            pos = self._reply_end(pos)
            if pos is None:
                return None
        return pos

    def close(self):
        self.sock.close()


class RedisServer:
    """A throwaway redis-server (no persistence) on a free port."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.log = open(tmp_path / "redis.log", "wb")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError((tmp_path / "redis.log").read_text())
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Pair:
    """Runs every command on both servers and asserts byte-identical replies."""

    def __init__(self, ours, theirs, resp3=False):
        self.ours = RawConn(ours, resp3)
        self.theirs = RawConn(theirs, resp3)

    def run(self, *args):
        got, want = self.ours.call(*args), self.theirs.call(*args)
        assert got == want, f"{args}: miniredis {got!r} != redis {want!r}"
        return got

    def close(self):
        self.ours.close()
        self.theirs.close()


@pytest.fixture
def reference(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    s = RedisServer(ref_dir)
    yield s
    s.stop()


@pytest.fixture
def pair(server, reference):
    p = Pair(server.port, reference.port)
    yield p
    p.close()


@pytest.fixture
def pair3(server, reference):
    p = Pair(server.port, reference.port, resp3=True)
    yield p
    p.close()


def parse(raw):
    """Decodes one RESP2 reply into bytes / int / None / lists (for structural comparisons)."""
    def at(i):
        eol = raw.index(b"\r\n", i)
        kind, head, pos = raw[i:i + 1], raw[i + 1:eol], eol + 2
        if kind in b"+-":
            return head, pos
        if kind == b":":
            return int(head), pos
        n = int(head)
        if kind == b"$":
            return (None, pos) if n < 0 else (raw[pos:pos + n], pos + n + 2)
        if n < 0:
            return None, pos
        items = []
        for _ in range(n):
            item, pos = at(pos)
            items.append(item)
        return items, pos
    return at(0)[0]
