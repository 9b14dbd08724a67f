"""The backend under test: a Stack of miniredis processes (node-manager, auth-service and
backend, on SQLite or a real PostgreSQL 15), its fixtures, and the helpers the backend test
modules share (test_backend.py, test_backend_reconcile.py)."""
import base64
import json
import re
import secrets
import socket
import sqlite3
import subprocess
import time
import urllib.parse
from collections import namedtuple

import pytest
import redis
import requests

from support import NM_TOKEN, Platform, free_port_range, nm_api

TOKEN = NM_TOKEN  # INTERNAL_TOKEN of every process here
PASSWORD = "correct-Horse-battery-9"
RECONCILE_S = 1.0
MAX_MEMORY_MB = 256
ENGINES = ["sqlite", "postgres"]

ID_RE = re.compile(r"^db-[a-z0-9]{12}$")
KEY_RE = re.compile(r"^mr_live_[A-Za-z0-9_-]{43}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
INSTANCE_FIELDS = {"id", "name", "status", "desired_state", "pending_change", "memory_limit_mb",
                   "eviction_policy", "persistence", "password", "endpoint", "redis_cli", "url",
                   "rest_token", "created_at", "updated_at"}
EVENT_FIELDS = {"id", "at", "actor", "action", "target", "details", "remote_address",
                "request_id"}
POLICIES = ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
            "volatile-lfu", "volatile-random", "volatile-ttl"]

User = namedtuple("User", "token id email")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))




class Stack:
    """node-manager + auth-service + backend, in one process or (split=True) node-manager alone
    and auth-service + backend in a second one, sharing INTERNAL_TOKEN and URLs."""

    def __init__(self, root, engine, pg=None, split=False, pool_size=40, **env):
        root.mkdir(parents=True, exist_ok=True)
        self.root, self.extra_nms = root, []
        self.engine, self.pg, self.split = engine, pg, split
        if engine == "postgres":
            # Two databases, as deployed (postgres-auth, postgres-main): each keeps its own
            # schema_migrations history.
            self.auth_db = pg.create_database("auth")
            self.main_db = pg.create_database("main")
        else:
            self.auth_db = self.main_db = ""
        start = free_port_range(pool_size)
        self.pool = range(start, start + pool_size)
        common = {
            "INTERNAL_TOKEN": TOKEN, "REDIS_PORT_START": str(start),
            "REDIS_PORT_END": str(start + pool_size - 1), "PORT_QUARANTINE": "1s",
            "NODE_MANAGER_SHARDS": "2", "RECONCILE_INTERVAL": "1s",
            "MAX_INSTANCE_MEMORY_MB": str(MAX_MEMORY_MB), "NODE_MEMORY_MB": "4096",
            "AUTH_DATABASE_URL": self.auth_db, "BACKEND_DATABASE_URL": self.main_db,
            **{k: str(v) for k, v in env.items()}}
        self.common = common
        if split:
            (root / "nm").mkdir()
            (root / "svc").mkdir()
            self.nm = Platform(root / "nm", target="node-manager", extra_env=common)
            self.svc = Platform(root / "svc", target="auth-service,backend", extra_env=common)
            self.procs = [self.nm, self.svc]
        else:
            self.nm = self.svc = Platform(root, target="node-manager,auth-service,backend",
                                          extra_env=common)
            self.procs = [self.svc]
        self.svc.env["AUTH_SERVICE_URL"] = self.svc.url("auth-service")
        self.svc.env["NODE_MANAGER_URLS"] = self.nm.url("node-manager")
        self.shared_port = int(self.nm.env["REDIS_SHARED_PORT"])
        self.sqlite_path = self.svc.data_dir / "main.db"

    # processes

    def start(self):
        for nm in self.extra_nms:
            nm.start(wait_for=["node-manager"])
        if self.split:
            self.nm.start(wait_for=["node-manager"])
            self.svc.start(wait_for=["auth-service", "backend"])
        else:
            self.svc.start(wait_for=["node-manager", "auth-service", "backend"])
        self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        for svc in ("auth-service", "backend"):
            deadline = time.time() + timeout
            while True:
                try:
                    r = requests.get(self.svc.url(svc, "/readyz"), timeout=5)
                    if r.status_code == 200:
                        break
                    last = r.text
                except requests.RequestException as e:
                    last = repr(e)
                assert self.svc.proc.poll() is None, self.svc.output()[-4000:]
                assert time.time() < deadline, \
                    f"{svc} not ready: {last}\n{self.svc.output()[-4000:]}"
                time.sleep(0.1)

    def add_node_manager(self, name, pool_size=20, **env):
        """Another node-manager process (own ports, pool and data dir), listed in
        NODE_MANAGER_URLS; call before start()."""
        (self.root / name).mkdir()
        start = free_port_range(pool_size)
        nm = Platform(self.root / name, target="node-manager", extra_env={
            **self.common, "REDIS_PORT_START": str(start),
            "REDIS_PORT_END": str(start + pool_size - 1), **{k: str(v) for k, v in env.items()}})
        self.extra_nms.append(nm)
        self.procs.append(nm)
        self.svc.env["NODE_MANAGER_URLS"] += "," + nm.url("node-manager")
        return nm

    def kill(self):
        for p in self.procs:
            if p.proc and p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()

    # HTTP

    def url(self, path):
        return self.svc.url("backend", path)

    def api(self, method, path, body=None, user=None, data=None, headers=None, session=None):
        h = dict(headers or {})
        if user is not None:
            h["Authorization"] = f"Bearer {user if isinstance(user, str) else user.token}"
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        return (session or requests).request(method, self.url(path),
                                             json=body if data is None else None, data=data,
                                             headers=h, timeout=30)

    def register(self):
        email = f"u{secrets.token_hex(6)}@example.com"
        r = requests.post(self.svc.url("auth-service", "/api/v1/auth/register"),
                          json={"email": email, "password": PASSWORD}, timeout=30)
        assert r.status_code == 201, r.text
        body = r.json()
        return User(body["access_token"], str(body["user"]["id"]), email)

    def nm_instances(self):
        r = nm_api(self.nm, "GET", "/v1/instances")
        assert r.status_code == 200, r.text
        return {i["id"]: i for i in r.json()["instances"]}

    # the backend's database, read behind its back

    def rows(self, sql):
        if self.engine == "sqlite":
            con = sqlite3.connect(f"file:{self.sqlite_path}?mode=rw", uri=True, timeout=10)
            try:
                return [tuple("" if v is None else str(v) for v in row)
                        for row in con.execute(sql).fetchall()]
            finally:
                con.close()
        return [tuple(r) for r in self.pg.query(self.main_db, sql)]

    def tables(self):
        if self.engine == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = ("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        return sorted(r[0] for r in self.rows(sql))

    def table(self, word, exclude=()):
        names = [t for t in self.tables() if word in t and not any(x in t for x in exclude)]
        assert names, f"no table named like {word!r} in {self.tables()}"
        exact = [t for t in names if t in (word, word + "s")]
        return (exact or names)[0]

    def audit_table(self):
        return self.table("audit")

    def instances_table(self):
        return self.table("instance", exclude=("audit",))

    def columns(self, table):
        if self.engine == "sqlite":
            return [r[1] for r in self.rows(f"PRAGMA table_info({table})")]
        return [r[0] for r in self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            f"AND table_name = '{table}' ORDER BY ordinal_position")]

    def row_counts(self):
        return {t: int(self.rows(f"SELECT count(*) FROM {t}")[0][0]) for t in self.tables()}

    def cli(self, sql):
        """One statement through the sqlite3 / psql command-line client: (ok, output)."""
        if self.engine == "sqlite":
            r = subprocess.run(["sqlite3", "-bail", "-cmd", ".timeout 10000", str(self.sqlite_path), sql],
                               capture_output=True, text=True, timeout=30)
        else:
            r = self.pg.psql(self.main_db, sql)
        return r.returncode == 0, r.stdout + r.stderr

    def at_rest(self):
        """Everything the database holds, as bytes (files for SQLite, pg_dump for PostgreSQL)."""
        if self.engine == "sqlite":
            return b"".join(p.read_bytes() for p in self.sqlite_path.parent.glob("main.db*"))
        return self.pg.dump(self.main_db).encode()


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture
def make_stack(request, engine, tmp_path):
    started = []
    pg = request.getfixturevalue("pg_cluster") if engine == "postgres" else None

    def make(split=False, start=True, **env):
        s = Stack(tmp_path / f"stack{len(started)}", engine, pg, split=split, **env)
        started.append(s)
        return s.start() if start else s

    yield make
    for s in started:
        s.kill()


@pytest.fixture(scope="module", params=ENGINES)
def shared(request, tmp_path_factory):
    """One platform per engine for the tests that only need their own users: quotas of 3
    instances and 100 MB per user."""
    pg = request.getfixturevalue("pg_cluster") if request.param == "postgres" else None
    s = Stack(tmp_path_factory.mktemp(f"backend-{request.param}"), request.param, pg,
              pool_size=120, QUOTA_MAX_INSTANCES=3, QUOTA_MAX_MEMORY_MB=100)
    try:
        yield s.start()
    finally:
        s.kill()


def describe(r):
    body = r.request.body
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    return f"{r.request.method} {r.request.url} {body!r} -> {r.status_code} {r.text}"


def ok(r, status=200):
    assert r.status_code == status, describe(r)
    return r.json() if r.content else None


def assert_error(r, status, code=None, www=True):
    assert r.status_code == status, describe(r)
    err = r.json()["error"]
    assert set(err) == {"code", "message", "request_id"}, describe(r)
    assert err["request_id"], describe(r)
    if "X-Request-Id" in r.headers:
        assert err["request_id"] == r.headers["X-Request-Id"], describe(r)
    if isinstance(code, tuple):
        assert err["code"] in code, describe(r)
    elif code:
        assert err["code"] == code, describe(r)
    if status == 503:
        assert r.headers.get("Retry-After") == "1", describe(r)
    if status == 401 and www:
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), describe(r)
    return err


def create(s, user, name=None, mem=8, **fields):
    body = {"name": name or f"i-{secrets.token_hex(4)}", "memory_limit_mb": mem, **fields}
    return ok(s.api("POST", "/api/v1/instances", body, user=user), 201)


def get(s, user, iid):
    return ok(s.api("GET", f"/api/v1/instances/{iid}", user=user))


def client(inst, **kw):
    return redis.Redis(host="127.0.0.1", port=inst["endpoint"]["port"],
                       password=inst["password"], socket_timeout=5, **kw)


def shared_client(s, inst):
    return redis.Redis(host="127.0.0.1", port=s.shared_port, username=inst["id"],
                       password=inst["password"], socket_timeout=5)


def greeting(port):
    """What a new connection to `port` gets before sending anything ('' if nothing)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(2)
        try:
            return sock.recv(200).decode(errors="replace")
        except socket.timeout:
            return ""


def refused(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def events(s, user, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    r = s.api("GET", "/api/v1/audit-log" + query, user=user)
    return ok(r)


def all_events(s, user):
    return events(s, user, limit=100)["events"]




def sign(header, claims, key):
    h = b64url(json.dumps(header).encode())
    c = b64url(json.dumps(claims).encode())
    return f"{h}.{c}." + b64url(key.sign(f"{h}.{c}".encode()))



def agree(s, user):
    """The backend's view of the user's instances matches node-manager's (status and port)."""
    mine = ok(s.api("GET", "/api/v1/instances", user=user))["instances"]
    held = s.nm_instances()
    for inst in mine:
        nm = held.get(inst["id"])
        if not nm or nm["status"] != inst["status"] or nm["port"] != inst["endpoint"]["port"]:
            return False
    return {i["id"]: i["status"] for i in mine}


def metric(s, name):
    text = requests.get(s.url("/metrics"), timeout=10).text
    for line in text.splitlines():
        m = re.match(rf"^\w*{name}(\{{[^}}]*\}})? (\S+)$", line)
        if m:
            return float(m.group(2))
    return None
