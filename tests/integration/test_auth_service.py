"""auth-service through the real binary: accounts, tokens, sessions and bad input, on SQLite and
on a real PostgreSQL 15 (a throwaway cluster started here; the PostgreSQL cases fail, not skip,
if it cannot start)."""
import base64
import concurrent.futures
import hashlib
import json
import stat
import time

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pg import start_or_fail
from support import free_port

PASSWORD = "correct-Horse-battery-9"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def start_auth(platform_factory, database_url="", **env):
    p = platform_factory(target="auth-service",
                         extra_env={"AUTH_DATABASE_URL": database_url, **env})
    p.start(wait_for=["auth-service"])
    deadline = time.time() + 20
    while requests.get(p.url("auth-service", "/readyz")).status_code != 200:
        assert time.time() < deadline, p.output()
        time.sleep(0.05)
    return p


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request):
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture
def auth(platform_factory, db_url):
    return start_auth(platform_factory, db_url)


def call(p, method, path, body=None, token=None, data=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if data is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(method, p.url("auth-service", path), json=body, data=data,
                            headers=headers, timeout=30)


def register(p, email="alice@example.com", password=PASSWORD):
    return call(p, "POST", "/api/v1/auth/register", {"email": email, "password": password})


def login(p, email="alice@example.com", password=PASSWORD):
    return call(p, "POST", "/api/v1/auth/login", {"email": email, "password": password})


def me(p, token):
    return call(p, "GET", "/api/v1/auth/me", token=token)


def assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "request_id"}, err
    if code:
        assert err["code"] == code, err
    return err


def test_register_login_me_refresh_logout(auth):
    r = register(auth, "Alice@Example.com")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["refresh_token"].startswith("mr_rt_")
    assert body["user"]["email"] == "alice@example.com"
    m = me(auth, body["access_token"])
    assert m.status_code == 200, m.text
    assert m.json()["email"] == "alice@example.com" and m.json()["id"] == body["user"]["id"]
    assert m.json()["created_at"].endswith("Z")

    r = login(auth, "ALICE@example.COM")
    assert r.status_code == 200, r.text
    pair = r.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}

    rotated = call(auth, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert me(auth, new["access_token"]).status_code == 200

    # Logout revokes this session only; it is idempotent.
    first_session = body["access_token"]
    assert call(auth, "POST", "/api/v1/auth/logout", token=first_session).status_code == 204
    assert call(auth, "POST", "/api/v1/auth/logout", token=first_session).status_code == 204
    assert_error(me(auth, first_session), 401, "invalid_token")
    assert_error(call(auth, "POST", "/api/v1/auth/refresh",
                      {"refresh_token": body["refresh_token"]}), 401, "invalid_refresh_token")
    assert me(auth, new["access_token"]).status_code == 200
    assert_error(call(auth, "POST", "/api/v1/auth/logout"), 401, "invalid_token")


def test_replayed_refresh_token_revokes_the_family(auth):
    assert register(auth).status_code == 201
    pair = login(auth).json()
    second = call(auth, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert second.status_code == 200
    replay = call(auth, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert_error(replay, 401, "invalid_refresh_token")
    # The thief's replay killed the whole family: the legitimate newer token is dead too.
    assert_error(call(auth, "POST", "/api/v1/auth/refresh",
                      {"refresh_token": second.json()["refresh_token"]}), 401)
    assert_error(me(auth, second.json()["access_token"]), 401)
    assert login(auth).status_code == 200  # the account itself is fine
    assert any(l["message"].startswith("spent refresh token") for l in auth.log_lines())


def test_concurrent_use_of_one_refresh_token_rotates_once(auth):
    assert register(auth).status_code == 201
    token = login(auth).json()["refresh_token"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: call(auth, "POST", "/api/v1/auth/refresh",
                                             {"refresh_token": token}).status_code, range(4)))
    assert codes.count(200) == 1 and set(codes) <= {200, 401}, codes


def test_jwks_verifies_an_access_token(auth):
    token = register(auth).json()["access_token"]
    r = call(auth, "GET", "/.well-known/jwks.json")
    assert r.status_code == 200 and "max-age" in r.headers["Cache-Control"]
    keys = r.json()["keys"]
    head_b64, payload_b64, sig_b64 = token.split(".")
    header = json.loads(unb64url(head_b64))
    claims = json.loads(unb64url(payload_b64))
    assert header["alg"] == "EdDSA"
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    thumbprint = hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}, separators=(",", ":"))
        .encode()).digest()
    assert jwk["kid"] == b64url(thumbprint)  # RFC 7638
    public = Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"]))
    public.verify(unb64url(sig_b64), f"{head_b64}.{payload_b64}".encode())
    with pytest.raises(InvalidSignature):
        public.verify(unb64url(sig_b64), f"{head_b64}.{payload_b64}x".encode())
    assert claims["iss"] == "miniredis-auth" and claims["aud"] == "miniredis-api"
    assert claims["exp"] - claims["iat"] == 900 and claims["sub"] and claims["sid"]


def sign(header, claims, key):
    h = b64url(json.dumps(header).encode())
    c = b64url(json.dumps(claims).encode())
    return f"{h}.{c}." + b64url(key.sign(f"{h}.{c}".encode()))


def test_forged_expired_and_alg_none_tokens_are_refused(auth):
    good = register(auth).json()["access_token"]
    header = json.loads(unb64url(good.split(".")[0]))
    claims = json.loads(unb64url(good.split(".")[1]))
    key_file = auth.data_dir / "keys" / "jwt_signing_keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    seed = unb64url(json.loads(key_file.read_text())["keys"][0]["seed"])
    real_key = Ed25519PrivateKey.from_private_bytes(seed)
    now = int(time.time())
    assert me(auth, sign(header, claims, real_key)).status_code == 200  # the harness is right
    h, c, s = good.split(".")
    forged = {
        "alg_none": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{c}.",
        "alg_none_kid": b64url(json.dumps({**header, "alg": "none"}).encode()) + f".{c}.",
        "hs256": b64url(json.dumps({**header, "alg": "HS256"}).encode()) + f".{c}.{s}",
        "tampered": f"{h}.{b64url(json.dumps({**claims, 'sub': '999'}).encode())}.{s}",
        "other_key": sign(header, claims, Ed25519PrivateKey.generate()),
        "expired": sign(header, {**claims, "iat": now - 3600, "exp": now - 1800}, real_key),
        "wrong_audience": sign(header, {**claims, "aud": "someone-else"}, real_key),
        "garbage": "not-a-jwt",
        "truncated": good[:-5],
    }
    for name, token in forged.items():
        assert_error(me(auth, token), 401, "invalid_token")
    r = requests.get(auth.url("auth-service", "/api/v1/auth/me"),
                     headers={"Authorization": f"Basic {good}"})
    assert_error(r, 401, "invalid_token")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


OVERLONG = "a" * 250 + "@example.com"


@pytest.mark.parametrize("data,code", [
    ('{"email": "a@example.com", "password": ', "invalid_json"),
    ("not json", "invalid_json"),
    ('["a@example.com"]', "invalid_json"),
    ('{"email": "a@example.com"}', "missing_field"),
    (json.dumps({"email": "a@example.com", "password": PASSWORD, "role": "admin"}),
     "unknown_field"),
    (json.dumps({"email": ["a@example.com"], "password": PASSWORD}), "invalid_email"),
    (json.dumps({"email": "a@example.com", "password": 12345678901234}), "invalid_password"),
    (json.dumps({"email": OVERLONG, "password": PASSWORD}), "invalid_email"),
    (json.dumps({"email": "a@example.com", "password": "Aa1!" * 80}), "invalid_password"),
    (json.dumps({"email": "not-an-email", "password": PASSWORD}), "invalid_email"),
    (json.dumps({"email": "x'; DROP TABLE users;--@example.com", "password": PASSWORD}),
     "invalid_email"),
    (json.dumps({"email": "a@example.com", "password": "short"}), "weak_password"),
    (json.dumps({"email": "a@example.com", "password": "a@example.com-pw"}), "weak_password"),
])
def test_bad_registrations_are_refused_and_write_nothing(auth, data, code):
    err = assert_error(call(auth, "POST", "/api/v1/auth/register", data=data), 400, code)
    if code.startswith("invalid_") and code != "invalid_json":
        assert code.removeprefix("invalid_") in err["message"]
    # Nothing was inserted: the first real account still gets id 1.
    assert register(auth, "first@example.com").json()["user"]["id"] == "1"


@pytest.mark.parametrize("path,data", [
    ("/api/v1/auth/login", '{"email": 1, "password": "x"}'),
    ("/api/v1/auth/login", '{"email": "a@example.com", "password": "x", "x": 1}'),
    ("/api/v1/auth/login", "{"),
    ("/api/v1/auth/refresh", '{"refresh_token": 7}'),
    ("/api/v1/auth/refresh", json.dumps({"refresh_token": "mr_rt_" + "A" * 200})),
    ("/api/v1/auth/refresh", "{}"),
])
def test_bad_login_and_refresh_bodies_are_400(auth, path, data):
    assert_error(call(auth, "POST", path, data=data), 400)


def test_sql_metacharacters_are_only_data(auth):
    tricky = "o'brien+%_x@example.com"
    r = register(auth, tricky)
    assert r.status_code == 201, r.text
    assert login(auth, tricky).status_code == 200
    for email in ["' OR '1'='1", "o'brien+%_%@example.com", "%@example.com"]:
        assert_error(login(auth, email), 401, "invalid_credentials")


def test_duplicate_registration_is_409_without_detail(auth):
    assert register(auth, "bob@example.com").status_code == 201
    err = assert_error(register(auth, "BOB@example.com", "Another-pass-42"), 409,
                       "email_unavailable")
    assert "exist" not in err["message"] and "registered" in err["message"]
    assert login(auth, "bob@example.com", "Another-pass-42").status_code == 401


def test_login_failure_is_generic_for_unknown_and_wrong(auth):
    assert register(auth).status_code == 201

    def timed(email, password):
        t = time.perf_counter()
        r = login(auth, email, password)
        return time.perf_counter() - t, r

    unknown = [timed(f"nobody{i}@example.com", PASSWORD) for i in range(3)]
    wrong = [timed("alice@example.com", "wrong-Password-123") for _ in range(3)]
    a = assert_error(unknown[0][1], 401, "invalid_credentials")
    b = assert_error(wrong[0][1], 401, "invalid_credentials")
    assert a["message"] == b["message"] == "invalid email or password"
    assert {r.status_code for _, r in unknown + wrong} == {401}
    # Both paths run one full argon2id (the unknown one against a dummy hash): medians are close.
    mu = sorted(t for t, _ in unknown)[1]
    mw = sorted(t for t, _ in wrong)[1]
    assert mu > 0.02 and mw > 0.02, (mu, mw)
    assert max(mu, mw) < 3 * min(mu, mw), (mu, mw)


def test_failed_logins_are_throttled_per_account(auth):
    assert register(auth).status_code == 201
    assert register(auth, "carol@example.com").status_code == 201
    for _ in range(5):
        assert_error(login(auth, password="wrong-Password-123"), 401)
    r = login(auth, password="wrong-Password-123")  # the 6th failure starts the back-off
    assert r.status_code == 401
    locked = login(auth)  # even the right password waits
    assert_error(locked, 429, "too_many_attempts")
    assert int(locked.headers["Retry-After"]) >= 1
    assert login(auth, "carol@example.com").status_code == 200  # other accounts are unaffected
    time.sleep(int(locked.headers["Retry-After"]) + 0.1)
    assert login(auth).status_code == 200


def test_failed_logins_are_throttled_per_address(auth):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda i: login(auth, f"user{i}@example.com").status_code,
                              range(21)))
    assert codes.count(401) >= 20, codes
    r = login(auth, "fresh@example.com")
    assert_error(r, 429, "too_many_attempts")
    assert int(r.headers["Retry-After"]) >= 1


def test_a_full_hash_queue_answers_503(platform_factory):
    p = start_auth(platform_factory, AUTH_HASH_THREADS="1", AUTH_HASH_QUEUE="0")
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        rs = list(pool.map(lambda i: login(p, f"u{i}@example.com"), range(6)))
    busy = [r for r in rs if r.status_code == 503]
    assert busy, [r.status_code for r in rs]
    assert busy[0].headers["Retry-After"] == "1"
    assert_error(busy[0], 503, "unavailable")


def test_unreachable_database_is_not_ready_and_answers_503(platform_factory):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/auth"
    p = platform_factory(target="auth-service", extra_env={"AUTH_DATABASE_URL": url})
    p.start(wait_for=["auth-service"])
    ready = requests.get(p.url("auth-service", "/readyz"), timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["auth-database"] != "ok"
    t0 = time.perf_counter()
    for r in [register(p), login(p), call(p, "POST", "/api/v1/auth/refresh",
                                          {"refresh_token": "mr_rt_" + "A" * 43})]:
        assert_error(r, 503, "unavailable")
        assert r.headers["Retry-After"] == "1"
    assert time.perf_counter() - t0 < 5
    assert ":***@" in p.output() or "postgres@127.0.0.1" in p.output()


def test_postgres_outage_answers_503_then_recovers(platform_factory):
    cluster = start_or_fail()  # its own cluster: this test stops it
    try:
        p = start_auth(platform_factory, cluster.create_database())
        assert register(p).status_code == 201
        cluster.pause()
        t0 = time.perf_counter()
        assert_error(login(p), 503, "unavailable")
        assert requests.get(p.url("auth-service", "/readyz"), timeout=10).status_code == 503
        assert time.perf_counter() - t0 < 10
        cluster.start()
        deadline = time.time() + 15
        while requests.get(p.url("auth-service", "/readyz"), timeout=10).status_code != 200:
            assert time.time() < deadline, p.output()
            time.sleep(0.1)
        assert login(p).status_code == 200
    finally:
        cluster.stop()


def test_restart_keeps_accounts_sessions_and_keys(platform_factory, db_url):
    p = start_auth(platform_factory, db_url)
    body = register(p).json()
    p.stop()
    p.start(wait_for=["auth-service"])
    deadline = time.time() + 10
    while requests.get(p.url("auth-service", "/readyz")).status_code != 200:
        assert time.time() < deadline, p.output()
        time.sleep(0.05)
    assert me(p, body["access_token"]).status_code == 200  # same signing key after restart
    assert call(p, "POST", "/api/v1/auth/refresh",
                {"refresh_token": body["refresh_token"]}).status_code == 200
    assert login(p).status_code == 200


def kid_of(token):
    return json.loads(unb64url(token.split(".")[0]))["kid"]


def test_signing_keys_rotate_and_old_tokens_keep_verifying(platform_factory):
    p = start_auth(platform_factory, JWT_KEY_ROTATION="2s")
    first = register(p).json()["access_token"]
    deadline = time.time() + 15
    while kid_of(login(p).json()["access_token"]) == kid_of(first):
        assert time.time() < deadline, p.output()
        time.sleep(0.5)
    second = login(p).json()["access_token"]
    kids = [k["kid"] for k in call(p, "GET", "/.well-known/jwks.json").json()["keys"]]
    assert kids[0] == kid_of(second) and kid_of(first) in kids  # current first, old kept
    assert me(p, first).status_code == 200 and me(p, second).status_code == 200
    assert "signing keys changed" in p.output()


def test_token_lifetimes_follow_the_settings(platform_factory, db_url):
    p = start_auth(platform_factory, db_url, ACCESS_TOKEN_TTL="1m", REFRESH_TOKEN_TTL="2s")
    pair = register(p).json()
    assert pair["expires_in"] == 60
    claims = json.loads(unb64url(pair["access_token"].split(".")[1]))
    assert claims["exp"] - claims["iat"] == 60
    time.sleep(2.1)
    assert_error(call(p, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}),
                 401, "invalid_refresh_token")


def test_logs_hold_no_passwords_tokens_or_hashes(auth):
    body = register(auth).json()
    pair = login(auth).json()
    login(auth, password="Wrong-secret-pass-77")
    call(auth, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    call(auth, "POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    me(auth, "forged.token.value")
    call(auth, "POST", "/api/v1/auth/logout", token=body["access_token"])
    out = auth.output()
    for secret in [PASSWORD, "Wrong-secret-pass-77", body["access_token"], body["refresh_token"],
                   pair["access_token"], pair["refresh_token"], "$argon2id", "forged.token"]:
        assert secret not in out
    assert "login failed" in out
