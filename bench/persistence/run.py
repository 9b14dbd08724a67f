#!/usr/bin/env python3
"""Persistence benchmark: `miniredis server --appendonly yes` side by side with Debian's
redis-server 7.0 (appendonly yes, same fsync policy) in one run.

1. Restore time of 1,000,000 keys (16-byte keys, 16-byte values): from the append-only log after
   kill -9, and from the snapshot written at SIGTERM; redis-server loads its own files of the same
   data (its "DB loaded from append only file / disk: X seconds" log line vs ours).
2. kill -9 under a steady write load (one client doing RPUSH of a counter as fast as acks come
   back): acknowledged writes missing after restart, per fsync policy.
3. Write throughput with the log on: redis-benchmark SET -c 50 -d 16 at -P 1 and -P 16, ops/s and
   ops per server CPU-second, both fsync policies.

Usage: bench/persistence/run.py [--build build/release] [--quick] [--results bench/RESULTS.md]
"""
import argparse
import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import cpu_seconds, free_port, replace_section, rss_kb, wait_port  # noqa: E402,F401

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from support import AckedWriter  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]






class Server:
    """One server process on `port` with its files in `dir`; output kept for its load-time line."""

    def __init__(self, name, build, port, directory, fsync):
        self.name, self.port, self.dir = name, port, Path(directory)
        if name == "redis":
            cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
                   "--appendonly", "yes", "--appendfsync", fsync, "--save", "",
                   "--aof-use-rdb-preamble", "yes", "--auto-aof-rewrite-percentage", "0"]
        else:
            cmd = [str(ROOT / build / "bin/miniredis"), "server", "--port", str(port),
                   "--dir", str(directory), "--appendonly", "yes", "--appendfsync", fsync]
        self.log_path = self.dir / f"{name}.out"
        self.log = open(self.log_path, "ab")
        self.started = time.time()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = redis.Redis(port=port, decode_responses=True, socket_timeout=60)
        deadline = time.time() + 120
        while True:
            try:
                if self.client.ping():
                    break
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"{name} did not start: {self.log_path.read_text()}")
                time.sleep(0.01)
        self.ready_after = time.time() - self.started

    def load_seconds(self):
        """What the server itself reports for loading its files (None when it loaded nothing)."""
        text = self.log_path.read_text(errors="replace")
        if self.name == "redis":
            found = re.findall(r"loaded from (?:append only file|disk|base file)[^:]*: ([0-9.]+) seconds", text)
            return sum(float(x) for x in found) if found else None
        found = re.findall(r"restored (\d+) keys in ([0-9.]+) s", text)
        return float(found[-1][1]) if found else None

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=300)
        self.log.close()


def load_keys(port, keys):
    payload = "".join(f"SET key:{i:012d} {'v' * 16}\n" for i in range(keys))
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=payload, check=True,
                   capture_output=True, text=True)


def restore_times(name, build, keys):
    """(seconds to restore from the log after kill -9, from the snapshot after SIGTERM)."""
    d = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    port = free_port()
    try:
        s = Server(name, build, port, d, "everysec")
        load_keys(port, keys)
        s.stop(signal.SIGKILL)
        s = Server(name, build, port, d, "everysec")
        assert s.client.dbsize() == keys, s.client.dbsize()
        from_log = s.load_seconds()
        if name == "redis":
            s.client.bgrewriteaof()  # its compaction: an RDB base file
            while s.client.info("persistence")["aof_rewrite_in_progress"]:
                time.sleep(0.05)
        s.stop(signal.SIGTERM)
        s = Server(name, build, port, d, "everysec")
        assert s.client.dbsize() == keys
        from_snapshot = s.load_seconds()
        s.stop()
        return from_log, from_snapshot
    finally:
        shutil.rmtree(d, ignore_errors=True)


def kill9_loss(name, build, fsync, seconds):
    d = Path(tempfile.mkdtemp(prefix=f"bench-kill-{name}-"))
    port = free_port()
    try:
        s = Server(name, build, port, d, fsync)
        writer = AckedWriter(redis.Redis(port=port)).start()
        time.sleep(seconds)
        s.proc.send_signal(signal.SIGKILL)
        acked = writer.stop()
        s.stop()
        s = Server(name, build, port, d, fsync)
        present = set(int(x) for x in s.client.lrange("seq", 0, -1))
        s.stop()
        return len(acked), sum(1 for i in acked if i not in present)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def throughput(name, build, fsync, pipeline, requests):
    d = Path(tempfile.mkdtemp(prefix=f"bench-tp-{name}-"))
    port = free_port()
    try:
        s = Server(name, build, port, d, fsync)
        before = cpu_seconds(s.proc.pid)
        out = subprocess.run(["redis-benchmark", "-p", str(port), "-c", "50", "-d", "16",
                              "-n", str(requests), "-P", str(pipeline), "-t", "set",
                              "-r", "100000", "--csv"],
                             capture_output=True, text=True, check=True).stdout
        cpu = cpu_seconds(s.proc.pid) - before
        s.stop()
        row = [r for r in csv.reader(io.StringIO(out)) if r and r[0] != "test"][0]
        return float(row[1]), requests / cpu
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--results", default=None)
    args = ap.parse_args()
    keys = 200000 if args.quick else 1000000
    version = subprocess.run(["redis-server", "--version"], capture_output=True,
                             text=True).stdout.split()[2]
    lines = [f"# Persistence benchmark: miniredis server vs redis-server ({version}), appendonly yes",
             "", f"Machine: {os.cpu_count()} cores. Command: `make bench` (bench/persistence/run.sh).", "",
             f"Restore of {keys} keys (16-byte keys and values), seconds as each server reports "
             "its own loading:", "",
             "| server | from the log after kill -9 | from the snapshot after compaction/SIGTERM |",
             "|---|---|---|"]
    restore = {}
    for name in ("redis", "miniredis"):
        restore[name] = restore_times(name, args.build, keys)
        lines.append(f"| {name} | {restore[name][0]:.2f} s | {restore[name][1]:.2f} s |")
        print(lines[-1], flush=True)
    lines.append(f"| ratio | **{restore['miniredis'][0] / restore['redis'][0]:.2f}x** | "
                 f"**{restore['miniredis'][1] / restore['redis'][1]:.2f}x** |")
    seconds = 1 if args.quick else 3
    lines += ["", f"kill -9 after {seconds} s of RPUSH from one client (each write acknowledged "
                  "before the next):", "",
              "| server | fsync | acknowledged | lost after restart |", "|---|---|---|---|"]
    for fsync in ("always", "everysec"):
        for name in ("redis", "miniredis"):
            acked, lost = kill9_loss(name, args.build, fsync, seconds)
            lines.append(f"| {name} | {fsync} | {acked} | **{lost}** |")
            print(lines[-1], flush=True)
    requests = 20000 if args.quick else 100000
    lines += ["", f"SET throughput with the log on (redis-benchmark -c 50 -d 16, {requests} x P "
                  "requests):", "",
              "| fsync | P | redis ops/s | miniredis ops/s | redis ops/CPU-s | miniredis ops/CPU-s "
              "| efficiency ratio |", "|---|---|---|---|---|---|---|"]
    for fsync in ("everysec", "always"):
        for p in (1, 16):
            r = throughput("redis", args.build, fsync, p, requests * p)
            m = throughput("miniredis", args.build, fsync, p, requests * p)
            lines.append(f"| {fsync} | {p} | {r[0]:.0f} | {m[0]:.0f} | {r[1]:.0f} | {m[1]:.0f} | "
                         f"**{m[1] / r[1]:.2f}x** |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    if args.results:
        replace_section(args.results, text)


if __name__ == "__main__":
    sys.exit(main())
