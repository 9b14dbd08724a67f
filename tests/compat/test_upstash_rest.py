"""The gateway's REST data API (Upstash's protocol, docs/api/rest-data-api.md): @upstash/redis,
unchanged, in tests/compat/upstash/ (installed by scripts/bootstrap), plus each route, the 401s, a
stopped instance and bad bodies at the HTTP level.

The platform runs as `miniredis --target=node-manager,auth-service,backend,api-gateway`; a user
registers with auth-service and creates instances through the backend, like the console does."""
import base64
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest
import requests

from support import NM_TOKEN, Platform, free_port_range

UPSTASH_DIR = Path(__file__).parent / "upstash"
PASSWORD = "correct-Horse-battery-9"


class RestPlatform:
    def __init__(self, root):
        start = free_port_range(8)
        self.p = Platform(root, target="node-manager,auth-service,backend,api-gateway", extra_env={
            "INTERNAL_TOKEN": NM_TOKEN, "REDIS_PORT_START": str(start),
            "REDIS_PORT_END": str(start + 7), "NODE_MANAGER_SHARDS": "2",
            "NODE_MEMORY_MB": "1024", "RATE_LIMIT_PER_USER": "0", "RATE_LIMIT_PER_ADDRESS": "0"})
        self.p.env["AUTH_SERVICE_URL"] = self.p.url("auth-service")
        self.p.env["BACKEND_URL"] = self.p.url("backend")
        self.p.env["NODE_MANAGER_URLS"] = self.p.url("node-manager")
        self.p.start(wait_for=["node-manager", "auth-service", "backend", "api-gateway"])
        deadline = time.time() + 30
        while requests.get(self.p.url("backend", "/readyz"), timeout=5).status_code != 200:
            assert time.time() < deadline, self.p.output()[-4000:]
            time.sleep(0.1)
        email = f"u{secrets.token_hex(6)}@example.com"
        r = requests.post(self.p.url("auth-service", "/api/v1/auth/register"),
                          json={"email": email, "password": PASSWORD}, timeout=30)
        assert r.status_code == 201, r.text
        self.user_token = r.json()["access_token"]

    def backend(self, method, path, body=None):
        return requests.request(method, self.p.url("backend", path), json=body, timeout=30,
                                headers={"Authorization": f"Bearer {self.user_token}"})

    def create_instance(self):
        r = self.backend("POST", "/api/v1/instances",
                         {"name": f"rest-{secrets.token_hex(3)}", "memory_limit_mb": 8})
        assert r.status_code == 201, r.text
        inst = r.json()
        assert inst["status"] == "running" and inst["rest_token"], inst
        return inst

    def rest_url(self, iid, tail=""):
        return self.p.url("api-gateway", f"/rest/{iid}{tail}")


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    rp = RestPlatform(tmp_path_factory.mktemp("rest"))
    yield rp
    rp.p.stop()


@pytest.fixture(scope="module")
def inst(platform):
    return platform.create_instance()


def call(platform, inst, tail="", body=None, token=None, method="POST", headers=None, data=None):
    h = {"Authorization": f"Bearer {inst['rest_token'] if token is None else token}"}
    h.update(headers or {})
    return requests.request(method, platform.rest_url(inst["id"], tail), json=body, data=data,
                            headers=h, timeout=30)


# ---- @upstash/redis, unchanged ----------------------------------------------------------------

def test_upstash_redis_client_suite(platform):
    if not (UPSTASH_DIR / "node_modules" / "@upstash" / "redis").is_dir():
        pytest.fail("tests/compat/upstash/node_modules is missing: run scripts/bootstrap")
    inst = platform.create_instance()
    env = dict(os.environ, REST_URL=platform.rest_url(inst["id"]), REST_TOKEN=inst["rest_token"],
               UPSTASH_DISABLE_TELEMETRY="1")
    r = subprocess.run(["node", "--test", "upstash.test.mjs"], cwd=UPSTASH_DIR, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    cases = (UPSTASH_DIR / "upstash.test.mjs").read_text().count("\ntest(")
    assert "# fail 0" in r.stdout and f"# pass {cases}\n" in r.stdout, r.stdout[-2000:]


# ---- each route --------------------------------------------------------------------------------

def test_one_command_in_the_body(platform, inst):
    assert call(platform, inst, body=["SET", "k1", "v1"]).json() == {"result": "OK"}
    r = call(platform, inst, body=["GET", "k1"])
    assert r.status_code == 200 and r.json() == {"result": "v1"}
    assert r.headers["Content-Type"].startswith("application/json")
    # numbers keep the text they were sent as; booleans become true/false
    assert call(platform, inst, data='["SET", "n", 1.50]').json() == {"result": "OK"}
    assert call(platform, inst, body=["GET", "n"]).json() == {"result": "1.50"}
    assert call(platform, inst, body=["SET", "b", True]).json() == {"result": "OK"}
    assert call(platform, inst, body=["GET", "b"]).json() == {"result": "true"}
    assert call(platform, inst, body=["INCRBY", "cnt", 5]).json() == {"result": 5}
    assert call(platform, inst, body=["GET", "nothing"]).json() == {"result": None}
    assert call(platform, inst, body=["RPUSH", "list", "a", "b"]).json() == {"result": 2}
    assert call(platform, inst, body=["LRANGE", "list", 0, -1]).json() == {"result": ["a", "b"]}


def test_base64_encoding_of_results(platform, inst):
    b64 = {"Upstash-Encoding": "base64"}
    assert call(platform, inst, body=["SET", "bin", "h\u00e9 \U0001F600"],
                headers=b64).json() == {"result": "OK"}
    got = call(platform, inst, body=["GET", "bin"], headers=b64).json()["result"]
    assert base64.b64decode(got).decode() == "h\u00e9 \U0001F600"
    assert call(platform, inst, body=["STRLEN", "bin"], headers=b64).json() == {"result": 8}
    assert call(platform, inst, body=["PING"], headers=b64).json() == {"result": "UE9ORw=="}
    assert call(platform, inst, body=["GET", "nothing"], headers=b64).json() == {"result": None}
    nested = call(platform, inst, body=["LRANGE", "list", 0, -1], headers=b64).json()
    assert nested == {"result": ["YQ==", "Yg=="]}


def test_command_errors_are_400_with_redis_message(platform, inst):
    call(platform, inst, body=["SET", "s", "x"])
    r = call(platform, inst, body=["LPUSH", "s", "y"])
    assert r.status_code == 400 and r.json()["error"].startswith("WRONGTYPE"), r.text
    r = call(platform, inst, body=["NOSUCH"])
    assert r.status_code == 400 and r.json()["error"].startswith("ERR unknown command")
    r = call(platform, inst, body=["BLPOP", "q", 0])
    assert r.status_code == 400 and "persistent connection" in r.json()["error"]


def test_pipeline(platform, inst):
    r = call(platform, inst, "/pipeline",
             [["SET", "p1", "1"], ["INCR", "p1"], ["LPUSH", "p1", "x"], ["GET", "p1"]])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body[:2] == [{"result": "OK"}, {"result": 2}]
    assert body[2]["error"].startswith("WRONGTYPE") and body[3] == {"result": "2"}


def test_multi_exec(platform, inst):
    r = call(platform, inst, "/multi-exec", [["SET", "t1", "1"], ["INCR", "t1"], ["GET", "t1"]])
    assert r.status_code == 200 and r.json() == [{"result": "OK"}, {"result": 2}, {"result": "2"}]
    # a runtime error fails its command only
    r = call(platform, inst, "/multi-exec", [["SET", "t2", "a"], ["INCR", "t2"], ["GET", "t2"]])
    assert r.json()[0] == {"result": "OK"} and "not an integer" in r.json()[1]["error"]
    # a command that cannot be queued discards the whole transaction
    r = call(platform, inst, "/multi-exec", [["SET", "t3", "1"], ["GET"], ["SET", "t4", "1"]])
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("EXECABORT Transaction discarded because of previous "
                                        "errors: ERR wrong number of arguments"), r.text
    assert call(platform, inst, body=["EXISTS", "t3", "t4"]).json() == {"result": 0}


def test_path_form(platform, inst):
    assert call(platform, inst, "/set/pf/bar", method="GET").json() == {"result": "OK"}
    assert call(platform, inst, "/get/pf", method="GET").json() == {"result": "bar"}
    assert call(platform, inst, "/set/a%2Fb%20c/1+2", method="GET").json() == {"result": "OK"}
    assert call(platform, inst, "/get/a%2Fb%20c", method="GET").json() == {"result": "1+2"}
    # POST: the body is the last argument, query parameters follow it
    r = call(platform, inst, "/set/json?EX=100", data='{"a": [1, 2]}')
    assert r.json() == {"result": "OK"}, r.text
    assert call(platform, inst, "/get/json", method="GET").json() == {"result": '{"a": [1, 2]}'}
    ttl = call(platform, inst, "/ttl/json", method="GET").json()["result"]
    assert 95 < ttl <= 100
    # the token may be a query parameter
    r = requests.get(platform.rest_url(inst["id"], f"/get/pf?_token={inst['rest_token']}"))
    assert r.json() == {"result": "bar"}
    r = call(platform, inst, "/hget/pf/f", method="GET")
    assert r.status_code == 400 and r.json()["error"].startswith("WRONGTYPE")


# ---- refusals ----------------------------------------------------------------------------------

def test_401_for_wrong_or_missing_tokens_and_unknown_ids(platform, inst):
    other = platform.create_instance()
    cases = [
        call(platform, inst, body=["GET", "k1"], token="wrong"),
        call(platform, inst, body=["GET", "k1"], token=""),
        requests.post(platform.rest_url(inst["id"]), json=["GET", "k1"]),
        call(platform, inst, body=["GET", "k1"], token=other["rest_token"]),
        call(platform, {"id": "db-aaaaaaaaaaaa", "rest_token": inst["rest_token"]},
             body=["GET", "k1"]),
        call(platform, {"id": "..%2Finternal", "rest_token": inst["rest_token"]},
             body=["GET", "k1"]),
        call(platform, inst, "/pipeline", [["GET", "k1"]], token="wrong"),
        call(platform, inst, "/multi-exec", [["GET", "k1"]], token="wrong"),
        call(platform, inst, "/get/k1", method="GET", token="wrong"),
        requests.get(platform.rest_url(inst["id"], "/get/k1?_token=wrong")),
    ]
    for r in cases:
        assert r.status_code == 401, (r.request.url, r.text)
        assert set(r.json()) == {"error"} and "Unauthorized" in r.json()["error"]
    unknown = call(platform, {"id": "db-aaaaaaaaaaaa", "rest_token": "x"}, body=["GET", "k"])
    assert unknown.json() == cases[0].json()  # an unknown id and a wrong token look the same


@pytest.mark.parametrize("tail,body", [
    ("", {}), ("", "GET k"), ("", []), ("", [["GET", "k"]]), ("", ["SET", "k", {"a": 1}]),
    ("", ["GET", None]), ("", 42), ("/pipeline", ["GET", "k"]), ("/pipeline", []),
    ("/pipeline", [[]]), ("/pipeline", [["GET", ["k"]]]), ("/pipeline", [["GET", "k"], "x"]),
    ("/multi-exec", {"commands": []}), ("/multi-exec", [[["deep"]]]),
])
def test_bodies_that_are_not_commands_are_400(platform, inst, tail, body):
    r = call(platform, inst, tail, body)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("ERR"), r.text


def test_malformed_json_is_400(platform, inst):
    for data in ('["GET", "k"', '["GET" "k"]', "", '["GET", "k"] trailing', "\xff"):
        r = call(platform, inst, data=data.encode("latin-1"),
                 headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (data, r.text)


def test_pipeline_of_1000_commands_works_and_1001_is_400(platform, inst):
    r = call(platform, inst, "/pipeline", [["INCR", "many"]] * 1000)
    assert r.status_code == 200 and r.json()[-1] == {"result": 1000}
    r = call(platform, inst, "/pipeline", [["INCR", "many"]] * 1001)
    assert r.status_code == 400 and "at most 1000" in r.json()["error"], r.text
    r = call(platform, inst, "/multi-exec", [["INCR", "many"]] * 1001)
    assert r.status_code == 400
    assert call(platform, inst, body=["GET", "many"]).json() == {"result": "1000"}


def test_a_stopped_instance_answers_503_until_started(platform):
    inst = platform.create_instance()
    assert call(platform, inst, body=["SET", "k", "v"]).json() == {"result": "OK"}
    r = platform.backend("POST", f"/api/v1/instances/{inst['id']}/stop")
    assert r.status_code == 200, r.text
    r = call(platform, inst, body=["GET", "k"])
    assert r.status_code == 503, r.text
    assert set(r.json()) == {"error"} and inst["id"] in r.json()["error"]
    assert call(platform, inst, "/pipeline", [["GET", "k"]]).status_code == 503
    assert call(platform, inst, body=["GET", "k"], token="wrong").status_code == 401
    r = platform.backend("POST", f"/api/v1/instances/{inst['id']}/start")
    assert r.status_code == 200, r.text
    deadline = time.time() + 10
    while (r := call(platform, inst, body=["GET", "k"])).status_code != 200:
        assert time.time() < deadline, r.text
        time.sleep(0.2)
    assert r.json() == {"result": "v"}
