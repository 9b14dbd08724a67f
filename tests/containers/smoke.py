#!/usr/bin/env python3
"""User-journey smoke test against the Docker Compose stack's published ports (stdlib only).

  smoke.py journey --env FILE --state STATE   register -> create instance -> redis-cli SET/GET on
                                              the dedicated and the shared port -> metrics; saves
                                              the account and instance to STATE
  smoke.py verify  --env FILE --state STATE   after `down` + `up`: the same login works and the
                                              tenant's key is still there (dedicated + shared port)
Run by scripts/test-containers; exits non-zero with a message on the first failed step.
"""
import argparse
import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request


def load_env(path):
    env = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


class Stack:
    def __init__(self, env):
        host = env.get("PUBLISH_ADDRESS", "127.0.0.1")
        self.host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.env = env
        self.gateway = f"http://{self.host}:{env['GATEWAY_PORT']}"

    def http(self, method, url, body=None, token=None, expect=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        req.add_header("Origin", "http://localhost:5173")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if expect and status not in expect:
            fail(f"{method} {url} -> {status} {text[:300]}")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def api(self, method, path, body=None, token=None, expect=(200, 201)):
        return self.http(method, self.gateway + path, body, token, expect)[1]

    def redis(self, port, *args, password=None, user=None):
        cmd = ["redis-cli", "--no-auth-warning", "-h", self.host, "-p", str(port)]
        if user:
            cmd += ["--user", user]
        if password:
            cmd += ["--pass", password]
        out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=15)
        if out.returncode != 0:
            fail(f"redis-cli -p {port} {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout.strip()


def fail(message):
    print(f"smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def step(message):
    print(f"smoke: {message}", flush=True)


def journey(stack, state_path):
    env = stack.env
    # Every service answers its health endpoints on its published port.
    for name in ("GATEWAY_PORT", "AUTH_SERVICE_PORT", "BACKEND_PORT", "NODE_MANAGER_PORT",
                 "MONITORING_SERVICE_PORT", "FRONTEND_PORT"):
        stack.http("GET", f"http://{stack.host}:{env[name]}/readyz")
    step("every service is ready on its published port")
    frontend = f"http://{stack.host}:{env['FRONTEND_PORT']}"
    _, page = stack.http("GET", frontend + "/")
    if "<html" not in str(page).lower():
        fail("the frontend did not answer an HTML page")
    _, cfg = stack.http("GET", frontend + "/config.json")
    if cfg.get("api_url") != env["PUBLIC_API_URL"]:
        fail(f"frontend /config.json api_url is {cfg.get('api_url')!r}")
    step("the frontend serves the console and its config")

    email = f"smoke-{secrets.token_hex(4)}@example.com"
    password = "correct-Horse-battery-" + secrets.token_hex(3)
    reg = stack.api("POST", "/api/v1/auth/register", {"email": email, "password": password})
    token = reg["access_token"]
    me = stack.api("GET", "/api/v1/auth/me", token=token)
    step(f"registered {me.get('email', email)}")

    inst = stack.api("POST", "/api/v1/instances", {"name": "smoke", "memory_limit_mb": 32,
                     "eviction_policy": "allkeys-lru", "persistence": "aof-always"}, token=token)
    iid = inst["id"]
    deadline = time.time() + 30
    while inst["status"] != "running" or not inst.get("endpoint", {}).get("port"):
        if time.time() > deadline:
            fail(f"instance {iid} is {inst['status']} after 30 s")
        time.sleep(0.5)
        inst = stack.api("GET", f"/api/v1/instances/{iid}", token=token)
    ep = inst["endpoint"]
    if ep["host"] != env["REDIS_PUBLIC_HOST"]:
        fail(f"endpoint host {ep['host']} is not REDIS_PUBLIC_HOST {env['REDIS_PUBLIC_HOST']}")
    if not int(env["REDIS_PORT_START"]) <= ep["port"] <= int(env["REDIS_PORT_END"]):
        fail(f"endpoint port {ep['port']} is outside the published tenant range")
    step(f"created {iid}: {ep['host']}:{ep['port']} (shared {ep['shared_port']})")

    pw = inst["password"]
    if stack.redis(ep["port"], "SET", "smoke:key", "hello-containers", password=pw) != "OK":
        fail("SET on the dedicated port did not answer OK")
    got = stack.redis(ep["port"], "GET", "smoke:key", password=pw)
    if got != "hello-containers":
        fail(f"GET on the dedicated port answered {got!r}")
    got = stack.redis(ep["shared_port"], "GET", "smoke:key", user=iid, password=pw)
    if got != "hello-containers":
        fail(f"GET on the shared port answered {got!r}")
    for i in range(50):
        stack.redis(ep["port"], "INCR", "smoke:counter", password=pw)
    step("redis-cli SET/GET works on the dedicated and the shared published ports")

    web = stack.api("POST", f"/api/v1/instances/{iid}/command", {"command": ["GET", "smoke:key"]},
                    token=token)
    if web.get("result") != "hello-containers":
        fail(f"web CLI GET answered {web}")
    deadline = time.time() + 20
    while True:
        m = stack.api("GET", f"/api/v1/instances/{iid}/metrics?window=15m", token=None or token,
                      expect=(200, 404))
        latest = (m or {}).get("latest") if isinstance(m, dict) else None
        if latest and (latest.get("keys") or 0) >= 2:
            break
        if time.time() > deadline:
            fail(f"no metrics with the instance's keys after 20 s: {str(m)[:300]}")
        time.sleep(1)
    step(f"metrics: keys={latest.get('keys')} used_memory={latest.get('used_memory')} "
         f"ops_per_sec={latest.get('ops_per_sec')}")
    _, prom = stack.http("GET", f"http://{stack.host}:{env['NODE_MANAGER_PORT']}/metrics")
    if "# TYPE" not in str(prom):
        fail("node-manager /metrics is not Prometheus text")

    json.dump({"email": email, "password": password, "id": iid, "port": ep["port"],
               "shared_port": ep["shared_port"], "instance_password": pw},
              open(state_path, "w", encoding="utf-8"))
    step("journey passed")


def verify(stack, state_path):
    st = json.load(open(state_path, encoding="utf-8"))
    login = stack.api("POST", "/api/v1/auth/login", {"email": st["email"], "password": st["password"]})
    token = login["access_token"]
    deadline = time.time() + 30
    while True:
        inst = stack.api("GET", f"/api/v1/instances/{st['id']}", token=token)
        if inst["status"] == "running":
            break
        if time.time() > deadline:
            fail(f"instance {st['id']} is {inst['status']} 30 s after up")
        time.sleep(0.5)
    if inst["endpoint"]["port"] != st["port"]:
        fail(f"the instance moved from port {st['port']} to {inst['endpoint']['port']}")
    got = stack.redis(st["port"], "GET", "smoke:key", password=st["instance_password"])
    if got != "hello-containers":
        fail(f"after down/up GET answered {got!r}: the tenant's data is lost")
    got = stack.redis(st["port"], "GET", "smoke:counter", password=st["instance_password"])
    if got != "50":
        fail(f"after down/up the counter is {got!r}, not 50")
    got = stack.redis(st["shared_port"], "GET", "smoke:key", user=st["id"],
                      password=st["instance_password"])
    if got != "hello-containers":
        fail(f"after down/up the shared port answered {got!r}")
    step("after down + up: login works, the instance runs on the same port, its data is intact")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("phase", choices=["journey", "verify"])
    p.add_argument("--env", required=True)
    p.add_argument("--state", required=True)
    a = p.parse_args()
    stack = Stack(load_env(a.env))
    (journey if a.phase == "journey" else verify)(stack, a.state)


if __name__ == "__main__":
    main()
