#!/usr/bin/env python3
"""backend benchmark: creating an instance end to end, at 20 concurrent users.

One process `miniredis --target=node-manager,auth-service,backend` (its own ports, data dir and
database; quotas raised so that no create is refused). USERS users are registered through
auth-service; then USERS threads, each with its own user and its own keep-alive HTTP session,
each first create one warm-up instance, wait for the others (a barrier) and create PER_USER
instances one after another: POST /api/v1/instances with the user's access token until the 201
answer (status "running": node-manager has provisioned it). Latency p50/p95/p99/max over every
measured create, creates/s over the measured phase, and the miniredis process' CPU per create,
on SQLite and on PostgreSQL 15 (a throwaway cluster, tests/pg.py) side by side. Afterwards every
instance must answer AUTH + PING on its dedicated port. Figure: p95 <= 50 ms.

Usage: bench/backend/create_instances.py [--build build/release] [--users 20] [--per-user 10]
                                         [--engines sqlite,postgres] [--results bench/RESULTS.md]
"""
import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from common import cpu_seconds, free_port, replace_section  # noqa: E402

import requests  # noqa: E402

SECTION = "# backend benchmark"
TOKEN = "bench-" + secrets.token_hex(8)
PASSWORD = "correct-Horse-battery-9"
FIGURE_MS = 50.0


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def port_busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_range(n, lo=20000, hi=32000):
    """n consecutive ports below the ephemeral range that nobody listens on or holds."""
    start = lo
    while start + n < hi:
        bad = None
        for p in range(start, start + n):
            with socket.socket() as s:
                try:
                    s.bind(("0.0.0.0", p))
                except OSError:
                    bad = p
                    break
        if bad is None:
            return start
        start = bad + 1
    raise RuntimeError(f"no {n} free ports in {lo}..{hi}")


class Platform:
    def __init__(self, binary, tmp, pool_size, auth_db="", main_db=""):
        self.ports = {k: free_port() for k in ("NODE_MANAGER_PORT", "AUTH_SERVICE_PORT",
                                                "BACKEND_PORT", "REDIS_SHARED_PORT")}
        start = free_range(pool_size)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_PORT")}
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update({
            "DATA_DIR": str(Path(tmp) / "data"), "INTERNAL_TOKEN": TOKEN,
            "REDIS_PORT_START": str(start), "REDIS_PORT_END": str(start + pool_size - 1),
            "AUTH_SERVICE_URL": f"http://127.0.0.1:{self.ports['AUTH_SERVICE_PORT']}",
            "NODE_MANAGER_URLS": f"http://127.0.0.1:{self.ports['NODE_MANAGER_PORT']}",
            "AUTH_DATABASE_URL": auth_db, "BACKEND_DATABASE_URL": main_db,
            "QUOTA_MAX_INSTANCES": "100000", "QUOTA_MAX_MEMORY_MB": "100000000",
            "NODE_MEMORY_MB": "100000000", "LOG_LEVEL": "warn"})
        self.log = open(Path(tmp) / "miniredis.log", "wb")
        self.proc = subprocess.Popen([str(binary), "--target=node-manager,auth-service,backend"],
                                     env=env, cwd=tmp, stdout=self.log, stderr=subprocess.STDOUT)
        for port in ("AUTH_SERVICE_PORT", "BACKEND_PORT"):
            self.wait_ready(self.ports[port])

    def wait_ready(self, port, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"miniredis exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"port {port} not ready; see {self.log.name}")

    def url(self, port, path):
        return f"http://127.0.0.1:{self.ports[port]}{path}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def auth_ping(port, password):
    cmd = (f"*2\r\n$4\r\nAUTH\r\n${len(password)}\r\n{password}\r\n" "*1\r\n$4\r\nPING\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(cmd.encode())
        got = b""
        while not got.endswith(b"+PONG\r\n"):
            chunk = s.recv(256)
            if not chunk:
                raise RuntimeError(f"port {port} closed: {got!r}")
            got += chunk


def timed_threads(users, per_user, fn):
    """users threads, started together, each calling fn(u, i) per_user times; fn answers the
    milliseconds of one call or None (failed). (times, wall seconds)."""
    barrier = threading.Barrier(users + 1, timeout=300)
    times, lock = [], threading.Lock()

    def worker(u):
        try:
            barrier.wait()
            for i in range(per_user):
                ms = fn(u, i)
                if ms is not None:
                    with lock:
                        times.append(ms)
        except threading.BrokenBarrierError:
            pass

    threads = [threading.Thread(target=worker, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return times, time.perf_counter() - t0


def node_manager_floor(p, users, per_user):
    """The same load straight at node-manager: PUT /v1/instances/{id} with the internal token,
    users threads with a keep-alive session each. What every backend create waits for."""
    sessions = []
    for _ in range(users):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {TOKEN}"
        sessions.append(s)

    def put(u, i):
        t0 = time.perf_counter()
        r = sessions[u].put(p.url("NODE_MANAGER_PORT", f"/v1/instances/floor-{u}-{i}"),
                            json={"memory_limit_mb": 1, "password": PASSWORD}, timeout=60)
        return (time.perf_counter() - t0) * 1000 if r.status_code == 201 else None

    times, wall = timed_threads(users, per_user, put)
    return {"p50": pct(times, 0.5), "p95": pct(times, 0.95), "rate": len(times) / wall} \
        if times else None


def run_engine(binary, engine, users, per_user, pg=None, data_root=None):
    with tempfile.TemporaryDirectory(prefix=f"bench-backend-{engine}-", dir=data_root) as tmp:
        auth_db = main_db = ""
        if engine == "postgres":
            auth_db, main_db = pg.create_database("auth"), pg.create_database("main")
        p = Platform(binary, tmp, pool_size=2 * users * (per_user + 1) + 20, auth_db=auth_db,
                     main_db=main_db)
        try:
            tokens = []
            for _ in range(users):  # one at a time: argon2id is meant to be slow
                r = requests.post(p.url("AUTH_SERVICE_PORT", "/api/v1/auth/register"),
                                  json={"email": f"b{secrets.token_hex(6)}@example.com",
                                        "password": PASSWORD}, timeout=60)
                r.raise_for_status()
                tokens.append(r.json()["access_token"])

            barrier = threading.Barrier(users + 1, timeout=300)
            times, errors, created = [], [], []
            lock = threading.Lock()

            def worker(u):
                s = requests.Session()
                s.headers["Authorization"] = f"Bearer {tokens[u]}"
                url = p.url("BACKEND_PORT", "/api/v1/instances")

                def one(name):
                    t0 = time.perf_counter()
                    r = s.post(url, json={"name": name, "memory_limit_mb": 1}, timeout=60)
                    ms = (time.perf_counter() - t0) * 1000
                    if r.status_code != 201 or r.json().get("status") != "running":
                        with lock:
                            errors.append(f"{r.status_code} {r.text[:200]}")
                        return None
                    body = r.json()
                    with lock:
                        created.append((body["endpoint"]["port"], body["password"]))
                    return ms

                try:
                    one(f"warm-{u}")
                    barrier.wait()
                    for i in range(per_user):
                        ms = one(f"u{u}-{i}")
                        if ms is not None:
                            with lock:
                                times.append(ms)
                except Exception as e:  # noqa: BLE001 - counted, and the others go on
                    barrier.abort()
                    with lock:
                        errors.append(f"user {u}: {e!r}")

            threads = [threading.Thread(target=worker, args=(u,)) for u in range(users)]
            for t in threads:
                t.start()
            barrier.wait()
            cpu0, t0 = cpu_seconds(p.proc.pid), time.perf_counter()
            for t in threads:
                t.join()
            wall, cpu = time.perf_counter() - t0, cpu_seconds(p.proc.pid) - cpu0
            for port, password in created:
                auth_ping(port, password)
            if not times:
                raise RuntimeError(f"no create succeeded: {errors[:3]}")
            floor = node_manager_floor(p, users, per_user)
            return {"floor": floor,"n": len(times), "errors": len(errors), "first_error": errors[:1],
                    "p50": pct(times, 0.50), "p95": pct(times, 0.95), "p99": pct(times, 0.99),
                    "max": max(times), "rate": len(times) / wall,
                    "cpu_ms": cpu * 1000 / len(times), "answered": len(created)}
        finally:
            p.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--binary", help="miniredis binary (default: BUILD/bin/miniredis)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--per-user", type=int, default=10)
    ap.add_argument("--engines", default="sqlite,postgres")
    ap.add_argument("--data-roots", default="/tmp,/dev/shm",
                    help="folders for DATA_DIR (disk, and tmpfs for the service's own cost)")
    ap.add_argument("--results")
    args = ap.parse_args()
    binary = Path(args.binary or ROOT / args.build / "bin/miniredis").resolve()

    results, failures = {}, {}
    pg = None
    try:
        for root in args.data_roots.split(","):
            if not os.path.isdir(root):
                continue
            for engine in args.engines.split(","):
                key = (engine, root)
                try:
                    if engine == "postgres" and pg is None:
                        from pg import PostgresCluster
                        pg = PostgresCluster()
                    print(f"[backend bench] {engine}, data in {root}: {args.users} users x "
                          f"{args.per_user} creates", flush=True)
                    results[key] = run_engine(binary, engine, args.users, args.per_user, pg,
                                              root)
                    print(f"[backend bench] {key}: {results[key]}", flush=True)
                except Exception as e:  # recorded in the table, and the exit status says so
                    failures[key] = str(e).splitlines()[0][:200]
                    print(f"[backend bench] {key} failed: {e}", file=sys.stderr, flush=True)
    finally:
        if pg is not None:
            pg.stop()

    lines = [SECTION, "",
             f"Machine: {os.cpu_count()} cores. " + (
                 f"`bench/backend/create_instances.py --binary {args.binary}`" if args.binary
                 else f"`bench/backend/run.sh {args.build}`") + ".", "",
             f"Creating an instance end to end: {args.users} concurrent users (one thread and one "
             f"keep-alive session each, each its own user), each creating {args.per_user} "
             "instances one after another after one warm-up create; latency is POST "
             "/api/v1/instances until its 201 (`\"status\": \"running\"`: placed, stored, "
             "provisioned by node-manager, audited). One process "
             "`--target=node-manager,auth-service,backend`, default persistence; the Python "
             "client shares the cores. Every created instance then answered AUTH + PING on its "
             "dedicated port. PostgreSQL runs with fsync=off in its own temp folder; the data "
             "dir (node-manager's records, SQLite's main.db) is on disk (/tmp) or tmpfs "
             "(/dev/shm). The last columns put the same load (same threads, same count) straight "
             "on node-manager's PUT /v1/instances/{id}, which every create waits for.", "",
             "| database | data dir | creates | p50 | p95 | p99 | max | creates/s "
             "| server CPU per create | refused | node-manager PUT alone: p95, PUTs/s | figure |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for root in args.data_roots.split(","):
        for engine in args.engines.split(","):
            key = (engine, root)
            label = {"sqlite": "SQLite", "postgres": "PostgreSQL 15"}.get(engine, engine)
            kind = "tmpfs" if root.startswith("/dev/shm") else "disk"
            if key in results:
                r = results[key]
                verdict = "met" if r["p95"] <= FIGURE_MS else "not met"
                fl = r["floor"]
                floor = f"{fl['p95']:.1f} ms, {fl['rate']:.0f}" if fl else "failed"
                lines.append(f"| {label} | {kind} ({root}) | {r['n']} | {r['p50']:.1f} ms | "
                             f"{r['p95']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.1f} ms | "
                             f"{r['rate']:.0f} | {r['cpu_ms']:.2f} ms | {r['errors']} | {floor} "
                             f"| p95 <= {FIGURE_MS:.0f} ms: **{verdict}** |")
            elif key in failures:
                lines.append(f"| {label} | {kind} ({root}) | not run: {failures[key]} "
                             "| | | | | | | | | |")
    errs = [f"{k[0]} in {k[1]}: {r['first_error'][0]}" for k, r in results.items()
            if r["first_error"]]
    if errs:
        lines += ["", "First refused create: " + "; ".join(errs)]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        replace_section(ROOT / args.results, text)
    if failures or any(r["errors"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
