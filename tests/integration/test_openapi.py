"""The public API v1 (docs/api/openapi.yaml) against the real platform, through the api-gateway.

- The document itself is linted (openapi-spec-validator, OpenAPI 3.1), so a broken document
  fails CI.
- A real journey (register, instances, commands, metrics, quota, audit log, API keys, REST data
  API, a second user, logout) runs through the gateway; every answer is checked against the
  document: its status must be documented for the operation, its body must match the schema
  (`additionalProperties: false` everywhere, so an undocumented field fails too), required
  headers must be present, and an error's `request_id` must equal `X-Request-Id`.
- Gateway-level answers (401, 404, 405, 413, 429, 503, CORS, security headers) are checked on
  their own, with a gateway whose upstreams are down.
- schemathesis fuzzes every operation from the document (positive and negative data, with a real
  user's token and real instance ids) for a bounded number of examples: no 5xx, every answer
  documented and conforming, every error body `{"error": {"code", "message", "request_id"}}`;
  the process is alive and ready at the end.

The platform runs as `miniredis --target=all` with free ports for every port setting."""
import collections
import re
import secrets
import time
from functools import lru_cache

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from support import ROOT, SERVICE_PORT_SETTINGS, Platform, free_port, free_port_range, wait_until

OPENAPI = ROOT / "docs/api/openapi.yaml"
PASSWORD = "correct-Horse-battery-9"
CONSOLE_ORIGIN = "http://localhost:5173"
FUZZ_EXAMPLES = 40          # per operation, generation mode and id kind (~3,000 requests)
FUZZ_BUDGET_S = 80          # the fuzz stops starting new operations after this
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

# The routes the public API promises (issue 6); the document must describe exactly these.
PUBLIC_ROUTES = {
    ("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"), ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("get", "/api/v1/instances"), ("post", "/api/v1/instances"),
    ("get", "/api/v1/instances/{id}"), ("patch", "/api/v1/instances/{id}"),
    ("delete", "/api/v1/instances/{id}"),
    ("post", "/api/v1/instances/{id}/start"), ("post", "/api/v1/instances/{id}/stop"),
    ("post", "/api/v1/instances/{id}/command"), ("get", "/api/v1/instances/{id}/metrics"),
    ("get", "/api/v1/quota"), ("get", "/api/v1/audit-log"),
    ("get", "/api/v1/api-keys"), ("post", "/api/v1/api-keys"),
    ("delete", "/api/v1/api-keys/{id}"),
    ("post", "/rest/{id}"), ("post", "/rest/{id}/pipeline"), ("post", "/rest/{id}/multi-exec"),
    # Upstash's path form (/rest/{id}/set/foo/bar), which the gateway serves too.
    ("get", "/rest/{id}/{command}"), ("post", "/rest/{id}/{command}"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@lru_cache(maxsize=1)
def load_document():
    with open(OPENAPI) as f:
        return yaml.safe_load(f)


class Contract:
    """Checks real answers against the document: documented status, content type, body schema
    (resolved with JSON Schema 2020-12, as OpenAPI 3.1 defines), required headers."""

    def __init__(self, doc):
        self.doc = doc
        self.uri = "urn:miniredis:openapi"
        self.registry = Registry().with_resource(
            self.uri, Resource.from_contents(doc, default_specification=DRAFT202012))
        self.routes = []
        for template, item in doc["paths"].items():
            pattern = re.escape(template)
            # Upstash's path form: {command} is followed by its arguments as more segments.
            pattern = pattern.replace(re.escape("{command}"), ".+")
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern) + "$"
            self.routes.append((re.compile(pattern), template, item))
        # Literal segments win over parameters (/rest/{id}/pipeline before /rest/{id}/{command}).
        self.routes.sort(key=lambda route: route[1].count("{"))
        self.checked = set()  # (method, template, status) seen so far

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.registry.resolver(base_uri=self.uri).lookup(node["$ref"]).contents
        return node

    def operation(self, method, path):
        path = path.split("?", 1)[0]
        for pattern, template, item in self.routes:
            if pattern.match(path) and method.lower() in item:
                return template, item[method.lower()]
        raise AssertionError(f"{method} {path} is not an operation of the document")

    def validate(self, instance, schema_pointer):
        schema = {"$ref": f"{self.uri}#{schema_pointer}"}
        validator = Draft202012Validator(schema, registry=self.registry,
                                         format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                for e in errors[:5]]

    def check(self, r, method=None, path=None):
        """Fails unless `r` is an answer the document allows; returns its JSON body (or None)."""
        method = (method or r.request.method).lower()
        path = path or requests.utils.urlparse(r.request.url).path
        template, op = self.operation(method, path)
        what = describe(r)
        status = str(r.status_code)
        responses = op["responses"]
        assert status in responses or "default" in responses, \
            f"undocumented status {status} for {method.upper()} {template}: {what}"
        key = status if status in responses else "default"
        self.checked.add((method, template, status))
        response = self.resolve(responses[key])
        for name, header in (response.get("headers") or {}).items():
            header = self.resolve(header)
            if header.get("required"):
                assert name in r.headers, f"missing header {name}: {what}"
        assert r.headers.get("X-Request-Id"), f"no X-Request-Id: {what}"
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, f"{name} is {r.headers.get(name)!r}: {what}"
        content = response.get("content")
        if not content:
            assert not r.content, f"{status} must have no body: {what}"
            return None
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        assert ctype in content, f"content type {ctype!r} not documented: {what}"
        body = r.json()
        pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + \
            f"/{method}/responses/{key}"
        if "$ref" in responses[key]:
            pointer = responses[key]["$ref"][1:]
        problems = self.validate(body, f"{pointer}/content/{ctype.replace('/', '~1')}/schema")
        assert not problems, f"body does not match the document: {problems}: {what}"
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            assert body["error"]["request_id"] == r.headers["X-Request-Id"], what
        return body


def describe(r):
    body = r.request.body
    if isinstance(body, bytes):
        body = body[:300].decode(errors="replace")
    elif isinstance(body, str):
        body = body[:300]
    text = bytes(r.content[:600]).decode("utf-8", errors="replace")
    return f"{r.request.method} {r.request.url} {body!r} -> {r.status_code} {text}"


def header(r, name):
    """A header of a requests or a schemathesis response (lower-case keys, list values)."""
    if isinstance(r, requests.Response):
        return r.headers.get(name)
    values = r.headers.get(name.lower())
    return values[0] if values else None


def error_shape_problem(r):
    """None when `r` (an error answer) carries the documented error body and header."""
    rid = header(r, "X-Request-Id")
    try:
        body = r.json()
    except ValueError:
        return "error answer is not JSON"
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, str) and requests.utils.urlparse(r.request.url).path.startswith("/rest/"):
        return None if rid else "no X-Request-Id"  # Upstash-shaped command error
    if not isinstance(err, dict) or set(err) != {"code", "message", "request_id"}:
        return f"not the error shape: {body!r}"
    if not err["request_id"] or err["request_id"] != rid:
        return f"request_id {err['request_id']!r} vs X-Request-Id {rid!r}"
    return None


class Gateway:
    """The whole platform in one process; the public API is `self.url`."""

    def __init__(self, root, **env):
        pool = free_port_range(20)
        self.p = Platform(root, extra_env={
            "REDIS_PORT_START": str(pool), "REDIS_PORT_END": str(pool + 19),
            "PORT_QUARANTINE": "1s", "NODE_MANAGER_SHARDS": "2", "NODE_MEMORY_MB": "4096",
            "RECONCILE_INTERVAL": "1s", "API_KEY_CACHE_TTL": "200ms", **env})
        for svc, setting in (("auth-service", "AUTH_SERVICE_URL"), ("backend", "BACKEND_URL"),
                             ("monitoring-service", "MONITORING_SERVICE_URL"),
                             ("node-manager", "NODE_MANAGER_URLS")):
            self.p.env[setting] = self.p.url(svc)
        self.url = self.p.url("api-gateway")

    def start(self):
        self.p.start(wait_for=list(SERVICE_PORT_SETTINGS))
        deadline = time.time() + 30
        while True:
            r = requests.get(self.p.url("api-gateway", "/readyz"), timeout=5)
            if r.status_code == 200:
                break
            assert self.p.proc.poll() is None, self.p.output()[-4000:]
            assert time.time() < deadline, f"not ready: {r.text}\n{self.p.output()[-4000:]}"
            time.sleep(0.1)
        return self

    def call(self, method, path, body=None, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.url + path, json=body, headers=h, timeout=30, **kw)

    def register(self, contract):
        email = f"u{secrets.token_hex(6)}@example.com"
        r = self.call("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD})
        assert r.status_code == 201, describe(r)
        body = contract.check(r)
        return body["access_token"], body


@pytest.fixture(scope="module")
def contract():
    return Contract(load_document())


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    g = Gateway(tmp_path_factory.mktemp("openapi"),
                RATE_LIMIT_PER_USER="2000", RATE_LIMIT_PER_ADDRESS="2000")
    g.start()
    yield g
    if g.p.proc.poll() is None:
        g.p.proc.kill()
        g.p.proc.wait()


# 1. The document


def test_document_is_valid_openapi_3_1_and_covers_the_public_routes():
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
    doc = load_document()
    assert doc["openapi"].startswith("3.1"), doc["openapi"]
    try:
        validate(doc)
    except OpenAPIValidationError as e:
        pytest.fail(f"docs/api/openapi.yaml is not a valid OpenAPI 3.1 document: {e}")
    routes = {(m, path) for path, item in doc["paths"].items() for m in item if m in HTTP_METHODS}
    assert routes == PUBLIC_ROUTES, (routes ^ PUBLIC_ROUTES)
    # Every schema in the document is a valid JSON Schema 2020-12 schema.
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    contract = Contract(doc)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            label = f"{method.upper()} {path}"
            assert op.get("operationId"), label
            codes = set(op["responses"])
            # What the gateway may answer on any route is documented on every route (the REST
            # data API calls node-manager itself: a node that does not answer is its 502).
            assert {"429", "503"} <= codes, label
            if not path.startswith("/rest/"):
                assert "504" in codes, label
            if op.get("security", doc["security"]):
                assert "401" in codes, label
            if "requestBody" in op:
                assert {"400", "413"} <= codes, label
            for code, response in op["responses"].items():
                headers = contract.resolve(response).get("headers") or {}
                assert "X-Request-Id" in headers, f"{label} {code}: no X-Request-Id header"
                # (the REST data API's own 503s keep Upstash's shape and carry no Retry-After)
                if code == "429" or (code == "503" and not path.startswith("/rest/")):
                    assert "Retry-After" in headers, f"{label} {code}"


# 2. A real journey through the gateway


def test_journey_through_the_gateway_matches_the_document(gateway, contract):
    g, c = gateway, contract
    # Accounts and sessions (auth-service behind the gateway).
    email = f"journey{secrets.token_hex(4)}@example.com"
    creds = {"email": email, "password": PASSWORD}
    reg = c.check(g.call("POST", "/api/v1/auth/register", creds))
    assert reg["user"]["email"] == email and reg["token_type"] == "Bearer"
    token = reg["access_token"]
    me = c.check(g.call("GET", "/api/v1/auth/me", token=token))
    assert me == reg["user"]
    r = g.call("POST", "/api/v1/auth/register", creds)
    assert r.status_code == 409 and c.check(r)["error"]["code"] == "email_unavailable"
    r = g.call("POST", "/api/v1/auth/register", {"email": "not-an-address", "password": PASSWORD})
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "invalid_email"
    r = g.call("POST", "/api/v1/auth/register", {"email": f"x{email}", "password": "short"})
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "weak_password"
    r = g.call("POST", "/api/v1/auth/login", {**creds, "extra": 1})
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "unknown_field"
    r = g.call("POST", "/api/v1/auth/login", {**creds, "password": "wrong-Password-1"})
    assert r.status_code == 401 and c.check(r)["error"]["code"] == "invalid_credentials"
    login = c.check(g.call("POST", "/api/v1/auth/login", creds))
    assert login["refresh_token"] != reg["refresh_token"]
    pair = c.check(g.call("POST", "/api/v1/auth/refresh",
                          {"refresh_token": login["refresh_token"]}))
    r = g.call("POST", "/api/v1/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert r.status_code == 401 and c.check(r)["error"]["code"] == "invalid_refresh_token"
    r = g.call("POST", "/api/v1/auth/refresh", {})
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "missing_field"
    # The reuse revoked that session: its newer refresh token is dead too.
    r = g.call("POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401 and c.check(r)

    # Instances (backend behind the gateway).
    assert c.check(g.call("GET", "/api/v1/instances", token=token)) == {"instances": []}
    inst = c.check(g.call("POST", "/api/v1/instances",
                          {"name": "cache one", "memory_limit_mb": 8,
                           "eviction_policy": "allkeys-lru"}, token=token))
    assert inst["status"] == "running" and inst["eviction_policy"] == "allkeys-lru"
    assert inst["persistence"] == "aof-everysec" and inst["endpoint"]["port"]
    iid = inst["id"]
    for bad, code in (({"name": "x", "memory_limit_mb": 8.5}, "invalid_memory_limit_mb"),
                      ({"name": "x", "memory_limit_mb": 0}, "invalid_memory_limit_mb"),
                      ({"name": " x", "memory_limit_mb": 8}, "invalid_name"),
                      ({"name": "x", "memory_limit_mb": 8, "persistence": "rdb"},
                       "invalid_persistence"),
                      ({"name": "x", "memory_limit_mb": 8, "port": 1}, "unknown_field"),
                      ({"memory_limit_mb": 8}, "missing_field")):
        r = g.call("POST", "/api/v1/instances", bad, token=token)
        assert r.status_code == 400 and c.check(r)["error"]["code"] == code, describe(r)
    r = g.call("POST", "/api/v1/instances", {"name": "cache one", "memory_limit_mb": 8},
               token=token)
    assert r.status_code == 409 and c.check(r)["error"]["code"] == "name_taken"
    r = g.call("POST", "/api/v1/instances", {"name": "huge", "memory_limit_mb": 4096},
               token=token)
    assert r.status_code == 403 and c.check(r)["error"]["code"] == "quota_exceeded"
    listed = c.check(g.call("GET", "/api/v1/instances", token=token))
    assert [i["id"] for i in listed["instances"]] == [iid]
    assert c.check(g.call("GET", f"/api/v1/instances/{iid}", token=token))["name"] == "cache one"
    patched = c.check(g.call("PATCH", f"/api/v1/instances/{iid}",
                             {"memory_limit_mb": 16, "persistence": "snapshot"}, token=token))
    assert patched["memory_limit_mb"] == 16 and patched["persistence"] == "snapshot"
    r = g.call("PATCH", f"/api/v1/instances/{iid}", {}, token=token)
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "empty_update"

    # Commands.
    run = lambda *cmd: g.call("POST", f"/api/v1/instances/{iid}/command",  # noqa: E731
                              {"command": list(cmd)}, token=token)
    assert c.check(run("SET", "k", "v")) == {"result": "OK"}
    assert c.check(run("GET", "k")) == {"result": "v"}
    assert c.check(run("GET", "missing")) == {"result": None}
    assert c.check(run("RPUSH", "l", "a", "b")) == {"result": 2}
    assert c.check(run("LRANGE", "l", "0", "-1")) == {"result": ["a", "b"]}
    r = run("LPUSH", "k", "x")
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "command_error"
    r = run("SUBSCRIBE", "ch")
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "command_not_supported"
    r = g.call("POST", f"/api/v1/instances/{iid}/command", {"command": []}, token=token)
    assert r.status_code == 400 and c.check(r)

    # Metrics (monitoring-service behind the gateway's ownership check).
    def sampled():
        body = c.check(g.call("GET", f"/api/v1/instances/{iid}/metrics", token=token))
        return body if body["latest"] and body["latest"]["keys"] == 2 else None
    m = wait_until(sampled, 10, "a metrics sample with the instance's two keys")
    assert m["window"] == "15m" and m["resolution_seconds"] == 1 and len(m["timestamps"]) == 900
    assert all(len(col) == 900 for col in m["series"].values()) and len(m["series"]) == 10
    for window, points in (("1h", 60), ("24h", 1440)):
        body = c.check(g.call("GET", f"/api/v1/instances/{iid}/metrics?window={window}",
                              token=token))
        assert body["resolution_seconds"] == 60 and len(body["timestamps"]) == points
    r = g.call("GET", f"/api/v1/instances/{iid}/metrics?window=2h", token=token)
    assert r.status_code == 400 and c.check(r)["error"]["code"] == "invalid_window"

    # Stop and start.
    stopped = c.check(g.call("POST", f"/api/v1/instances/{iid}/stop", token=token))
    assert stopped["desired_state"] == "stopped" and stopped["status"] == "stopped"
    r = run("GET", "k")
    assert r.status_code == 409 and c.check(r)["error"]["code"] == "instance_stopped"
    started = c.check(g.call("POST", f"/api/v1/instances/{iid}/start", token=token))
    assert started["status"] == "running" and started["endpoint"] == inst["endpoint"]
    assert c.check(run("GET", "k")) == {"result": "v"}

    # Quota and audit log.
    quota = c.check(g.call("GET", "/api/v1/quota", token=token))
    assert quota["instances"]["used"] == 1 and quota["memory_mb"]["used"] == 16
    log = c.check(g.call("GET", "/api/v1/audit-log?limit=2", token=token))
    assert [e["action"] for e in log["events"]] == ["instance.start", "instance.stop"]
    older = c.check(g.call("GET", f"/api/v1/audit-log?limit=2&before={log['next_before']}",
                           token=token))
    assert [e["action"] for e in older["events"]] == ["instance.update", "instance.create"]
    for query, code in (("limit=0", "invalid_limit"), ("limit=x", "invalid_limit"),
                        ("before=-1", "invalid_before")):
        r = g.call("GET", f"/api/v1/audit-log?{query}", token=token)
        assert r.status_code == 400 and c.check(r)["error"]["code"] == code

    # API keys.
    key = c.check(g.call("POST", "/api/v1/api-keys", {"name": "ci key"}, token=token))
    assert key["key"].startswith(key["prefix"])
    keys = c.check(g.call("GET", "/api/v1/api-keys", token=token))
    assert [k["id"] for k in keys["api_keys"]] == [key["id"]]
    by_key = c.check(g.call("GET", "/api/v1/instances", token=key["key"]))
    assert [i["id"] for i in by_key["instances"]] == [iid]
    c.check(g.call("GET", f"/api/v1/instances/{iid}/metrics", token=key["key"]))
    r = g.call("POST", "/api/v1/api-keys", {"name": "more"}, token=key["key"])
    assert r.status_code == 403 and c.check(r)["error"]["code"] == "forbidden"
    r = g.call("DELETE", f"/api/v1/api-keys/{key['id']}", token=key["key"])
    assert r.status_code == 403 and c.check(r)
    r = g.call("POST", "/api/v1/api-keys", {"name": ""}, token=token)
    assert r.status_code == 400 and c.check(r)
    r = g.call("DELETE", f"/api/v1/api-keys/{key['id']}", token=token)
    assert r.status_code == 204 and c.check(r) is None
    r = g.call("DELETE", f"/api/v1/api-keys/{key['id']}", token=token)
    assert r.status_code == 404 and c.check(r)
    # (a Response is falsy when its status is an error: wrap it)
    [r] = wait_until(lambda: (lambda r: [r] if r.status_code == 401 else None)(
        g.call("GET", "/api/v1/instances", token=key["key"])), 5, "the revoked key refused")
    assert c.check(r)["error"]["code"] == "invalid_token"
    log = c.check(g.call("GET", "/api/v1/audit-log?limit=1", token=token))
    assert log["events"][0]["action"] == "api_key.revoke"

    # Another user sees none of it: the same 404 on every instance route.
    other, _ = g.register(c)
    for method, path, body in (("GET", f"/api/v1/instances/{iid}", None),
                               ("PATCH", f"/api/v1/instances/{iid}", {"name": "mine"}),
                               ("POST", f"/api/v1/instances/{iid}/stop", None),
                               ("POST", f"/api/v1/instances/{iid}/command",
                                {"command": ["GET", "k"]}),
                               ("GET", f"/api/v1/instances/{iid}/metrics", None),
                               ("DELETE", f"/api/v1/instances/{iid}", None)):
        r = g.call(method, path, body, token=other)
        assert r.status_code == 404 and c.check(r)["error"]["code"] == "not_found", describe(r)
    assert c.check(g.call("GET", "/api/v1/instances", token=other)) == {"instances": []}

    # Gateway-level answers with a live platform.
    r = g.call("GET", "/api/v1/instances")
    assert r.status_code == 401 and c.check(r)["error"]["code"] == "missing_token"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = g.call("GET", "/api/v1/instances", token="not-a-token")
    assert r.status_code == 401 and c.check(r)["error"]["code"] == "invalid_token"
    r = g.call("GET", "/api/v1/instances", token="mr_live_" + "A" * 43)
    assert r.status_code == 401 and c.check(r)
    r = g.call("GET", "/api/v1/auth/me", token=key["key"])  # auth routes take access tokens only
    assert r.status_code == 401 and c.check(r)
    r = g.call("GET", "/api/v1/nothing-here", token=token)
    assert r.status_code == 404 and error_shape_problem(r) is None, describe(r)
    assert r.json()["error"]["code"] == "not_found"
    r = g.call("PUT", f"/api/v1/instances/{iid}", {"name": "x"}, token=token)
    assert r.status_code == 405 and error_shape_problem(r) is None, describe(r)
    assert set(r.headers["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
    r = g.call("GET", "/api/v1/instances", token=token, headers={"X-Request-Id": "journey-42"})
    assert r.headers["X-Request-Id"] == "journey-42" and c.check(r)
    # CORS: the console's origin, preflight and actual request; another origin gets nothing.
    r = requests.options(g.url + "/api/v1/instances", headers={
        "Origin": CONSOLE_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204, describe(r)
    assert r.headers["Access-Control-Allow-Origin"] == CONSOLE_ORIGIN
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "authorization" in r.headers["Access-Control-Allow-Headers"].lower()
    r = g.call("GET", "/api/v1/instances", token=token, headers={"Origin": CONSOLE_ORIGIN})
    assert r.headers["Access-Control-Allow-Origin"] == CONSOLE_ORIGIN and c.check(r)
    assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]
    r = requests.options(g.url + "/api/v1/instances", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    assert error_shape_problem(r) is None, describe(r)

    # Delete, then the id is gone everywhere.
    r = g.call("DELETE", f"/api/v1/instances/{iid}", token=token)
    assert r.status_code == 204 and c.check(r) is None
    for method, path in (("GET", f"/api/v1/instances/{iid}"),
                         ("GET", f"/api/v1/instances/{iid}/metrics"),
                         ("DELETE", f"/api/v1/instances/{iid}")):
        r = g.call(method, path, token=token)
        assert r.status_code == 404 and c.check(r), describe(r)

    # Logout: /me refuses the session's tokens; logging out twice is fine.
    r = g.call("POST", "/api/v1/auth/logout", token=token)
    assert r.status_code == 204 and c.check(r) is None
    r = g.call("GET", "/api/v1/auth/me", token=token)
    assert r.status_code == 401 and c.check(r)["error"]["code"] == "invalid_token"
    assert g.call("POST", "/api/v1/auth/logout", token=token).status_code == 204
    r = g.call("POST", "/api/v1/auth/logout")
    assert r.status_code == 401 and c.check(r)


def test_error_replies_that_cut_a_utf8_character_are_still_command_errors(gateway, contract):
    """Redis truncates an unknown command's arguments to 128 bytes, which may cut a multi-byte
    character: the reply is still an error reply (400 command_error), never a 5xx."""
    g, c = gateway, contract
    token, _ = g.register(c)
    inst = c.check(g.call("POST", "/api/v1/instances", {"name": "utf8", "memory_limit_mb": 8},
                          token=token))
    run = lambda *cmd: g.call("POST", f"/api/v1/instances/{inst['id']}/command",  # noqa: E731
                              {"command": list(cmd)}, token=token)
    r = run("nosuchcommand", "\u00e9" * 100)
    assert r.status_code == 400, describe(r)
    assert c.check(r)["error"]["code"] == "command_error"


def test_command_answers_are_utf8_json_whatever_the_value(gateway, contract):
    """JSON text is UTF-8 (RFC 8259): a value holding bytes that are not UTF-8 must still come
    back as a document strict JSON parsers read."""
    g, c = gateway, contract
    token, _ = g.register(c)
    inst = c.check(g.call("POST", "/api/v1/instances", {"name": "bytes", "memory_limit_mb": 8},
                          token=token))
    run = lambda *cmd: g.call("POST", f"/api/v1/instances/{inst['id']}/command",  # noqa: E731
                              {"command": list(cmd)}, token=token)
    assert c.check(run("SET", "u", "\u00e9")) == {"result": "OK"}
    r = run("GETRANGE", "u", "0", "0")  # half of the character: one byte that is not UTF-8
    assert r.status_code == 200, describe(r)
    try:
        r.content.decode("utf-8")
    except UnicodeDecodeError:
        pytest.fail(f"the answer is not UTF-8: {r.content!r}")


def rest_route_exists(g, iid, token):
    r = g.call("POST", f"/rest/{iid}", ["PING"], token=token)
    return not (r.status_code == 404 and r.json()["error"]["message"].startswith("no route"))


def test_rest_data_api_matches_the_document(gateway, contract):
    g, c = gateway, contract
    token, _ = g.register(c)
    inst = c.check(g.call("POST", "/api/v1/instances", {"name": "rest", "memory_limit_mb": 8},
                          token=token))
    iid, rest = inst["id"], inst["rest_token"]
    assert rest_route_exists(g, iid, rest), "the gateway has no /rest/{id} route"
    call = lambda body, path="", **kw: g.call(  # noqa: E731
        "POST", f"/rest/{iid}{path}", body, **{"token": rest, **kw})
    assert c.check(call(["SET", "k", "v"])) == {"result": "OK"}
    assert c.check(call(["GET", "k"])) == {"result": "v"}
    assert c.check(call(["GET", "nothing"])) == {"result": None}
    assert c.check(call(["INCRBY", "n", 5])) == {"result": 5}
    assert c.check(call(["GET", "k"], headers={"Upstash-Encoding": "base64"})) == \
        {"result": "dg=="}
    r = call(["INCR", "k"])
    assert r.status_code == 400 and c.check(r)["error"].startswith("ERR")
    for bad in ({"not": "a command"}, [], ["GET", None], [["GET", "k"]]):
        r = call(bad)
        assert r.status_code == 400 and c.check(r), describe(r)
    out = c.check(call([["SET", "a", "1"], ["GET", "a"], ["INCR", "k"]], "/pipeline"))
    assert out[:2] == [{"result": "OK"}, {"result": "1"}] and "error" in out[2]
    out = c.check(call([["INCR", "a"], ["GET", "a"]], "/multi-exec"))
    assert out == [{"result": 2}, {"result": "2"}]
    r = call([["SET", "a"], ["GET", "a"]], "/multi-exec")
    assert r.status_code == 400 and c.check(r)["error"].startswith("EXECABORT"), describe(r)
    r = call(["GET", "k"], "/pipeline")
    assert r.status_code == 400 and c.check(r)
    # Upstash's path form, and the token in the query.
    r = g.call("GET", f"/rest/{iid}/get/k", token=rest)
    assert c.check(r) == {"result": "v"}
    r = requests.post(f"{g.url}/rest/{iid}/set/pf?EX=100&_token={rest}", data="value")
    assert c.check(r) == {"result": "OK"}
    assert c.check(call(["TTL", "pf"]))["result"] > 0
    assert c.check(g.call("GET", f"/rest/{iid}/get/pf?_token={rest}")) == {"result": "value"}
    # The REST token opens only its own instance; user tokens are not REST tokens; an unknown
    # id answers like a wrong token.
    for bad_token in (rest[:-1] + ("x" if rest[-1] != "x" else "y"), token, None):
        r = call(["GET", "k"], token=bad_token)
        assert r.status_code == 401 and c.check(r), describe(r)
    r = g.call("POST", "/rest/db-000000000000", ["GET", "k"], token=rest)
    assert r.status_code == 401 and c.check(r)
    other = c.check(g.call("POST", "/api/v1/instances", {"name": "rest2", "memory_limit_mb": 8},
                           token=token))
    r = g.call("POST", f"/rest/{other['id']}", ["GET", "k"], token=rest)
    assert r.status_code == 401 and c.check(r)
    # Any browser origin may call it (the token is not a cookie).
    r = requests.options(f"{g.url}/rest/{iid}", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, upstash-encoding"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == \
        "https://app.example"
    # A stopped instance is unavailable; started again, it serves its data.
    c.check(g.call("POST", f"/api/v1/instances/{iid}/stop", token=token))
    r = call(["GET", "k"])
    assert r.status_code == 503 and c.check(r), describe(r)
    c.check(g.call("POST", f"/api/v1/instances/{iid}/start", token=token))
    assert c.check(call(["GET", "k"])) == {"result": "v"}


# 3. Gateway-level answers, with every upstream down


def start_lonely_gateway(tmp_path, **env):
    """The gateway alone, its upstreams pointing at a closed port."""
    dead = f"http://127.0.0.1:{free_port()}"
    p = Platform(tmp_path, target="api-gateway", extra_env={
        "AUTH_SERVICE_URL": dead, "BACKEND_URL": dead, "MONITORING_SERVICE_URL": dead,
        "INTERNAL_TOKEN": "t", "GATEWAY_UPSTREAM_TIMEOUT": "2s", **env})
    return p.start(wait_for=["api-gateway"])


def test_gateway_level_answers_with_upstreams_down(tmp_path, contract):
    c = contract
    p = start_lonely_gateway(tmp_path, RATE_LIMIT_PER_ADDRESS="1")
    try:
        url = p.url("api-gateway")
        r = requests.post(url + "/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
        assert r.status_code == 503 and c.check(r)["error"]["code"] == "upstream_unavailable"
        assert r.headers["Retry-After"] == "1"
        # Without credentials every request costs the address budget (1/s, bursts of 2).
        time.sleep(2.1)  # a full bucket
        answers = [requests.get(url + "/api/v1/quota") for _ in range(5)]
        unauthorized = [r for r in answers if r.status_code == 401]
        limited = [r for r in answers if r.status_code == 429]
        assert unauthorized and limited, [describe(r) for r in answers]
        assert c.check(unauthorized[0])["error"]["code"] == "missing_token"
        assert c.check(limited[0])["error"]["code"] == "rate_limited"
        assert int(limited[0].headers["Retry-After"]) >= 1
        r = requests.delete(url + "/api/v1/quota")
        assert r.status_code == 405 and r.headers["Allow"] == "GET", describe(r)
        assert error_shape_problem(r) is None, describe(r)
        assert requests.get(url + "/healthz").status_code == 200
    finally:
        assert p.stop() == 0, p.output()[-3000:]


def test_body_over_the_limit_is_413_with_the_error_shape(tmp_path, contract):
    p = start_lonely_gateway(tmp_path, HTTP_MAX_BODY_BYTES="4096")
    try:
        r = requests.post(p.url("api-gateway", "/api/v1/instances"),
                          data=b"{" + b" " * 10000 + b"}",
                          headers={"Authorization": "Bearer x",
                                   "Content-Type": "application/json"})
        assert r.status_code == 413, describe(r)
        assert error_shape_problem(r) is None, describe(r)
        assert contract.check(r)["error"]["code"] == "payload_too_large"
    finally:
        assert p.stop() == 0, p.output()[-3000:]


# 4. Fuzzing from the document


def test_fuzz_every_operation_from_the_document(gateway, contract):
    """schemathesis generates requests for every operation (valid and invalid data, generated
    and real ids) for a bounded number of examples; every answer must be documented and
    conform, no 5xx, every error carries the error shape."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                   negative_data_rejection,
                                                   response_schema_conformance,
                                                   status_code_conformance)

    g, c = gateway, contract
    token, _ = g.register(c)
    inst = c.check(g.call("POST", "/api/v1/instances", {"name": "fuzz", "memory_limit_mb": 8},
                          token=token))
    key = c.check(g.call("POST", "/api/v1/api-keys", {"name": "fuzz"}, token=token))
    rest_ok = rest_route_exists(g, inst["id"], inst["rest_token"])

    schema = schemathesis.openapi.from_dict(load_document())
    schema.config.update(base_url=g.url)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes and logout last, so that the real instance, key and session serve the others.
    operations.sort(key=lambda op: op.method.lower() == "delete" or op.path.endswith("/logout"))
    failures = {}
    counts = {"requests": 0, "5xx": 0}
    statuses = collections.Counter()
    session = requests.Session()
    start = time.monotonic()

    def check(case, response, mode):
        counts["requests"] += 1
        label = f"{case.operation.label} [{mode}]"
        statuses[(case.operation.label, response.status_code)] += 1
        r = response
        checks = [not_a_server_error, status_code_conformance, content_type_conformance,
                  response_schema_conformance]
        if mode == "negative" and body_is_invalid(case):
            checks.append(negative_data_rejection)
        if r.status_code >= 500:
            counts["5xx"] += 1
        try:
            case.validate_response(r, checks=checks)
        except (AssertionError, BaseExceptionGroup) as e:  # one failure or a group
            failures.setdefault((label, r.status_code, type(e).__name__),
                                f"{describe(r)}\n{str(e)[:1500]}")
        if r.status_code >= 400:
            problem = error_shape_problem(r)
            if problem:
                failures.setdefault((label, r.status_code, "error shape"),
                                    f"{problem}: {describe(r)}")
        elif not header(r, "X-Request-Id"):
            failures.setdefault((label, r.status_code, "X-Request-Id"), describe(r))

    def body_is_invalid(case):
        """Every service refuses a body that breaks its schema, but ignores query parameters it
        does not know and treats an unknown Upstash-Encoding as plain text (as Upstash does): a
        negative case counts as wrongly accepted only when its body was generated invalid."""
        meta = case.meta
        for location, info in (meta.components if meta else {}).items():
            if str(getattr(location, "value", location)).lower() == "body":
                return info.mode.is_negative
        return False

    def fuzz(op, mode, path_parameters=None, auth=None):
        if auth is None:
            auth = inst["rest_token"] if op.path.startswith("/rest/") else token
        strategy = op.as_strategy(
            generation_mode=GenerationMode.NEGATIVE if mode == "negative"
            else GenerationMode.POSITIVE,
            path_parameters=path_parameters)

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(case=strategy)
        def run(case):
            headers = {"Authorization": f"Bearer {auth}"}
            response = case.call(session=session, headers=headers, timeout=30)
            check(case, response, mode)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            pass

    for op in operations:
        if time.monotonic() - start > FUZZ_BUDGET_S:
            break
        if op.path.startswith("/rest/") and not rest_ok:
            continue
        real = None
        if "{id}" in op.path:
            real = {"id": key["id"] if op.path.startswith("/api/v1/api-keys") else inst["id"]}
        for mode in ("positive", "negative"):
            fuzz(op, mode)
            if real and op.method.lower() != "delete":
                fuzz(op, mode, path_parameters=real)
        # An API key as the caller, on every backend and metrics operation.
        if op.path.startswith("/api/v1/") and not op.path.startswith("/api/v1/auth/"):
            fuzz(op, "positive", auth=key["key"],
                 path_parameters=real if real and op.method.lower() != "delete" else None)
        # Stop (or a fuzzed PATCH) must not starve the next operations of a running instance.
        if op.path.startswith("/api/v1/instances/{id}") and op.method.lower() != "delete":
            g.call("POST", f"/api/v1/instances/{inst['id']}/start", token=token)

    elapsed = time.monotonic() - start
    print(f"fuzz: {counts['requests']} requests over {len(operations)} operations "
          f"in {elapsed:.1f}s")
    print(", ".join(f"{label} {status}: {n}" for (label, status), n in sorted(statuses.items())))
    assert counts["requests"] > 200, counts
    assert g.p.proc.poll() is None, g.p.output()[-4000:]
    for svc in ("api-gateway", "backend", "auth-service", "monitoring-service", "node-manager"):
        r = requests.get(g.p.url(svc, "/readyz"), timeout=5)
        assert r.status_code == 200, f"{svc}: {r.text}"
    print("\n".join(map(str, failures)))
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in list(failures.items())[:15]) + \
        f"\n\n{len(failures)} distinct failures; {counts}"
