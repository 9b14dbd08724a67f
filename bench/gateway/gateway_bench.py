#!/usr/bin/env python3
"""gateway benchmark: what the api-gateway costs, each figure beside its baseline in the same run.

One process `miniredis --target=all` (every port setting on a free port, its own data dir,
LOG_LEVEL=warn, METRICS_POLL_INTERVAL=1s, RATE_LIMIT_PER_USER=0 for the whole run so that no
measured request is answered 429). A user registers through the gateway and creates one
instance through it; then, the gateway and its baseline in alternation (ABAB...):

1. Overhead: wrk -t1 -c1 --latency (one keep-alive connection, a Lua script sets
   `Authorization: Bearer <access token>`) on GET /api/v1/instances/{id} and GET /api/v1/quota,
   through the gateway and straight to the backend's port with the same token (the backend
   verifies access tokens itself). p50/p95/p99 per round; the table holds the median of the
   rounds. Figure: the gateway adds <= 1 ms at p50.
2. Throughput: wrk -t2 -c32 (keep-alive) on GET /api/v1/instances/{id}, gateway vs backend,
   best of the rounds, plus the miniredis process' CPU per request. Figure: >= 5,000 req/s.
3. REST data API: wrk -t2 -c32 POSTing ["GET", key] to /rest/{id} with the instance's
   rest_token, vs redis-benchmark -t get -c 32 --threads 2 on the instance's dedicated port (same
   key, same 3-byte value). Figure: >= 10,000 GET/s through the gateway. When POST /rest/{id}
   does not answer 200 {"result": ...} the bench prints "REST data API not available", records
   it, and exits non-zero.
4. Metrics freshness: TRIALS times, write N keys with redis-py (one pipeline) and, from its
   acknowledgement, poll GET /api/v1/instances/{id}/metrics?window=15m through the gateway every
   100 ms until `latest.keys` (else the newest non-null point of series.keys) equals DBSIZE.
   p50/max. Figure: <= 2 s.

The load generators share the machine's cores with the platform; the load average (uptime) at
the start and the end is recorded with the results.

Usage: bench/gateway/gateway_bench.py [--build build/release | --binary PATH]
           [--latency-seconds 5] [--throughput-seconds 10] [--rounds 3] [--connections 32]
           [--trials 10] [--keys 1000] [--results bench/RESULTS.md]
"""
import argparse
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from common import cpu_seconds, free_port, replace_section  # noqa: E402

import redis  # noqa: E402
import requests  # noqa: E402

SECTION = "# gateway benchmark"
PASSWORD = "correct-Horse-battery-9"
OVERHEAD_MS = 1.0
THROUGHPUT = 5000
REST_GETS = 10000
FRESHNESS_S = 2.0
BENCH_KEY = "key:__rand_int__"  # the key redis-benchmark -t get reads without -r
SERVICE_PORTS = ("GATEWAY_PORT", "AUTH_SERVICE_PORT", "BACKEND_PORT", "NODE_MANAGER_PORT",
                 "MONITORING_SERVICE_PORT", "FRONTEND_PORT", "REDIS_SHARED_PORT")

LUA = """
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %.1f %.1f %.1f\\n", summary.requests,
    e.status, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def load():
    return "load average %.2f, %.2f, %.2f" % os.getloadavg()


def build_flags(binary):
    """The optimisation level the binary was compiled with (first DWARF producer), e.g. "-O2";
    a binary built without -O is a debug build and its figures are not the release ones."""
    try:
        proc = subprocess.Popen(["readelf", "--debug-dump=info", str(binary)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return "unknown build"
    producer = None
    for line in proc.stdout:  # stop at the first compile unit's producer: the dump is huge
        if "DW_AT_producer" in line:
            producer = line
            break
    proc.kill()
    proc.wait()
    if producer is None:
        return "unknown build (no debug info)"
    level = re.findall(r"\s(-O\w*)", producer)
    return f"compiled with {level[-1]}" if level else "**debug build (no -O)**"


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def free_range(n, lo=20000, hi=32000):
    """n consecutive bindable ports below the ephemeral range (dedicated instance ports)."""
    for _ in range(200):
        start = random.randrange(lo, hi - n)
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
    raise RuntimeError(f"no {n} free ports in {lo}..{hi}")


class Platform:
    """`miniredis --target=all` on free ports; stopped by its PID."""

    def __init__(self, binary, tmp):
        self.ports = {k: free_port() for k in SERVICE_PORTS}
        start = free_range(8)
        self.token = "bench-" + secrets.token_hex(8)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_PORT")}
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update({
            "DATA_DIR": str(Path(tmp) / "data"), "INTERNAL_TOKEN": self.token,
            "REDIS_PORT_START": str(start), "REDIS_PORT_END": str(start + 7),
            "AUTH_SERVICE_URL": self.base("AUTH_SERVICE_PORT"),
            "BACKEND_URL": self.base("BACKEND_PORT"),
            "MONITORING_SERVICE_URL": self.base("MONITORING_SERVICE_PORT"),
            "NODE_MANAGER_URLS": self.base("NODE_MANAGER_PORT"),
            "PUBLIC_API_URL": self.base("GATEWAY_PORT"),
            "FRONTEND_DIST_DIR": str(ROOT / "web/dist"),
            "NODE_MEMORY_MB": "1024", "LOG_LEVEL": "warn", "METRICS_POLL_INTERVAL": "1s",
            "RATE_LIMIT_PER_USER": "0", "ACCESS_TOKEN_TTL": "1h"})
        self.log_path = Path(tmp) / "miniredis.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(binary), "--target=all"], env=env, cwd=tmp,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for port in SERVICE_PORTS[:5]:
            self.wait_ready(port)

    def base(self, port):
        return f"http://127.0.0.1:{self.ports[port]}"

    def url(self, port, path):
        return self.base(port) + path

    def wait_ready(self, port, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"miniredis exited with {self.proc.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url(port, "/readyz"), timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{port} not ready within {timeout}s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(url, token, threads, connections, seconds, tmp, method="GET", body=""):
    script = Path(tmp) / "bench.lua"
    script.write_text(LUA)
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_METHOD=method, BENCH_BODY=body)
    r = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                        "-s", str(script), url], env=env, capture_output=True, text=True,
                       timeout=seconds + 60)
    m = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", r.stdout, re.M)
    if not m:
        raise RuntimeError(f"wrk gave no summary: {r.stdout[-500:]} {r.stderr[-500:]}")
    n, bad, sock, us, p50, p95, p99 = m.groups()
    return {"requests": int(n), "non2xx": int(bad), "sock_errors": int(sock),
            "rps": int(n) / (int(us) / 1e6), "p50": float(p50) / 1000,
            "p95": float(p95) / 1000, "p99": float(p99) / 1000}


def redis_benchmark(port, password, connections, requests_n):
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-a", password,
                          "-c", str(connections), "--threads", "2", "-n", str(requests_n),
                          "-t", "get", "--csv"], capture_output=True, text=True, check=True,
                         timeout=300).stdout
    rows = [line.replace('"', "").split(",") for line in out.splitlines()
            if line.startswith('"GET"')]
    if not rows:
        raise RuntimeError(f"redis-benchmark gave no GET row: {out[-500:]}")
    row = rows[0]  # test, rps, avg, min, p50, p95, p99, max
    return {"rps": float(row[1]), "p50": float(row[4]), "p95": float(row[5]),
            "p99": float(row[6]), "non2xx": 0, "sock_errors": 0}


def alternate(pairs, rounds, run):
    """pairs: [(label, args)]; runs every pair once per round, in order; {label: [results]}."""
    out = {label: [] for label, _ in pairs}
    for _ in range(rounds):
        for label, args in pairs:
            out[label].append(run(*args))
    return out


def median_of(rounds):
    return {k: statistics.median(r[k] for r in rounds)
            for k in ("p50", "p95", "p99", "rps")} | {
        "non2xx": sum(r["non2xx"] for r in rounds),
        "sock_errors": sum(r["sock_errors"] for r in rounds)}


def best_of(rounds):
    best = max(rounds, key=lambda r: r["rps"])
    return dict(best, non2xx=sum(r["non2xx"] for r in rounds),
                sock_errors=sum(r["sock_errors"] for r in rounds))


def freshness(p, client, gw_session, iid, trials, keys):
    url = p.url("GATEWAY_PORT", f"/api/v1/instances/{iid}/metrics?window=15m")
    r = gw_session.get(url, timeout=10)
    if r.status_code != 200:
        raise RuntimeError(f"metrics through the gateway answered {r.status_code}: {r.text[:200]}")
    delays, base = [], f"fresh:{secrets.token_hex(3)}"
    for t in range(trials):
        time.sleep(random.uniform(0.2, 1.2))  # land anywhere in the poll interval
        pipe = client.pipeline(transaction=False)
        for i in range(keys):
            pipe.set(f"{base}:{t}:{i}", "v")
        pipe.execute()
        t0 = time.perf_counter()
        expected = client.dbsize()
        while True:
            body = gw_session.get(url, timeout=10).json()
            latest = (body.get("latest") or {}).get("keys")
            if latest is None:
                latest = next((v for v in reversed(body.get("series", {}).get("keys", []))
                               if v is not None), None)
            if latest == expected:
                delays.append(time.perf_counter() - t0)
                break
            if time.perf_counter() - t0 > 30:
                raise RuntimeError(f"keys never reached {expected} (last {latest}) in 30 s")
            time.sleep(0.1)
    return {"p50": pct(delays, 0.5), "max": max(delays), "min": min(delays), "n": len(delays)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--binary", help="miniredis binary (default: BUILD/bin/miniredis)")
    ap.add_argument("--latency-seconds", type=int, default=5)
    ap.add_argument("--throughput-seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--keys", type=int, default=1000)
    ap.add_argument("--results")
    args = ap.parse_args()
    binary = Path(args.binary or ROOT / args.build / "bin/miniredis").resolve()
    conns = args.connections
    load_start, uptime_start = load(), subprocess.run(["uptime"], capture_output=True,
                                                      text=True).stdout.strip()
    flags = build_flags(binary)
    print(f"[gateway bench] {binary} ({flags}); {uptime_start}", flush=True)

    failures, latency, throughput, rest, fresh = [], {}, {}, None, None
    rest_note = ""
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        p = Platform(binary, tmp)
        try:
            gw = requests.Session()
            r = gw.post(p.url("GATEWAY_PORT", "/api/v1/auth/register"),
                        json={"email": f"gw{secrets.token_hex(5)}@example.com",
                              "password": PASSWORD}, timeout=60)
            r.raise_for_status()
            access = r.json()["access_token"]
            gw.headers["Authorization"] = f"Bearer {access}"
            r = gw.post(p.url("GATEWAY_PORT", "/api/v1/instances"),
                        json={"name": "bench", "memory_limit_mb": 64}, timeout=60)
            if r.status_code != 201 or r.json().get("status") != "running":
                raise RuntimeError(f"create through the gateway: {r.status_code} {r.text[:300]}")
            inst = r.json()
            iid, rest_token = inst["id"], inst["rest_token"]
            port, password = inst["endpoint"]["port"], inst["password"]
            client = redis.Redis(host="127.0.0.1", port=port, password=password)
            client.set(BENCH_KEY, "xxx")  # redis-benchmark's key and its default 3-byte value

            # 1. overhead, one connection
            for label, path in (("GET /api/v1/instances/{id}", f"/api/v1/instances/{iid}"),
                                ("GET /api/v1/quota", "/api/v1/quota")):
                for port_name in ("GATEWAY_PORT", "BACKEND_PORT"):
                    r = requests.get(p.url(port_name, path), timeout=10,
                                     headers={"Authorization": f"Bearer {access}"})
                    if r.status_code != 200:
                        raise RuntimeError(f"{port_name} {path}: {r.status_code} {r.text[:200]}")
                pairs = [(n, (p.url(pn, path), access, 1, 1, args.latency_seconds, tmp))
                         for n, pn in (("gateway", "GATEWAY_PORT"), ("backend", "BACKEND_PORT"))]
                for _, a in pairs:
                    wrk(*a[:4], 1, tmp)  # warm-up
                print(f"[gateway bench] latency {path}", flush=True)
                res = alternate(pairs, args.rounds, wrk)
                latency[label] = {k: median_of(v) for k, v in res.items()}
                latency[label]["rounds"] = res
                print(f"[gateway bench] {label}: {latency[label]}", flush=True)

            # 2. throughput
            path = f"/api/v1/instances/{iid}"

            def wrk_cpu(url, seconds):
                cpu0 = cpu_seconds(p.proc.pid)
                res = wrk(url, access, 2, conns, seconds, tmp)
                res["cpu_us"] = (cpu_seconds(p.proc.pid) - cpu0) / max(1, res["requests"]) * 1e6
                return res

            pairs = [(n, (p.url(pn, path), args.throughput_seconds))
                     for n, pn in (("gateway", "GATEWAY_PORT"), ("backend", "BACKEND_PORT"))]
            print("[gateway bench] throughput", flush=True)
            res = alternate(pairs, max(2, args.rounds - 1), wrk_cpu)
            throughput = {k: best_of(v) for k, v in res.items()}
            throughput["rounds"] = res
            print(f"[gateway bench] throughput: {throughput}", flush=True)

            # 3. REST data API
            rest_url = p.url("GATEWAY_PORT", f"/rest/{iid}")
            try:
                r = requests.post(rest_url, json=["GET", BENCH_KEY], timeout=10,
                                  headers={"Authorization": f"Bearer {rest_token}"})
                answer = r.json() if r.status_code == 200 else None
                ok = isinstance(answer, dict) and "result" in answer  # the route exists
                if ok and answer["result"] != "xxx":
                    failures.append(f"REST GET answered {answer!r}, expected {{'result': 'xxx'}}")
            except (requests.RequestException, ValueError) as e:
                r, ok = None, False
                rest_note = repr(e)[:200]
            if not ok:
                if not rest_note:
                    try:
                        err = r.json()["error"]
                        why = f"{err['code']}: {err['message']}"
                    except (ValueError, KeyError, TypeError):
                        why = r.text[:150]
                    rest_note = f"POST /rest/{{id}} answered {r.status_code} ({why})"
                print(f"REST data API not available ({rest_note})", file=sys.stderr, flush=True)
                failures.append("REST data API not available")
            else:
                body = f'["GET","{BENCH_KEY}"]'
                wrk(rest_url, rest_token, 2, conns, 1, tmp, "POST", body)  # warm-up
                print("[gateway bench] REST data API", flush=True)

                def one(which):
                    if which == "gateway":
                        return wrk(rest_url, rest_token, 2, conns, args.throughput_seconds, tmp,
                                   "POST", body)
                    return redis_benchmark(port, password, conns, 300000)

                res = alternate([("gateway", ("gateway",)),
                                 ("redis-benchmark", ("redis-benchmark",))],
                                max(2, args.rounds - 1), one)
                rest = {k: best_of(v) for k, v in res.items()}
                print(f"[gateway bench] REST: {rest}", flush=True)

            # 4. metrics freshness
            print("[gateway bench] metrics freshness", flush=True)
            try:
                fresh = freshness(p, client, gw, iid, args.trials, args.keys)
                print(f"[gateway bench] freshness: {fresh}", flush=True)
            except Exception as e:  # noqa: BLE001 - recorded, and the exit status says so
                failures.append(f"metrics freshness: {e}")
                print(f"[gateway bench] metrics freshness failed: {e}", file=sys.stderr)
        finally:
            p.stop()
    load_end = load()

    cmd = (f"`bench/gateway/gateway_bench.py --binary {args.binary}`" if args.binary
           else f"`bench/gateway/run.sh {args.build}`")
    lines = [SECTION, "",
             f"Machine: {os.cpu_count()} cores, shared with the load generators (and, during "
             f"this run, with other work: {load_start} at the start, {load_end} at the end). "
             f"{cmd}, binary {binary} ({flags}). One process `miniredis --target=all` (free ports, LOG_LEVEL=warn, "
             "METRICS_POLL_INTERVAL=1s, **RATE_LIMIT_PER_USER=0 for the whole run**); user "
             "registered and instance created through the gateway. Gateway and baseline run "
             "in alternation in the same run.", "",
             f"Overhead: wrk -t1 -c1 -d{args.latency_seconds}s --latency (one keep-alive "
             "connection, Lua script setting `Authorization: Bearer <access token>`), median of "
             f"{args.rounds} rounds each; the baseline is the same request with the same token "
             "straight to the backend's port (the backend verifies the JWT itself).", "",
             "| request | gateway p50 | backend p50 | added p50 | ratio | gateway p95 | "
             "backend p95 | ratio | non-2xx | figure |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, res in latency.items():
        g, b = res["gateway"], res["backend"]
        added = g["p50"] - b["p50"]
        verdict = "met" if added <= OVERHEAD_MS else "not met"
        lines.append(f"| {label} | {g['p50']:.3f} ms | {b['p50']:.3f} ms | {added:+.3f} ms | "
                     f"{g['p50'] / b['p50']:.2f}x | {g['p95']:.3f} ms | {b['p95']:.3f} ms | "
                     f"{g['p95'] / b['p95']:.2f}x | {g['non2xx'] + b['non2xx']} | "
                     f"added p50 <= {OVERHEAD_MS:g} ms: **{verdict}** |")
    if throughput:
        g, b = throughput["gateway"], throughput["backend"]
        verdict = "met" if g["rps"] >= THROUGHPUT and g["non2xx"] == 0 else "not met"
        lines += ["", f"Throughput: wrk -t2 -c{conns} -d{args.throughput_seconds}s, keep-alive, "
                  "GET /api/v1/instances/{id} with the access token, best of "
                  f"{len(throughput['rounds']['gateway'])} rounds each; CPU is the whole "
                  "miniredis process (gateway + backend) per request.", "",
                  "| path | req/s | p50 | p99 | non-2xx | miniredis CPU per request |",
                  "|---|---|---|---|---|---|",
                  f"| through the gateway | {g['rps']:.0f} | {g['p50']:.2f} ms | {g['p99']:.2f} ms "
                  f"| {g['non2xx']} | {g['cpu_us']:.0f} us |",
                  f"| straight to the backend | {b['rps']:.0f} | {b['p50']:.2f} ms | "
                  f"{b['p99']:.2f} ms | {b['non2xx']} | {b['cpu_us']:.0f} us |", "",
                  f"Gateway/backend: {g['rps'] / b['rps']:.2f}x. Figure >= {THROUGHPUT} req/s "
                  f"through the gateway: **{verdict}** ({g['rps']:.0f}/s)."]
    lines += ["", f"REST data API: wrk -t2 -c{conns} -d{args.throughput_seconds}s POSTing "
              f"`[\"GET\",\"{BENCH_KEY}\"]` (3-byte value) to /rest/{{id}} with the rest_token, "
              f"vs redis-benchmark -t get -c {conns} --threads 2 -n 300000 on the instance's "
              "dedicated port (same key, same value), best of the rounds."]
    if rest:
        g, b = rest["gateway"], rest["redis-benchmark"]
        verdict = "met" if g["rps"] >= REST_GETS and g["non2xx"] == 0 else "not met"
        lines += ["", "| path | GET/s | p50 | p99 | non-2xx |", "|---|---|---|---|---|",
                  f"| gateway POST /rest/{{id}} | {g['rps']:.0f} | {g['p50']:.2f} ms | "
                  f"{g['p99']:.2f} ms | {g['non2xx']} |",
                  f"| RESP, dedicated port (redis-benchmark) | {b['rps']:.0f} | {b['p50']:.2f} ms "
                  f"| {b['p99']:.2f} ms | |", "",
                  f"REST/RESP: {g['rps'] / b['rps']:.2f}x. Figure >= {REST_GETS} GET/s through "
                  f"the gateway: **{verdict}** ({g['rps']:.0f}/s)."]
    else:
        lines += ["", f"**REST data API not available**: {rest_note}. Not measured; the bench "
                  "exits non-zero."]
    lines += ["", f"Metrics freshness: {args.trials} trials, each writing {args.keys} keys with "
              "redis-py (one pipeline) on the dedicated port, then GET "
              "/api/v1/instances/{id}/metrics?window=15m through the gateway every 100 ms until "
              "`latest.keys` equals DBSIZE (time from the write's acknowledgement)."]
    if fresh:
        verdict = "met" if fresh["max"] <= FRESHNESS_S else "not met"
        lines += ["", f"p50 {fresh['p50']:.2f} s, min {fresh['min']:.2f} s, max "
                  f"{fresh['max']:.2f} s over {fresh['n']} trials. Figure <= {FRESHNESS_S:g} s "
                  f"(max): **{verdict}**."]
    else:
        lines += ["", "Not measured: " + "; ".join(f for f in failures if "freshness" in f)]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        replace_section(ROOT / args.results, text)
    if failures or any(v["non2xx"] for d in [*latency.values(), throughput, rest or {}]
                       for k, v in d.items() if k != "rounds"):
        print("[gateway bench] FAILED: " + "; ".join(failures or ["non-2xx answers or socket "
                                                                  "errors, see above"]),
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
