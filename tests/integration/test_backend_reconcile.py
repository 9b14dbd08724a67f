"""The backend's reconciler, placement and token handling against node-managers that are
killed, restarted, emptied or refuse a spec (docs/api/backend.md), on SQLite and PostgreSQL."""
import concurrent.futures
import json
import shutil
import signal
import time

import redis
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend_stack import (  # noqa: F401 (engine, make_stack, shared: fixtures)
    PASSWORD, POLICIES, RECONCILE_S, TOKEN, agree, all_events, assert_error, client, create,
    describe, engine, get, greeting, make_stack, metric, ok, shared, shared_client, sign, unb64url,
)
from support import nm_api, wait_until

# Reconciliation ----------------------------------------------------------------------------


def test_reconciler_undoes_drift_and_leaves_orphans_alone(make_stack):
    s = make_stack()
    user = s.register()
    inst = create(s, user, "drifty", mem=16)
    iid = inst["id"]
    # Someone changes the spec behind the backend's back: the spec is re-sent.
    r = nm_api(s.nm, "PUT", f"/v1/instances/{iid}",
               {"memory_limit_mb": 8, "password": inst["password"],
                "eviction_policy": "allkeys-random", "persistence": "none"})
    assert r.status_code == 200, r.text
    wait_until(lambda: (lambda i: i["memory_limit_mb"] == 16 and i["eviction_policy"] ==
                        "noeviction" and i["persistence"] == "aof-everysec")(
        nm_api(s.nm, "GET", f"/v1/instances/{iid}").json()), 5 * RECONCILE_S, "spec restored")
    # Stopped behind its back: started again.
    assert nm_api(s.nm, "POST", f"/v1/instances/{iid}/stop").status_code == 200
    wait_until(lambda: nm_api(s.nm, "GET", f"/v1/instances/{iid}").json()["status"] == "running",
               5 * RECONCILE_S, "running again")
    # An instance the backend does not know is counted and left alone.
    assert nm_api(s.nm, "PUT", "/v1/instances/orphan-1",
                  {"memory_limit_mb": 1, "password": "x" * 20}).status_code == 201
    wait_until(lambda: metric(s, "backend_orphan_instances") == 1, 5 * RECONCILE_S,
               "backend_orphan_instances == 1")
    time.sleep(2 * RECONCILE_S)
    assert "orphan-1" in s.nm_instances()
    assert [i["id"] for i in ok(s.api("GET", "/api/v1/instances", user=user))["instances"]] == \
        [iid]
    assert client(inst).ping()


def test_node_manager_outage_then_recovery(make_stack):
    s = make_stack(split=True)
    user = s.register()
    keep = create(s, user, "keep", mem=8, persistence="aof-always")
    pause = create(s, user, "pause", mem=8, persistence="aof-always")
    client(keep).set("before", "kill")
    client(pause).set("before", "kill")
    s.nm.stop(signal.SIGKILL)
    time.sleep(2.5 * RECONCILE_S)  # the backend has noticed

    # The backend still answers from its own records.
    assert {i["id"] for i in ok(s.api("GET", "/api/v1/instances", user=user))["instances"]} == \
        {keep["id"], pause["id"]}
    before = s.row_counts()
    events_before = all_events(s, user)
    # No reachable node-manager: nowhere to place a new instance.
    assert_error(s.api("POST", "/api/v1/instances", {"name": "while-down", "memory_limit_mb": 8},
                       user=user), 503, "no_capacity")
    assert s.row_counts() == before and all_events(s, user) == events_before
    # A stop is recorded as the desired state; the reconciler applies it later. The answer says
    # so: the last confirmed status, the desired state and a pending change.
    stop_answer = ok(s.api("POST", f"/api/v1/instances/{pause['id']}/stop", user=user))
    assert (stop_answer["status"], stop_answer["desired_state"], stop_answer["pending_change"]) \
        == ("running", "stopped", True), stop_answer
    stop_get = ok(s.api("GET", f"/api/v1/instances/{pause['id']}", user=user))
    assert (stop_get["desired_state"], stop_get["pending_change"]) == ("stopped", True)

    s.nm.start(wait_for=["node-manager"])
    want = {keep["id"]: "running", pause["id"]: "stopped"}
    wait_until(lambda: agree(s, user) == want, 5 * RECONCILE_S,
               f"backend and node-manager agree on {want}")
    assert set(s.nm_instances()) == {keep["id"], pause["id"]}
    assert client(keep).get("before") == b"kill"
    assert get(s, user, keep["id"])["endpoint"] == keep["endpoint"]
    assert greeting(pause["endpoint"]["port"]).startswith("-ERR instance is stopped")
    started = ok(s.api("POST", f"/api/v1/instances/{pause['id']}/start", user=user))
    assert started["status"] == "running"
    assert client(pause).get("before") == b"kill"
    # Creates work again.
    create(s, user, "while-down")
    converged = get(s, user, pause["id"])
    assert converged["pending_change"] is False and converged["desired_state"] == "running"


def test_delete_while_node_manager_is_down_is_finished_later(make_stack):
    s = make_stack(split=True)
    user = s.register()
    inst = create(s, user, "gone")
    s.nm.stop(signal.SIGKILL)
    time.sleep(2.5 * RECONCILE_S)
    r = s.api("DELETE", f"/api/v1/instances/{inst['id']}", user=user)
    # Not confirmed yet: 202 with the instance being deleted (docs/api/backend.md).
    deleting = ok(r, 202)
    assert (deleting["status"], deleting["desired_state"], deleting["pending_change"]) == \
        ("deleting", "deleted", True), deleting
    # A delete in progress: other changes are refused.
    for method, path, body in (("POST", f"/api/v1/instances/{inst['id']}/start", None),
                               ("PATCH", f"/api/v1/instances/{inst['id']}",
                                {"memory_limit_mb": 9})):
        assert s.api(method, path, body, user=user).status_code in (404, 409)
    s.nm.start(wait_for=["node-manager"])
    wait_until(lambda: inst["id"] not in s.nm_instances(), 5 * RECONCILE_S,
               "node-manager no longer holds the deleted instance")
    assert_error(s.api("GET", f"/api/v1/instances/{inst['id']}", user=user), 404, "not_found")
    create(s, user, "gone")


def test_node_manager_that_lost_its_data_gets_every_instance_back(make_stack):
    s = make_stack(split=True)
    user = s.register()
    one = create(s, user, "one", mem=8)
    two = create(s, user, "two", mem=16, eviction_policy="allkeys-lru")
    client(one).set("k", "lost")
    ok(s.api("POST", f"/api/v1/instances/{two['id']}/stop", user=user))
    s.nm.stop(signal.SIGKILL)
    shutil.rmtree(s.nm.data_dir)
    s.nm.start(wait_for=["node-manager"])

    want = {one["id"]: "running", two["id"]: "stopped"}
    wait_until(lambda: agree(s, user) == want, 5 * RECONCILE_S,
               f"instances re-provisioned as {want}")
    held = s.nm_instances()
    assert held[one["id"]]["port"] == one["endpoint"]["port"]
    assert held[two["id"]]["port"] == two["endpoint"]["port"]
    assert held[two["id"]]["memory_limit_mb"] == 16
    assert held[two["id"]]["eviction_policy"] == "allkeys-lru"
    c = client(one)
    assert c.ping() and c.get("k") is None  # back empty, same port, same password
    assert shared_client(s, one).ping()
    ok(s.api("POST", f"/api/v1/instances/{two['id']}/start", user=user))
    assert client(two).ping()

    table = s.audit_table()
    rows = s.rows(f"SELECT * FROM {table}")
    for inst in (one, two):
        assert any("instance.reprovision" in row and any(inst["id"] in v for v in row)
                   for row in rows), (inst["id"], rows)


def test_every_policy_and_persistence_mode_is_accepted(shared):
    s = shared
    user = s.register()
    inst = create(s, user, "modes", mem=4, eviction_policy="volatile-ttl", persistence="snapshot")
    path = f"/api/v1/instances/{inst['id']}"
    for policy in POLICIES:
        assert ok(s.api("PATCH", path, {"eviction_policy": policy}, user=user))[
            "eviction_policy"] == policy
        assert nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()["eviction_policy"] == \
            policy
    for mode in ("aof-always", "snapshot", "none", "aof-everysec"):
        assert ok(s.api("PATCH", path, {"persistence": mode}, user=user))["persistence"] == mode
        assert nm_api(s.nm, "GET", f"/v1/instances/{inst['id']}").json()["persistence"] == mode
    assert client(inst).ping()


def test_concurrent_changes_of_one_user_stay_consistent(shared):
    s = shared  # 3 instances, 100 MB per user

    def together(n, fn):
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            return list(pool.map(fn, range(n)))

    # One name, ten creates at once: one wins, the others are told the name is taken.
    user = s.register()
    rs = together(10, lambda i: s.api("POST", "/api/v1/instances",
                                      {"name": "same", "memory_limit_mb": 8}, user=user))
    assert [r.status_code for r in rs].count(201) == 1, [(r.status_code, r.text) for r in rs]
    for r in rs:
        if r.status_code != 201:
            assert_error(r, 409, "name_taken")
    assert len(ok(s.api("GET", "/api/v1/instances", user=user))["instances"]) == 1

    # The memory quota holds under concurrency too: 40 MB each, 100 MB allowed.
    user = s.register()
    rs = together(20, lambda i: s.api("POST", "/api/v1/instances",
                                      {"name": f"m{i}", "memory_limit_mb": 40}, user=user))
    assert [r.status_code for r in rs].count(201) == 2, [(r.status_code, r.text) for r in rs]
    for r in rs:
        if r.status_code != 201:
            assert_error(r, 403, "quota_exceeded")
    assert ok(s.api("GET", "/api/v1/quota", user=user))["memory_mb"]["used"] == 80

    # Concurrent memory increases: 3 x 30 MB, each asks for 40 MB; only one fits in 100 MB.
    user = s.register()
    ids = [create(s, user, f"p{i}", mem=30)["id"] for i in range(3)]
    rs = together(3, lambda i: s.api("PATCH", f"/api/v1/instances/{ids[i]}",
                                     {"memory_limit_mb": 40}, user=user))
    assert [r.status_code for r in rs].count(200) == 1, [(r.status_code, r.text) for r in rs]
    used = ok(s.api("GET", "/api/v1/quota", user=user))["memory_mb"]["used"]
    assert used == 100, used
    held = s.nm_instances()
    assert sum(held[i]["memory_limit_mb"] for i in ids) == 100

    # Ten deletes of one instance: one 204, and the instance is gone everywhere.
    rs = together(10, lambda i: s.api("DELETE", f"/api/v1/instances/{ids[0]}", user=user))
    assert [r.status_code for r in rs].count(204) == 1, [(r.status_code, r.text) for r in rs]
    for r in rs:
        if r.status_code != 204:
            assert r.status_code in (404, 409), describe(r)
    assert ids[0] not in s.nm_instances()
    deletes = [e for e in all_events(s, user) if e["action"] == "instance.delete"]
    assert len(deletes) == 1


def test_placement_prefers_free_memory_and_reachable_node_managers(make_stack):
    s = make_stack(split=True, start=False, QUOTA_MAX_INSTANCES=20, QUOTA_MAX_MEMORY_MB=10000)
    small = s.nm
    small.env["NODE_MEMORY_MB"] = "100"
    big = s.add_node_manager("nm2", NODE_MEMORY_MB=300)
    s.start()
    user = s.register()

    def where(iid):
        def holds(nm):
            if nm.proc.poll() is not None:
                return False
            return nm_api(nm, "GET", f"/v1/instances/{iid}").status_code == 200

        on_small, on_big = holds(small), holds(big)
        assert on_small != on_big, (iid, on_small, on_big)
        route = requests.get(s.url(f"/internal/v1/instances/{iid}/route"),
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
        node = small if on_small else big
        assert route["node_manager_url"].rstrip("/") == node.url("node-manager"), route
        return node

    # Free memory 100 vs 300, 250, 200, 150: the big one each time.
    first = [create(s, user, f"b{i}", mem=50) for i in range(4)]
    assert all(where(i["id"]) is big for i in first)
    for inst in first:
        assert redis.Redis(port=inst["endpoint"]["port"], password=inst["password"],
                           socket_timeout=5).ping()

    big.stop(signal.SIGKILL)
    time.sleep(2.5 * RECONCILE_S)
    # Only the small one is reachable: it takes what fits, then there is no room.
    two = [create(s, user, f"s{i}", mem=50) for i in range(2)]
    assert all(where(i["id"]) is small for i in two)
    for mem in (50, 1):
        assert_error(s.api("POST", "/api/v1/instances", {"name": "nope", "memory_limit_mb": mem},
                           user=user), 503, "no_capacity")
    big.start(wait_for=["node-manager"])
    late = wait_until(lambda: (lambda r: r if r.status_code == 201 else None)(
        s.api("POST", "/api/v1/instances", {"name": "late", "memory_limit_mb": 50}, user=user)),
        5 * RECONCILE_S, "a create once the big node-manager is back")
    assert where(late.json()["id"]) is big
    # Deleting frees room on its node-manager.
    ok(s.api("DELETE", f"/api/v1/instances/{two[0]['id']}", user=user), 204)
    ok(s.api("DELETE", f"/api/v1/instances/{first[0]['id']}", user=user), 204)
    ok(s.api("DELETE", f"/api/v1/instances/{first[1]['id']}", user=user), 204)
    # big: 300 - 3 x 50 = 150 free; small: 50 free.
    assert where(create(s, user, "again", mem=120)["id"]) is big


def test_node_manager_refusing_a_spec_is_an_error_state(make_stack):
    s = make_stack(split=True, start=False)
    s.nm.env["MAX_INSTANCE_MEMORY_MB"] = "16"  # node-manager allows less than the backend
    s.start()
    user = s.register()
    r = s.api("POST", "/api/v1/instances", {"name": "big", "memory_limit_mb": 32}, user=user)
    assert r.status_code == 201, describe(r)
    iid = r.json()["id"]
    inst = wait_until(lambda: (lambda i: i if i["status"] == "error" else None)(
        get(s, user, iid)), 5 * RECONCILE_S, "status error")
    assert "16" in inst["status_message"] or "memory" in inst["status_message"], inst
    assert iid not in s.nm_instances()
    evs = all_events(s, user)
    err = [e for e in evs if e["action"] == "instance.error"]
    assert err and err[0]["target"] == {"type": "instance", "id": iid}, evs
    assert err[0]["actor"]["user_id"] is None and err[0]["actor"]["api_key_id"] is None, err
    # Fixing the spec brings it up.
    fixed = ok(s.api("PATCH", f"/api/v1/instances/{iid}", {"memory_limit_mb": 8}, user=user))
    wait_until(lambda: get(s, user, iid)["status"] == "running", 5 * RECONCILE_S,
               "running after the fix")
    assert fixed["memory_limit_mb"] == 8
    assert client(get(s, user, iid)).ping()


def test_forwarded_for_is_believed_only_when_configured(make_stack):
    s = make_stack(BACKEND_TRUST_FORWARDED_FOR="true")
    user = s.register()
    r = s.api("POST", "/api/v1/instances", {"name": "behind-gw", "memory_limit_mb": 8},
              user=user, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    ok(r, 201)
    ev = all_events(s, user)[0]
    assert ev["action"] == "instance.create" and ev["remote_address"] == "203.0.113.9", ev


def test_a_new_signing_key_is_fetched_on_its_first_token(make_stack):
    s = make_stack(JWT_KEY_ROTATION="2s")
    user = s.register()
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}  # JWKS fetched
    kid = json.loads(unb64url(user.token.split(".")[0]))["kid"]

    def new_token():
        r = requests.post(s.svc.url("auth-service", "/api/v1/auth/login"),
                          json={"email": user.email, "password": PASSWORD}, timeout=30)
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        return token if json.loads(unb64url(token.split(".")[0]))["kid"] != kid else None

    token = wait_until(new_token, 15, "a token signed by a new key", interval=0.5)
    # At most one JWKS fetch per 5 s: within a few seconds the new key is known.
    wait_until(lambda: s.api("GET", "/api/v1/instances", user=token).status_code == 200, 8,
               "the backend accepts the new key")
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}  # old key too


def test_unknown_kids_do_not_make_a_jwks_fetch_each(make_stack):
    s = make_stack()
    user = s.register()

    def jwks_fetches():
        text = requests.get(s.svc.url("auth-service", "/metrics"), timeout=10).text
        return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
                   if l.startswith("http_requests_total{") and "jwks.json" in l)

    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}
    before = jwks_fetches()
    assert before >= 1
    header = json.loads(unb64url(user.token.split(".")[0]))
    claims = json.loads(unb64url(user.token.split(".")[1]))
    t0 = time.time()
    for i in range(30):
        token = sign({**header, "kid": f"unknown-{i}"}, claims, Ed25519PrivateKey.generate())
        assert_error(s.api("GET", "/api/v1/instances", user=token), 401, "invalid_token")
    elapsed = time.time() - t0
    # At most once per 5 s (and the first one may have been a moment ago).
    assert jwks_fetches() - before <= 1 + int(elapsed / 5), (before, jwks_fetches(), elapsed)
    assert ok(s.api("GET", "/api/v1/instances", user=user)) == {"instances": []}


def test_logs_hold_no_secrets(make_stack):
    s = make_stack()
    user = s.register()
    inst = create(s, user, "quiet")
    key = ok(s.api("POST", "/api/v1/api-keys", {"name": "k"}, user=user), 201)["key"]
    ok(s.api("GET", "/api/v1/instances", user=key))
    ok(s.api("POST", f"/api/v1/instances/{inst['id']}/command",
             {"command": ["SET", "k", "top-secret-value-42"]}, user=user))
    s.api("POST", f"/api/v1/instances/{inst['id']}/command", {"command": ["AUTH", "x"]},
          user=user)
    ok(s.api("PATCH", f"/api/v1/instances/{inst['id']}", {"memory_limit_mb": 9}, user=user))
    requests.post(s.url("/internal/v1/api-keys/resolve"), json={"key": key},
                  headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    s.api("GET", "/api/v1/instances", user="mr_live_" + "Z" * 43)
    out = s.svc.output()
    for secret in (inst["password"], inst["rest_token"], key, key[16:], user.token,
                   "top-secret-value-42", TOKEN):
        assert secret not in out, secret
