"""The foundation's promises, checked against the real binary: every service answers health,
readiness and metrics; SIGTERM is clean and quick; bad config and bad HTTP get clear answers."""
import json
import signal
import socket
import time

import pytest
import requests

from support import SERVICE_PORT_SETTINGS, ROOT, free_port, run_binary


def test_all_target_serves_health_ready_metrics_on_six_ports(platform_factory):
    p = platform_factory().start(wait_for=SERVICE_PORT_SETTINGS)
    for svc in SERVICE_PORT_SETTINGS:
        h = requests.get(p.url(svc, "/healthz"))
        assert h.status_code == 200 and h.json() == {"status": "ok"}
        r = requests.get(p.url(svc, "/readyz"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ready" and body["service"] == svc
        assert body["checks"]["node-manager data dir"] == "ok"
        m = requests.get(p.url(svc, "/metrics"))
        assert m.status_code == 200
        assert "process_resident_memory_bytes" in m.text
        assert "http_request_duration_seconds_bucket" in m.text
        assert m.headers["Content-Type"].startswith("text/plain")
    # Per-route request counts carry the service label and the route pattern.
    text = requests.get(p.url("backend", "/metrics")).text
    assert 'route="/healthz",service="backend",status="200"' in text


def test_all_in_one_with_moved_ports_needs_no_service_urls(platform_factory):
    """Every port is moved and no *_URL is set: the services of one process find each other."""
    p = platform_factory().start(wait_for=SERVICE_PORT_SETTINGS)
    for setting in ("AUTH_SERVICE_URL", "BACKEND_URL", "MONITORING_SERVICE_URL", "NODE_MANAGER_URLS"):
        assert setting not in p.env
    api = p.url("api-gateway")
    account = {"email": f"moved-{time.time_ns()}@example.com", "password": "correct-Horse-battery-9"}
    assert requests.post(f"{api}/api/v1/auth/register", json=account, timeout=10).status_code == 201
    tokens = requests.post(f"{api}/api/v1/auth/login", json=account, timeout=10).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    deadline = time.time() + 20
    while True:  # the backend's first look at node-manager may still be on its way
        r = requests.post(f"{api}/api/v1/instances", json={"name": "moved", "memory_limit_mb": 8},
                          headers=auth, timeout=10)
        if r.status_code != 503 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    r = requests.post(f"{api}/api/v1/instances/{iid}/command", json={"command": ["PING"]},
                      headers=auth, timeout=10)
    assert r.status_code == 200 and r.json()["result"] == "PONG", r.text
    r = requests.get(f"{api}/api/v1/instances/{iid}/metrics", headers=auth, timeout=10)
    assert r.status_code == 200, r.text


def test_sigterm_exits_zero_within_five_seconds(platform_factory):
    p = platform_factory().start(wait_for=SERVICE_PORT_SETTINGS)
    # An idle keep-alive connection must not hold shutdown up.
    s = requests.Session()
    assert s.get(p.url("api-gateway", "/healthz")).status_code == 200
    start = time.monotonic()
    assert p.stop(signal.SIGTERM) == 0
    assert time.monotonic() - start < 5
    messages = [l["message"] for l in p.log_lines()]
    assert "shutting down" in messages and messages[-1] == "stopped"


def test_sigint_also_exits_zero(platform_factory):
    p = platform_factory(target="frontend").start(wait_for=["frontend"])
    assert p.stop(signal.SIGINT) == 0


def test_single_target_runs_only_that_service(platform_factory):
    p = platform_factory(target="backend,frontend").start(wait_for=["backend", "frontend"])
    with pytest.raises(requests.ConnectionError):
        requests.get(p.url("api-gateway", "/healthz"), timeout=1)
    assert p.stop() == 0


def test_logs_are_json_with_required_fields(platform_factory):
    p = platform_factory(extra_env={"LOG_LEVEL": "debug"}).start(wait_for=["api-gateway"])
    requests.get(p.url("api-gateway", "/nope"), headers={"X-Request-Id": "req-123"})
    p.stop()
    lines = p.log_lines()
    assert lines, p.output()
    for line in lines:
        for field in ("timestamp", "level", "service", "request_id", "trace_id", "message"):
            assert field in line, line
    access = [l for l in lines if l.get("request_id") == "req-123"]
    assert access and access[0]["status"] == "404" and access[0]["service"] == "api-gateway"


def test_errors_are_json_with_request_id(platform_factory):
    p = platform_factory(target="backend").start(wait_for=["backend"])
    r = requests.get(p.url("backend", "/does/not/exist"))
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "not_found" and err["request_id"] == r.headers["X-Request-Id"]
    r = requests.delete(p.url("backend", "/healthz"))
    assert r.status_code == 405 and r.headers["Allow"] == "GET"
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_oversized_body_gets_413_and_malformed_http_400(platform_factory):
    p = platform_factory(target="backend", extra_env={"HTTP_MAX_BODY_BYTES": "2048"})
    p.start(wait_for=["backend"])
    r = requests.post(p.url("backend", "/x"), data=b"a" * 10000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    with socket.create_connection(("127.0.0.1", p.ports["backend"])) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")
    assert requests.get(p.url("backend", "/healthz")).status_code == 200


def test_slowloris_is_cut_off_and_others_are_served(platform_factory):
    p = platform_factory(target="backend", extra_env={"HTTP_READ_TIMEOUT": "500ms"})
    p.start(wait_for=["backend"])
    slow = [socket.create_connection(("127.0.0.1", p.ports["backend"])) for _ in range(20)]
    for s in slow:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ")
    assert requests.get(p.url("backend", "/healthz"), timeout=2).status_code == 200
    time.sleep(1.0)
    for s in slow:
        s.settimeout(2)
        assert s.recv(10) == b""  # closed by the server
        s.close()


def test_frontend_serves_placeholder_with_spa_fallback_and_headers(platform_factory, tmp_path):
    p = platform_factory(target="frontend",
                         extra_env={"FRONTEND_DIST_DIR": str(tmp_path / "missing-dist")})
    p.start(wait_for=["frontend"])
    r = requests.get(p.url("frontend", "/"))
    assert r.status_code == 200 and "Placeholder page" in r.text
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-cache"
    assert requests.get(p.url("frontend", "/instances/abc")).text == r.text
    assert requests.get(p.url("frontend", "/missing.js")).status_code == 404
    assert requests.get(p.url("frontend", "/config.json")).json()["api_url"].startswith("http")


def test_frontend_serves_a_real_build_with_immutable_assets(platform_factory, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>console</html>")
    (dist / "assets" / "index-1a2b3c.js").write_text("export{}")
    p = platform_factory(target="frontend", extra_env={"FRONTEND_DIST_DIR": str(dist)})
    p.start(wait_for=["frontend"])
    a = requests.get(p.url("frontend", "/assets/index-1a2b3c.js"))
    assert a.status_code == 200 and a.headers["Cache-Control"].endswith("immutable")
    assert requests.get(p.url("frontend", "/deep/link")).text == "<html>console</html>"


@pytest.mark.parametrize("args,env,needle", [
    (["--target=nope"], {}, "unknown target 'nope'"),
    (["--target=backend,"], {}, "unknown target ''"),
    (["--gateway-port=70000"], {}, "GATEWAY_PORT"),
    ([], {"BACKEND_PORT": "abc"}, "invalid setting BACKEND_PORT"),
    ([], {"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ([], {"SHUTDOWN_GRACE": "soon"}, "SHUTDOWN_GRACE"),
    ([], {"REDIS_PORT_START": "17000", "REDIS_PORT_END": "16000"}, "REDIS_PORT_START"),
    (["--data-dir=/etc/hostname/sub"], {}, "invalid setting DATA_DIR"),
    (["--env-file=/nonexistent/.env"], {}, "cannot read env file"),
])
def test_bad_config_is_one_clear_line_and_nonzero_exit(args, env, needle, tmp_path):
    r = run_binary(args + [f"--data-dir={tmp_path}"] if not any(a.startswith("--data-dir") for a in args) else args,
                   env=env, cwd=tmp_path)
    assert r.returncode != 0
    err = r.stderr.strip()
    assert needle in err, err
    assert len(err.splitlines()) == 1, err


def test_malformed_env_file_names_file_and_line(tmp_path):
    (tmp_path / ".env").write_text("GATEWAY_PORT=8081\nthis line is broken\n")
    r = run_binary([f"--data-dir={tmp_path}"], cwd=tmp_path)
    assert r.returncode != 0
    assert ".env:2" in r.stderr


def test_env_file_values_are_used(platform_factory, tmp_path):
    port = free_port()
    (tmp_path / ".env").write_text(f"# dev settings\nBACKEND_PORT={port}\n")
    p = platform_factory(target="backend")
    del p.env["BACKEND_PORT"]
    p.ports["backend"] = port
    p.start(wait_for=["backend"])
    assert p.stop() == 0


def test_port_in_use_fails_fast_with_its_name(platform_factory):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    p = platform_factory(target="backend",
                         extra_env={"BACKEND_PORT": str(blocker.getsockname()[1])})
    p.start()
    assert p.proc.wait(timeout=10) != 0
    assert "cannot listen on 127.0.0.1:%d" % blocker.getsockname()[1] in p.output()
    blocker.close()


def test_list_targets_and_config_docs_are_current():
    r = run_binary(["--list-targets"])
    assert r.returncode == 0
    names = [l.split()[0] for l in r.stdout.splitlines()]
    assert names == ["node-manager", "auth-service", "backend", "monitoring-service",
                     "api-gateway", "frontend", "all"]
    docs = run_binary(["--print-config-docs"]).stdout
    assert docs == (ROOT / "docs/configuration.md").read_text(), \
        "docs/configuration.md is stale: run `make docs`"
