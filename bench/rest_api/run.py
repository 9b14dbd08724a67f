#!/usr/bin/env python3
"""REST data API benchmark: GET through the gateway, keep-alive, Upstash's body form.

One process `miniredis --target=node-manager,auth-service,backend,api-gateway` (release build,
rate limits off). A user registers, creates an instance through the backend and SETs one key;
then wrk (CONNECTIONS keep-alive connections, 2 threads, DURATION s) POSTs ["GET", key] with
Upstash-Encoding: base64 to /rest/{id} with the instance's REST token, and, as the baseline,
the same GET as {"commands": [["GET", key]]} to node-manager's exec API directly (the hop the
gateway adds: token check, route cache, JSON in and out, one pooled call). Requests/s, wrk's
latency percentiles, non-2xx answers, and the miniredis process' CPU per request. The load
generator runs on the same 2 cores. Figure: >= 10,000 GET/s through the gateway.

Usage: bench/rest_api/run.py [--build build/release] [--connections 50] [--duration 10]
                             [--results bench/RESULTS.md]
"""
import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from common import cpu_seconds, replace_section  # noqa: E402

import requests  # noqa: E402

SECTION = "# REST data API benchmark"
FIGURE = 10000
EXTRA_ENV = []  # NAME=VALUE settings for the platform (--env)
LUA = """
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Upstash-Encoding"] = "base64"
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.1f %.1f %.1f\\n", summary.requests,
    summary.errors.status, summary.duration, latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9)))
end
"""


def start_platform(binary, tmp):
    os.environ["MINIREDIS_BIN"] = str(binary)
    import importlib
    import support
    importlib.reload(support)
    start = support.free_port_range(4)
    p = support.Platform(Path(tmp), target="node-manager,auth-service,backend,api-gateway",
                         extra_env={"INTERNAL_TOKEN": "bench-" + secrets.token_hex(8),
                                    "REDIS_PORT_START": str(start),
                                    "REDIS_PORT_END": str(start + 3), "NODE_MEMORY_MB": "1024",
                                    "RATE_LIMIT_PER_USER": "0", "RATE_LIMIT_PER_ADDRESS": "0",
                                    "LOG_LEVEL": "warn",
                                    **dict(kv.split("=", 1) for kv in EXTRA_ENV)})
    p.env["AUTH_SERVICE_URL"] = p.url("auth-service")
    p.env["BACKEND_URL"] = p.url("backend")
    p.env["NODE_MANAGER_URLS"] = p.url("node-manager")
    p.start(wait_for=["node-manager", "auth-service", "backend", "api-gateway"])
    deadline = time.time() + 30
    while requests.get(p.url("backend", "/readyz"), timeout=5).status_code != 200:
        assert time.time() < deadline, p.output()[-4000:]
        time.sleep(0.1)
    return p


def wrk(url, token, body, connections, duration, tmp):
    script = Path(tmp) / "bench.lua"
    script.write_text(LUA)
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_BODY=body)
    r = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), url],
                       env=env, capture_output=True, text=True, timeout=duration + 60)
    m = re.search(r"^BENCH (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    n, bad, us, p50, p99, p999 = m.groups()
    return {"requests": int(n), "non2xx": int(bad), "rps": int(n) / (int(us) / 1e6),
            "p50_ms": float(p50) / 1000, "p99_ms": float(p99) / 1000,
            "p999_ms": float(p999) / 1000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the platform")
    ap.add_argument("--results")
    args = ap.parse_args()
    EXTRA_ENV.extend(args.env)
    binary = (ROOT / args.build / "bin" / "miniredis").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        p = start_platform(binary, tmp)
        try:
            email = f"bench{secrets.token_hex(4)}@example.com"
            r = requests.post(p.url("auth-service", "/api/v1/auth/register"),
                              json={"email": email, "password": "correct-Horse-battery-9"})
            user = r.json()["access_token"]
            inst = requests.post(p.url("backend", "/api/v1/instances"),
                                 json={"name": "bench", "memory_limit_mb": 64},
                                 headers={"Authorization": f"Bearer {user}"}).json()
            iid, token = inst["id"], inst["rest_token"]
            rest = p.url("api-gateway", f"/rest/{iid}")
            assert requests.post(rest, json=["SET", "bench:key", "v" * 16],
                                 headers={"Authorization": f"Bearer {token}"}).json() == \
                {"result": "OK"}
            rows = []
            for name, url, tok, body in [
                ("gateway POST /rest/{id}", rest, token, '["GET","bench:key"]'),
                ("node-manager exec (baseline)",
                 p.url("node-manager", f"/v1/instances/{iid}/exec"), p.env["INTERNAL_TOKEN"],
                 '{"commands":[["GET","bench:key"]],"encoding":"base64"}'),
            ]:
                wrk(url, tok, body, args.connections, 2, tmp)  # warm-up
                cpu0 = cpu_seconds(p.proc.pid)
                res = wrk(url, tok, body, args.connections, args.duration, tmp)
                res["cpu_us"] = (cpu_seconds(p.proc.pid) - cpu0) / res["requests"] * 1e6
                rows.append((name, res))
        finally:
            p.stop()
    gateway = rows[0][1]["rps"]
    lines = [SECTION, "",
             f"Machine: 2 cores (wrk included). `bench/rest_api/run.sh {args.build}`: wrk -t2 "
             f"-c{args.connections} -d{args.duration}s, keep-alive, GET of a 16-byte value, "
             "Upstash-Encoding: base64.", "",
             "| path | GET/s | p50 ms | p99 ms | p99.9 ms | non-2xx | miniredis CPU us/req |",
             "|---|---|---|---|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                     f"{r['p999_ms']:.2f} | {r['non2xx']} | {r['cpu_us']:.1f} |")
    verdict = "met" if gateway >= FIGURE and rows[0][1]["non2xx"] == 0 else "NOT met"
    lines += ["", f"Figure: >= {FIGURE} GET/s through the gateway: **{verdict}** "
              f"({gateway:.0f}/s).", ""]
    text = "\n".join(lines)
    print(text)
    if args.results:
        replace_section(ROOT / args.results, text)


if __name__ == "__main__":
    main()
