"""backend (docs/api/backend.md) through the real binary, on SQLite and on a real PostgreSQL 15
(the PostgreSQL cases fail, not skip, when it cannot start).

The platform runs as `miniredis --target=node-manager,auth-service,backend` with its own ports,
data dir and database; the node-manager outage tests run node-manager as a separate process so
that it can be kill -9'd and restarted on the same ports and data dir. Users come from
auth-service (register) and call the backend port with their access token."""
import concurrent.futures
import json
import time

import pytest
import redis
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend_stack import (  # noqa: F401 (engine, make_stack, shared: fixtures)
    EVENT_FIELDS, ID_RE, INSTANCE_FIELDS, KEY_RE, MAX_MEMORY_MB, TIME_RE, TOKEN, all_events,
    assert_error, b64url, client, create, describe, engine, events, get, greeting, make_stack, ok,
    refused, shared, shared_client, sign, unb64url,
)
from support import nm_api, wait_until

# Migrations, create, read ------------------------------------------------------------------


def test_migrations_from_an_empty_database_and_restart(make_stack):
    s = make_stack()
    tables = s.tables()
    assert "schema_migrations" in tables, tables
    applied = s.rows("SELECT count(*) FROM schema_migrations")[0][0]
    assert int(applied) >= 1
    s.audit_table(), s.instances_table()  # both exist
    user = s.register()
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}
    assert ok(s.api("GET", "/api/v1/quota", user=user)) == {
        "instances": {"used": 0, "limit": 10}, "memory_mb": {"used": 0, "limit": 1024}}
    inst = create(s, user, "survivor", mem=16, persistence="aof-always")
    assert client(inst).set("k", "v")
    # A restart applies nothing twice, keeps the instance, its password and its data.
    assert s.svc.stop() == 0
    s.svc.start(wait_for=["node-manager", "auth-service", "backend"])
    s.wait_ready()
    assert s.rows("SELECT count(*) FROM schema_migrations")[0][0] == applied
    again = get(s, user, inst["id"])
    assert again["password"] == inst["password"] and again["rest_token"] == inst["rest_token"]
    assert again["endpoint"] == inst["endpoint"]
    wait_until(lambda: get(s, user, inst["id"])["status"] == "running", 10, "running again")
    assert client(again).get("k") == b"v"


def test_create_answers_the_documented_instance_and_it_serves(shared):
    s = shared
    user = s.register()
    r = s.api("POST", "/api/v1/instances", {"name": "cache", "memory_limit_mb": 64,
                                            "eviction_policy": "allkeys-lru",
                                            "persistence": "aof-everysec"}, user=user)
    inst = ok(r, 201)
    assert INSTANCE_FIELDS <= set(inst), inst
    assert ID_RE.match(inst["id"]), inst["id"]
    assert inst["name"] == "cache" and inst["status"] == "running"
    assert inst["memory_limit_mb"] == 64 and inst["eviction_policy"] == "allkeys-lru"
    assert inst["persistence"] == "aof-everysec"
    port, pw = inst["endpoint"]["port"], inst["password"]
    assert inst["endpoint"] == {"host": "127.0.0.1", "port": port, "shared_port": s.shared_port}
    assert port in s.pool, (port, s.pool)
    assert len(unb64url(pw)) == 32 and len(unb64url(inst["rest_token"])) == 32
    assert inst["url"] == f"redis://default:{pw}@127.0.0.1:{port}"
    assert TIME_RE.match(inst["created_at"]) and TIME_RE.match(inst["updated_at"]), inst

    dedicated = client(inst)
    assert dedicated.set("greeting", "hello") and dedicated.get("greeting") == b"hello"
    via_shared = shared_client(s, inst)
    assert via_shared.get("greeting") == b"hello"
    assert via_shared.set("other", "1") and dedicated.get("other") == b"1"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="wrong", socket_timeout=5).ping()

    # node-manager holds the same spec, and no password.
    held = nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}")
    assert held.status_code == 200, held.text
    held = held.json()
    assert held["port"] == port and held["memory_limit_mb"] == 64
    assert held["eviction_policy"] == "allkeys-lru" and held["persistence"] == "aof-everysec"
    assert pw not in held.values()

    # Defaults.
    plain = create(s, user, "plain", mem=8)
    assert plain["eviction_policy"] == "noeviction" and plain["persistence"] == "aof-everysec"

    # Secrets are encrypted at rest, with the backend's own key.
    assert (s.svc.data_dir / "keys" / "backend_secrets.key").exists()
    stored = s.at_rest()
    for secret in (pw, inst["rest_token"], plain["password"]):
        assert secret.encode() not in stored
    # The documented URL and redis-cli line (docs/api/backend.md).
    assert inst["url"] == f"redis://default:{pw}@127.0.0.1:{port}"
    assert inst["redis_cli"] == f"redis-cli -u redis://default:{pw}@127.0.0.1:{port}"


def test_list_is_newest_first_and_get_matches(shared):
    s = shared
    user = s.register()
    first = create(s, user, "first")
    second = create(s, user, "second")
    listed = ok(s.api("GET", "/api/v1/instances", user=user))["instances"]
    assert [i["id"] for i in listed] == [second["id"], first["id"]]
    for inst in (first, second):
        got = get(s, user, inst["id"])
        for field in INSTANCE_FIELDS - {"updated_at", "status"}:
            assert got[field] == inst[field], field
        assert got["status"] == "running"


def test_patch_is_applied_live(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "tune", mem=16)
    c = client(inst)
    c.set("k", "v")
    r = s.api("PATCH", f"/api/v1/instances/{inst['id']}",
              {"memory_limit_mb": 32, "eviction_policy": "allkeys-lfu", "persistence": "none"},
              user=user)
    patched = ok(r)
    assert patched["memory_limit_mb"] == 32 and patched["eviction_policy"] == "allkeys-lfu"
    assert patched["persistence"] == "none" and patched["status"] == "running"
    assert patched["endpoint"] == inst["endpoint"] and patched["password"] == inst["password"]
    assert patched["updated_at"] >= inst["updated_at"]
    held = nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()
    assert (held["memory_limit_mb"], held["eviction_policy"], held["persistence"]) == \
        (32, "allkeys-lfu", "none"), held
    stats = {i["id"]: i for i in nm_api(s.nm, "GET", "/v1/stats").json()["instances"]}
    assert stats[inst["id"]]["maxmemory"] == 32 * 1024 * 1024
    assert c.get("k") == b"v"  # no restart: the data is still there
    assert get(s, user, inst["id"])["memory_limit_mb"] == 32

    renamed = ok(s.api("PATCH", f"/api/v1/instances/{inst['id']}", {"name": "tuned"}, user=user))
    assert renamed["name"] == "tuned" and renamed["memory_limit_mb"] == 32
    other = create(s, user, "other")
    assert_error(s.api("PATCH", f"/api/v1/instances/{inst['id']}", {"name": "other"}, user=user),
                 409, "name_taken")
    assert get(s, user, inst["id"])["name"] == "tuned"
    # Renaming to its own name is not a conflict.
    ok(s.api("PATCH", f"/api/v1/instances/{other['id']}", {"name": "other"}, user=user))


def test_stop_refuses_connections_and_start_keeps_port_and_data(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "pausable")
    client(inst).set("k", "kept")
    port = inst["endpoint"]["port"]
    stopped = ok(s.api("POST", f"/api/v1/instances/{inst['id']}/stop", user=user))
    assert stopped["status"] == "stopped" and stopped["endpoint"]["port"] == port
    assert greeting(port).startswith("-ERR instance is stopped")
    with pytest.raises(redis.RedisError, match="stopped"):
        client(inst).get("k")
    with pytest.raises(redis.RedisError, match=f"instance '{inst['id']}' is stopped"):
        shared_client(s, inst).get("k")
    assert nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()["status"] == "stopped"
    assert get(s, user, inst["id"])["status"] == "stopped"
    # Stopping again is harmless.
    assert ok(s.api("POST", f"/api/v1/instances/{inst['id']}/stop", user=user))["status"] == \
        "stopped"

    started = ok(s.api("POST", f"/api/v1/instances/{inst['id']}/start", user=user))
    assert started["status"] == "running" and started["endpoint"]["port"] == port
    assert client(inst).get("k") == b"kept"
    assert shared_client(s, inst).get("k") == b"kept"


def test_command_route(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "cmd")
    path = f"/api/v1/instances/{inst['id']}/command"
    assert ok(s.api("POST", path, {"command": ["SET", "k", "v"]}, user=user)) == {"result": "OK"}
    assert ok(s.api("POST", path, {"command": ["GET", "k"]}, user=user)) == {"result": "v"}
    assert ok(s.api("POST", path, {"command": ["GET", "missing"]}, user=user)) == {"result": None}
    assert ok(s.api("POST", path, {"command": ["RPUSH", "l", "a", "b"]}, user=user)) == \
        {"result": 2}
    assert ok(s.api("POST", path, {"command": ["LRANGE", "l", "0", "-1"]}, user=user)) == \
        {"result": ["a", "b"]}
    assert client(inst).get("k") == b"v"
    err = assert_error(s.api("POST", path, {"command": ["HGET", "k", "f"]}, user=user), 400,
                       "command_error")
    assert err["message"].startswith("WRONGTYPE"), err
    err = assert_error(s.api("POST", path, {"command": ["NOSUCHCMD"]}, user=user), 400,
                       "command_error")
    assert "unknown command" in err["message"].lower(), err
    assert_error(s.api("POST", path, {}, user=user), 400, "missing_field")
    assert_error(s.api("POST", path, {"command": "GET k"}, user=user), 400, "invalid_command")
    assert_error(s.api("POST", path, {"command": ["GET", "k"], "x": 1}, user=user), 400,
                 "unknown_field")
    assert_error(s.api("POST", path, data="{", user=user), 400, "invalid_json")


def test_delete_removes_data_frees_port_and_name(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "doomed")
    port = inst["endpoint"]["port"]
    client(inst).set("k", "v")
    r = s.api("DELETE", f"/api/v1/instances/{inst['id']}", user=user)
    assert r.status_code == 204 and r.content == b"", describe(r)
    assert nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").status_code == 404
    assert refused(port)
    assert_error(s.api("GET", f"/api/v1/instances/{inst['id']}", user=user), 404, "not_found")
    assert_error(s.api("DELETE", f"/api/v1/instances/{inst['id']}", user=user), 404, "not_found")
    assert_error(s.api("POST", f"/api/v1/instances/{inst['id']}/start", user=user), 404,
                 "not_found")
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}
    again = create(s, user, "doomed")
    assert again["id"] != inst["id"]
    assert client(again).get("k") is None


# Quotas ------------------------------------------------------------------------------------


def test_quota_counts_instances_and_memory(shared):
    s = shared  # 3 instances, 100 MB per user
    user = s.register()
    a = create(s, user, "a", mem=30)
    create(s, user, "b", mem=30)
    c = create(s, user, "c", mem=30)
    before = s.row_counts()
    err = assert_error(s.api("POST", "/api/v1/instances", {"name": "d", "memory_limit_mb": 1},
                             user=user), 403, "quota_exceeded")
    assert "3" in err["message"], err
    assert s.row_counts() == before
    ok(s.api("DELETE", f"/api/v1/instances/{c['id']}", user=user), 204)
    before = s.row_counts()
    err = assert_error(s.api("POST", "/api/v1/instances", {"name": "d", "memory_limit_mb": 41},
                             user=user), 403, "quota_exceeded")
    assert "100" in err["message"] or "memory" in err["message"].lower(), err
    assert s.row_counts() == before
    create(s, user, "d", mem=40)  # exactly at the limit
    assert ok(s.api("GET", "/api/v1/quota", user=user)) == {
        "instances": {"used": 3, "limit": 3}, "memory_mb": {"used": 100, "limit": 100}}
    # A memory increase beyond the quota is refused and changes nothing.
    assert_error(s.api("PATCH", f"/api/v1/instances/{a['id']}", {"memory_limit_mb": 31},
                       user=user), 403, "quota_exceeded")
    assert get(s, user, a["id"])["memory_limit_mb"] == 30
    assert nm_api(s.nm, "GET", f"/v1/instances/{a['id']}").json()["memory_limit_mb"] == 30
    # A decrease is fine and frees room.
    ok(s.api("PATCH", f"/api/v1/instances/{a['id']}", {"memory_limit_mb": 20}, user=user))
    assert ok(s.api("GET", "/api/v1/quota", user=user))["memory_mb"]["used"] == 90
    # Another user has a quota of their own.
    create(s, s.register(), "a", mem=100)


def test_concurrent_creates_never_exceed_the_quota(shared):
    s = shared  # 3 instances per user
    user = s.register()
    nm_before = set(s.nm_instances())

    def attempt(i):
        return s.api("POST", "/api/v1/instances", {"name": f"race-{i}", "memory_limit_mb": 8},
                     user=user)

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    codes = [r.status_code for r in answers]
    assert codes.count(201) == 3, [(r.status_code, r.text) for r in answers]
    for r in answers:
        if r.status_code != 201:
            assert_error(r, 403, "quota_exceeded")
    mine = ok(s.api("GET", "/api/v1/instances", user=user))["instances"]
    assert len(mine) == 3
    created = {r.json()["id"] for r in answers if r.status_code == 201}
    assert {i["id"] for i in mine} == created
    assert set(s.nm_instances()) - nm_before == created
    rows = [r for r in s.rows(f"SELECT * FROM {s.instances_table()}")
            if any(v.startswith("race-") for v in r)]
    assert len(rows) == 3, rows
    assert all(any(iid in row for row in rows) for iid in created), (created, rows)
    creates = [e for e in all_events(s, user) if e["action"] == "instance.create"]
    assert len(creates) == 3


# Ownership ---------------------------------------------------------------------------------


def test_another_users_instance_is_not_found_on_every_route(shared):
    s = shared
    owner, stranger = s.register(), s.register()
    inst = create(s, owner, "private", mem=16)
    client(inst).set("secret", "owner-data")
    iid = inst["id"]
    before = s.row_counts()
    routes = [("GET", f"/api/v1/instances/{iid}", None),
              ("PATCH", f"/api/v1/instances/{iid}", {"memory_limit_mb": 8}),
              ("DELETE", f"/api/v1/instances/{iid}", None),
              ("POST", f"/api/v1/instances/{iid}/stop", None),
              ("POST", f"/api/v1/instances/{iid}/start", None),
              ("POST", f"/api/v1/instances/{iid}/command", {"command": ["GET", "secret"]})]
    messages = set()
    for method, path, body in routes:
        err = assert_error(s.api(method, path, body, user=stranger), 404, "not_found")
        messages.add(err["message"])
        # An unknown id of the right form and one of the wrong form answer the same.
        for other in ("db-aaaaaaaaaaaa", "nope", "db-AAAAAAAAAAAA", "db-aaaaaaaaaaaa%27",
                      "db-" + "a" * 300, "%2e%2e"):
            e2 = assert_error(s.api(method, path.replace(iid, other), body, user=stranger), 404,
                              "not_found")
            messages.add(e2["message"].replace(other, iid))
    assert len(messages) == 1, messages
    assert ok(s.api("GET", "/api/v1/instances", user=stranger)) == {"instances": []}
    assert all_events(s, stranger) == []
    assert s.row_counts() == before
    # The owner's instance is untouched.
    again = get(s, owner, iid)
    assert again["status"] == "running" and again["memory_limit_mb"] == 16
    assert nm_api(s.nm, "GET", f"/v1/instances/{iid}").json()["memory_limit_mb"] == 16
    assert client(inst).get("secret") == b"owner-data"
    # Names are unique per owner only.
    create(s, stranger, "private")


# API keys ----------------------------------------------------------------------------------


def test_api_keys_lifecycle(shared):
    s = shared
    user, other = s.register(), s.register()
    r = s.api("POST", "/api/v1/api-keys", {"name": "ci"}, user=user)
    made = ok(r, 201)
    assert {"id", "name", "prefix", "key", "created_at"} <= set(made), made
    key = made["key"]
    assert KEY_RE.match(key) and made["prefix"] == key[:16] and made["name"] == "ci"
    listed = s.api("GET", "/api/v1/api-keys", user=user)
    keys = ok(listed)["api_keys"]
    assert len(keys) == 1 and set(keys[0]) == {"id", "name", "prefix", "created_at",
                                               "last_used_at"}
    assert keys[0]["prefix"] == key[:16] and keys[0]["last_used_at"] is None
    assert key not in listed.text and key[16:] not in listed.text
    assert key.encode() not in s.at_rest()  # only its SHA-256 is stored

    # The key authenticates as its owner.
    assert ok(s.api("GET", "/api/v1/instances", user=key)) == {"instances": []}
    inst = create(s, key, "by-key")
    assert [i["id"] for i in ok(s.api("GET", "/api/v1/instances", user=user))["instances"]] == \
        [inst["id"]]
    ev = next(e for e in all_events(s, user) if e["action"] == "instance.create")
    assert str(ev["actor"]["user_id"]) == user.id and ev["actor"]["api_key_id"] == made["id"]
    used = ok(s.api("GET", "/api/v1/api-keys", user=user))["api_keys"][0]
    assert used["last_used_at"] and TIME_RE.match(used["last_used_at"]), used

    # A key cannot mint or revoke keys.
    before = s.row_counts()
    assert_error(s.api("POST", "/api/v1/api-keys", {"name": "more"}, user=key), 403, "forbidden")
    assert_error(s.api("DELETE", f"/api/v1/api-keys/{made['id']}", user=key), 403, "forbidden")
    assert s.row_counts() == before
    # Someone else cannot see or revoke it.
    assert ok(s.api("GET", "/api/v1/api-keys", user=other)) == {"api_keys": []}
    assert_error(s.api("DELETE", f"/api/v1/api-keys/{made['id']}", user=other), 404, "not_found")
    assert ok(s.api("GET", "/api/v1/instances", user=key))["instances"]

    # Revoked: refused at once, everywhere.
    r = s.api("DELETE", f"/api/v1/api-keys/{made['id']}", user=user)
    assert r.status_code == 204, describe(r)
    assert_error(s.api("GET", "/api/v1/instances", user=key), 401, "invalid_token")
    assert_error(s.api("POST", "/api/v1/instances", {"name": "late", "memory_limit_mb": 1},
                       user=key), 401, "invalid_token")
    resolve = requests.post(s.url("/internal/v1/api-keys/resolve"), json={"key": key},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert resolve.status_code == 404, describe(resolve)
    actions = [e["action"] for e in all_events(s, user)]
    assert actions[:3] == ["api_key.revoke", "instance.create", "api_key.create"], actions

    # Keys of the wrong form, or unknown ones, are refused.
    for bad in ("mr_live_", "mr_live_" + "A" * 43, key[:-1], key + "A", "mr_live_" + "A" * 500):
        assert_error(s.api("GET", "/api/v1/instances", user=bad), 401, "invalid_token")
    # The documented answer of a create, exactly (checked last).
    assert set(made) == {"id", "name", "prefix", "key", "created_at"}, made


def test_at_most_25_live_api_keys(shared):
    s = shared
    user = s.register()
    ids = [ok(s.api("POST", "/api/v1/api-keys", {"name": f"k{i}"}, user=user), 201)["id"]
           for i in range(25)]
    before = s.row_counts()
    assert_error(s.api("POST", "/api/v1/api-keys", {"name": "k25"}, user=user), 403,
                 "quota_exceeded")
    assert s.row_counts() == before
    assert s.api("DELETE", f"/api/v1/api-keys/{ids[0]}", user=user).status_code == 204
    ok(s.api("POST", "/api/v1/api-keys", {"name": "k25"}, user=user), 201)


@pytest.mark.parametrize("data,code", [
    ("{", "invalid_json"),
    ("[]", "invalid_json"),
    ("{}", "missing_field"),
    ('{"name": "x", "scopes": ["all"]}', "unknown_field"),
    ('{"name": 5}', "invalid_name"),
    ('{"name": ""}', "invalid_name"),
    (json.dumps({"name": "k" * 65}), "invalid_name"),
])
def test_bad_api_key_bodies_write_nothing(shared, data, code):
    s = shared
    user = s.register()
    before = s.row_counts()
    assert_error(s.api("POST", "/api/v1/api-keys", data=data, user=user), 400, code)
    assert s.row_counts() == before
    assert ok(s.api("GET", "/api/v1/api-keys", user=user)) == {"api_keys": []}


# Internal routes ---------------------------------------------------------------------------


def test_internal_routes_need_the_internal_token(shared):
    s = shared
    user = s.register()
    key = ok(s.api("POST", "/api/v1/api-keys", {"name": "gw"}, user=user), 201)
    inst = create(s, user, "routed")
    resolve = s.url("/internal/v1/api-keys/resolve")
    route = s.url(f"/internal/v1/instances/{inst['id']}/route")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {user.token}"},
                    {"Authorization": f"Bearer {key['key']}"}, {"X-Internal-Token": TOKEN},
                    {"Authorization": TOKEN}):
        assert_error(requests.post(resolve, json={"key": key["key"]}, headers=headers,
                                   timeout=10), 401, www=False)
        assert_error(requests.get(route, headers=headers, timeout=10), 401, www=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = requests.post(resolve, json={"key": key["key"]}, headers=auth, timeout=10)
    assert ok(r) == {"user_id": r.json()["user_id"], "api_key_id": key["id"]}
    assert str(r.json()["user_id"]) == user.id
    assert_error(requests.post(resolve, json={"key": "mr_live_" + "B" * 43}, headers=auth,
                               timeout=10), 404)
    assert_error(requests.post(resolve, data="{", headers=auth, timeout=10), 400, "invalid_json")
    got = ok(requests.get(route, headers=auth, timeout=10))
    assert got["node_manager_url"].rstrip("/") == s.nm.url("node-manager")
    assert str(got["owner_id"]) == user.id and got["status"] == "running"
    assert_error(requests.get(s.url("/internal/v1/instances/db-aaaaaaaaaaaa/route"),
                              headers=auth, timeout=10), 404, "not_found")


def test_gateway_headers_need_the_internal_token(shared):
    s = shared
    owner, other = s.register(), s.register()
    inst = create(s, owner, "gw")
    before = s.row_counts()
    for headers in ({"X-User-Id": owner.id}, {"X-User-Id": owner.id, "X-Internal-Token": "no"},
                    {"X-User-Id": owner.id, "X-Internal-Token": ""}):
        assert_error(s.api("GET", "/api/v1/instances", headers=headers), 401, "invalid_token")
        assert_error(s.api("POST", "/api/v1/instances", {"name": "x", "memory_limit_mb": 1},
                           headers=headers), 401, "invalid_token")
        # With someone's token, the header does not change who is calling.
        mine = ok(s.api("GET", "/api/v1/instances", user=other, headers=headers))
        assert mine == {"instances": []}
        assert_error(s.api("GET", f"/api/v1/instances/{inst['id']}", user=other,
                           headers=headers), 404, "not_found")
    assert s.row_counts() == before
    # With the right internal token the gateway's word is taken.
    listed = ok(s.api("GET", "/api/v1/instances",
                      headers={"X-User-Id": owner.id, "X-Internal-Token": TOKEN}))
    assert [i["id"] for i in listed["instances"]] == [inst["id"]]


# Audit log ---------------------------------------------------------------------------------


def test_audit_log_records_every_change(shared):
    s = shared
    user, other = s.register(), s.register()
    done = []  # (action, target type, target id, request id), oldest first

    def change(action, ttype, method, path, body=None, status=200, headers=None):
        r = s.api(method, path, body, user=user, headers=headers)
        assert r.status_code == status, describe(r)
        rid = r.headers.get("X-Request-Id")
        assert rid, r.headers
        tid = r.json()["id"] if (method == "POST" and status == 201) else path.split("/")[4]
        done.append((action, ttype, tid, rid))
        return r

    iid = change("instance.create", "instance", "POST", "/api/v1/instances",
                 {"name": "audited", "memory_limit_mb": 8}, 201,
                 headers={"X-Forwarded-For": "203.0.113.9"}).json()["id"]
    change("instance.update", "instance", "PATCH", f"/api/v1/instances/{iid}",
           {"memory_limit_mb": 9})
    change("instance.stop", "instance", "POST", f"/api/v1/instances/{iid}/stop")
    change("instance.start", "instance", "POST", f"/api/v1/instances/{iid}/start")
    kid = change("api_key.create", "api_key", "POST", "/api/v1/api-keys", {"name": "a"},
                 201).json()["id"]
    change("api_key.revoke", "api_key", "DELETE", f"/api/v1/api-keys/{kid}", status=204)
    change("instance.delete", "instance", "DELETE", f"/api/v1/instances/{iid}", status=204)
    # Reads and refusals are not events.
    s.api("GET", f"/api/v1/instances/{iid}", user=user)
    s.api("POST", "/api/v1/instances", {"name": "", "memory_limit_mb": 8}, user=user)

    got = all_events(s, user)
    assert len(got) == len(done), got
    for ev, (action, ttype, tid, rid) in zip(got, reversed(done)):
        assert set(ev) == EVENT_FIELDS, ev
        assert ev["action"] == action, (ev, action)
        assert ev["target"] == {"type": ttype, "id": tid}, ev
        assert str(ev["actor"]["user_id"]) == user.id and ev["actor"]["api_key_id"] is None, ev
        assert ev["request_id"] == rid, ev
        assert TIME_RE.match(ev["at"]), ev
        # BACKEND_TRUST_FORWARDED_FOR is not set: X-Forwarded-For is not believed.
        assert ev["remote_address"] == "127.0.0.1", ev
    ats = [e["at"] for e in got]
    assert ats == sorted(ats, reverse=True)
    assert len({e["id"] for e in got}) == len(got)

    # Pages of two, newest first, chained by next_before.
    paged, before = [], None
    for _ in range(10):
        page = events(s, user, limit=2, **({"before": before} if before else {}))
        assert len(page["events"]) <= 2
        paged += page["events"]
        before = page["next_before"]
        if not before or not page["events"]:
            break
    assert [e["id"] for e in paged] == [e["id"] for e in got]
    assert all_events(s, other) == []


def test_audit_events_cannot_be_updated_or_deleted(shared):
    s = shared
    user = s.register()
    create(s, user, "evidence")
    table = s.audit_table()
    before = s.rows(f"SELECT * FROM {table} ORDER BY 1")
    assert before
    okay, out = s.cli(f"SELECT count(*) FROM {table}")  # the client itself works
    assert okay and str(len(before)) in out, out
    cols = s.columns(table)
    assert "action" in cols, cols
    for sql in (f"UPDATE {table} SET action = 'tampered'",
                f"UPDATE {table} SET {cols[-1]} = {cols[-1]}",
                f"DELETE FROM {table}",
                f"DELETE FROM {table} WHERE action = 'instance.create'"):
        okay, out = s.cli(sql)
        assert not okay, f"{sql!r} was accepted: {out}"
        for other_reason in ("locked", "busy", "no such", "does not exist", "syntax"):
            assert other_reason not in out.lower(), out  # refused by the trigger
    assert s.rows(f"SELECT * FROM {table} ORDER BY 1") == before
    # The service still appends.
    create(s, user, "evidence-2")
    assert len(s.rows(f"SELECT * FROM {table}")) == len(before) + 1


# Bad input ---------------------------------------------------------------------------------

LONG = "n" * 65


@pytest.mark.parametrize("data,code", [
    ("not json", "invalid_json"),
    ('{"name": "x", "memory_limit_mb": ', "invalid_json"),
    ('["x", 8]', "invalid_json"),
    ('"x"', "invalid_json"),
    ("", "invalid_json"),
    ("{}", "missing_field"),
    ('{"name": "x"}', "missing_field"),
    ('{"memory_limit_mb": 8}', "missing_field"),
    ('{"name": "x", "memory_limit_mb": 8, "owner_id": "1"}', "unknown_field"),
    ('{"name": "x", "memory_limit_mb": 8, "id": "db-aaaaaaaaaaaa"}', "unknown_field"),
    ('{"name": "x", "memory_limit_mb": 8, "password": "mine"}', "unknown_field"),
    ('{"name": "x", "memory_limit_mb": 8, "status": "running"}', "unknown_field"),
    ('{"name": 7, "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": ["x"], "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": null, "memory_limit_mb": 8}', ("invalid_name", "missing_field")),
    ('{"name": "", "memory_limit_mb": 8}', "invalid_name"),
    (json.dumps({"name": LONG, "memory_limit_mb": 8}), "invalid_name"),
    ('{"name": " lead", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "trail ", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a/b", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "x\'; DROP TABLE instances;--", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a\\nb", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a\\u0000b", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "<script>", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a\\u00a0b", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a\\u200bb", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "a\\tb", "memory_limit_mb": 8}', "invalid_name"),
    ('{"name": "x", "memory_limit_mb": 0}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": -8}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": 8.5}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": "8"}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": true}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": null}', ("invalid_memory_limit_mb", "missing_field")),
    (f'{{"name": "x", "memory_limit_mb": {MAX_MEMORY_MB + 1}}}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": 1e30}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": 99999999999999999999999}', "invalid_memory_limit_mb"),
    ('{"name": "x", "memory_limit_mb": 8, "eviction_policy": "lru"}', "invalid_eviction_policy"),
    ('{"name": "x", "memory_limit_mb": 8, "eviction_policy": 3}', "invalid_eviction_policy"),
    ('{"name": "x", "memory_limit_mb": 8, "persistence": "rdb"}', "invalid_persistence"),
    ('{"name": "x", "memory_limit_mb": 8, "persistence": false}', "invalid_persistence"),
])
def test_bad_create_bodies_are_400_and_write_nothing(shared, data, code):
    s = shared
    user = s.register()
    nm_before = set(s.nm_instances())
    before = s.row_counts()
    assert_error(s.api("POST", "/api/v1/instances", data=data, user=user), 400, code)
    assert s.row_counts() == before
    assert set(s.nm_instances()) == nm_before
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}
    assert all_events(s, user) == []


@pytest.mark.parametrize("data,code", [
    ("{", "invalid_json"),
    ("[1]", "invalid_json"),
    ('{"memory_limit_mb": 0}', "invalid_memory_limit_mb"),
    ('{"memory_limit_mb": "16"}', "invalid_memory_limit_mb"),
    (f'{{"memory_limit_mb": {MAX_MEMORY_MB + 1}}}', "invalid_memory_limit_mb"),
    ('{"eviction_policy": "lru"}', "invalid_eviction_policy"),
    ('{"persistence": "sometimes"}', "invalid_persistence"),
    ('{"name": ""}', "invalid_name"),
    ('{"name": "ok", "status": "stopped"}', "unknown_field"),
    ('{"password": "chosen"}', "unknown_field"),
    ('{"id": "db-aaaaaaaaaaaa"}', "unknown_field"),
    ('{"memory_limit_mb": 32, "eviction_policy": "bogus"}', "invalid_eviction_policy"),
])
def test_bad_patch_bodies_are_400_and_change_nothing(shared, data, code):
    s = shared
    user = s.register()
    inst = get(s, user, create(s, user, "steady", mem=16)["id"])  # as stored, not as answered
    before = s.row_counts()
    nm_before = nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()
    assert_error(s.api("PATCH", f"/api/v1/instances/{inst['id']}", data=data, user=user), 400,
                 code)
    assert s.row_counts() == before
    after = get(s, user, inst["id"])
    for field in ("name", "memory_limit_mb", "eviction_policy", "persistence", "status",
                  "password", "updated_at"):
        assert after[field] == inst[field], field
    nm_after = nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()
    assert nm_after["memory_limit_mb"] == 16 and nm_after == nm_before
    assert [e["action"] for e in all_events(s, user)] == ["instance.create"]


def test_names_with_sql_metacharacters_are_stored_verbatim(shared):
    s = shared
    user, second = s.register(), s.register()
    names = ["x -- drop table instances", "a_c", "abc"]  # "abc" is not taken by "a_c" (no LIKE)
    made = [create(s, user, n, mem=1) for n in names]
    assert [m["name"] for m in made] == names
    more = [create(s, second, n, mem=1) for n in ("_", "a.b-c_d e", "N" * 64)]
    assert [m["name"] for m in more] == ["_", "a.b-c_d e", "N" * 64]
    for owner, insts in ((user, made), (second, more)):
        listed = ok(s.api("GET", "/api/v1/instances", user=owner))["instances"]
        assert sorted(i["name"] for i in listed) == sorted(i["name"] for i in insts)
        for inst in insts:
            assert get(s, owner, inst["id"])["name"] == inst["name"]
    stored = {v for row in s.rows(f"SELECT * FROM {s.instances_table()}") for v in row}
    assert set(names) <= stored
    ok(s.api("DELETE", f"/api/v1/instances/{made[2]['id']}", user=user), 204)
    assert_error(s.api("POST", "/api/v1/instances", {"name": "a_c", "memory_limit_mb": 1},
                       user=user), 409, "name_taken")
    create(s, user, "abc", mem=1)
    # Everything still works.
    assert "schema_migrations" in s.tables()
    assert len(ok(s.api("GET", "/api/v1/instances", user=second))["instances"]) == 3


def test_unknown_routes_and_methods(shared):
    s = shared
    user = s.register()
    assert_error(s.api("GET", "/api/v1/nope", user=user), 404, "not_found")
    r = s.api("PUT", "/api/v1/instances", user=user)
    assert r.status_code == 405, describe(r)


# Tokens ------------------------------------------------------------------------------------


def test_missing_forged_and_expired_tokens_are_401(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "guarded")
    good = user.token
    header = json.loads(unb64url(good.split(".")[0]))
    claims = json.loads(unb64url(good.split(".")[1]))
    keys = json.loads((s.svc.data_dir / "keys" / "jwt_signing_keys.json").read_text())["keys"]
    real_key = Ed25519PrivateKey.from_private_bytes(unb64url(keys[0]["seed"]))
    now = int(time.time())
    # The harness signs like auth-service does.
    assert ok(s.api("GET", "/api/v1/instances", user=sign(header, claims, real_key)))["instances"]
    h, c, sig = good.split(".")
    forged = {
        "alg_none": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{c}.",
        "alg_none_kid": b64url(json.dumps({**header, "alg": "none"}).encode()) + f".{c}.",
        "hs256": b64url(json.dumps({**header, "alg": "HS256"}).encode()) + f".{c}.{sig}",
        "tampered_sub": f"{h}.{b64url(json.dumps({**claims, 'sub': '999'}).encode())}.{sig}",
        "other_key": sign(header, claims, Ed25519PrivateKey.generate()),
        "unknown_kid": sign({**header, "kid": "not-a-known-kid"}, claims,
                            Ed25519PrivateKey.generate()),
        "expired": sign(header, {**claims, "iat": now - 3600, "exp": now - 1800}, real_key),
        "wrong_audience": sign(header, {**claims, "aud": "someone-else"}, real_key),
        "wrong_issuer": sign(header, {**claims, "iss": "evil"}, real_key),
        "garbage": "not-a-jwt",
        "truncated": good[:-5],
        "empty": "",
    }
    routes = [("GET", "/api/v1/instances", None),
              ("POST", "/api/v1/instances", {"name": "sneaky", "memory_limit_mb": 1}),
              ("GET", f"/api/v1/instances/{inst['id']}", None),
              ("DELETE", f"/api/v1/instances/{inst['id']}", None),
              ("GET", "/api/v1/quota", None),
              ("POST", "/api/v1/api-keys", {"name": "sneaky"}),
              ("GET", "/api/v1/audit-log", None)]
    before = s.row_counts()
    for name, token in forged.items():
        for method, path, body in routes:
            r = s.api(method, path, body, headers={"Authorization": f"Bearer {token}"})
            assert_error(r, 401, "invalid_token")
    for method, path, body in routes:
        assert_error(s.api(method, path, body), 401, "invalid_token")
        for scheme in (f"Basic {good}", good, f"bearer{good}"):
            assert_error(s.api(method, path, body, headers={"Authorization": scheme}), 401,
                         "invalid_token")
    assert s.row_counts() == before
    assert get(s, user, inst["id"])["status"] == "running"
