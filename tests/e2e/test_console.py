"""The web console (web/dist) in headless Chromium against the real platform (`--target=all`).

The browser part is tests/e2e/console.test.mjs (node's test runner + playwright-core); this file
starts the platform on free ports, points the console at it and runs that suite.
"""
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
import requests

from support import ROOT, Platform, free_port, free_port_range

E2E_DIR = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
POOL = 8


@pytest.fixture
def platform(tmp_path):
    start = free_port_range(POOL)
    p = Platform(tmp_path, target="all", extra_env={
        "REDIS_PORT_START": str(start), "REDIS_PORT_END": str(start + POOL - 1),
        "METRICS_POLL_INTERVAL": "1s", "NODE_MEMORY_MB": "1024", "LOG_LEVEL": "info",
        # Short-lived access tokens make the console refresh every ~10 s during the run.
        "ACCESS_TOKEN_TTL": "70s", "RATE_LIMIT_PER_ADDRESS": "200",
    })
    console = p.url("frontend")
    p.env["CORS_ORIGIN"] = console
    p.env["PUBLIC_API_URL"] = p.url("api-gateway")
    p.start(wait_for=["api-gateway", "frontend"])
    deadline = time.time() + 40
    while requests.get(p.url("api-gateway", "/readyz"), timeout=5).status_code != 200:
        assert p.proc.poll() is None and time.time() < deadline, p.output()[-4000:]
        time.sleep(0.1)
    yield p
    p.stop()


def run_suite(suite, console_url, timeout=300, extra_env=None):
    """Runs one node:test file of tests/e2e in headless Chromium against console_url."""
    if not (ROOT / "web/dist/index.html").is_file():
        pytest.fail("web/dist is missing: run `make build` (it builds the console)")
    if not (E2E_DIR / "node_modules/playwright-core").is_dir():
        pytest.fail("tests/e2e/node_modules is missing: run scripts/bootstrap")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap (Debian's chromium)")
    page = requests.get(console_url, timeout=5)
    assert "Placeholder page" not in page.text, "the frontend serves the placeholder, not web/dist"
    # Every run refreshes the console's screenshots in docs/screenshots/ (checked in).
    env = {**os.environ, "CONSOLE_URL": console_url, "CHROMIUM": CHROMIUM,
           "SCREENSHOTS_DIR": str(E2E_DIR.parent.parent / "docs" / "screenshots"), **(extra_env or {})}
    r = subprocess.run(["node", "--test", "--test-concurrency=1", suite],
                       cwd=E2E_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{r.stdout[-6000:]}\n{r.stderr[-3000:]}"
    for line in r.stdout.splitlines():  # measured figures (pytest -s shows them)
        if "FIGURE " in line:
            print(line.strip().lstrip("# "))
    return r.stdout


# Each suite gets a platform of its own; console_faults.test.mjs needs a split one (below).
FAULT_SUITE = "console_faults.test.mjs"
SUITES = sorted(p.name for p in E2E_DIR.glob("*.test.mjs") if p.name != FAULT_SUITE)


@pytest.mark.parametrize("suite", SUITES)
def test_console_in_chromium(platform, suite):
    run_suite(suite, platform.url("frontend"))
    reuse = [l for l in platform.output().splitlines() if "reuse" in l.lower()]
    assert not reuse, f"a refresh token was presented twice: {reuse[0]}"


API_SERVICES = "node-manager,auth-service,backend,monitoring-service,api-gateway"


class SplitPlatform:
    """The console's frontend in one process and every API service in another, so a test can
    take the API down (and bring it back with other settings) under a console that stays up."""

    def __init__(self, tmp_path):
        start = free_port_range(POOL)
        (tmp_path / "api").mkdir()
        (tmp_path / "fe").mkdir()
        self.api = Platform(tmp_path / "api", target=API_SERVICES, extra_env={
            "REDIS_PORT_START": str(start), "REDIS_PORT_END": str(start + POOL - 1),
            "METRICS_POLL_INTERVAL": "1s", "NODE_MEMORY_MB": "1024", "LOG_LEVEL": "info",
            "RATE_LIMIT_PER_ADDRESS": "200"})
        self.api.env["CORS_ORIGIN"] = self.api.url("frontend")
        self.fe = Platform(tmp_path / "fe", target="frontend", extra_env={
            "FRONTEND_PORT": str(self.api.ports["frontend"]),
            "PUBLIC_API_URL": self.api.url("api-gateway")})
        self.fe.ports = self.api.ports
        self.tmp_path = tmp_path
        self.api_starts = 0

    def start_api(self, **settings):
        """Starts the API with these settings on top; restarts it when it runs."""
        if self.api.proc and self.api.proc.poll() is None:
            self.stop_api()
        self.api.env.update({k: str(v) for k, v in settings.items()})
        self.api_starts += 1
        self.api.log_path = self.tmp_path / "api" / f"miniredis-{self.api_starts}.log"
        self.api.start(wait_for=["api-gateway"])
        deadline = time.time() + 40
        while requests.get(self.api.url("api-gateway", "/readyz"), timeout=5).status_code != 200:
            assert self.api.proc.poll() is None and time.time() < deadline, self.api.output()[-4000:]
            time.sleep(0.1)

    def stop_api(self):
        assert self.api.stop() == 0, self.api.output()[-4000:]


def serve_control(split):
    """A loopback HTTP endpoint the browser suite calls to stop and start the API:
    POST /api/stop, POST /api/start?SETTING=value (a restart when it runs; answered once the API
    is ready)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            url = urlparse(self.path)
            try:
                if url.path == "/api/stop":
                    split.stop_api()
                elif url.path == "/api/start":
                    split.start_api(**dict(parse_qsl(url.query)))
                else:
                    self.send_error(404)
                    return
                self.send_response(204)
            except Exception as e:  # the suite sees the failure in its answer
                self.send_response(500)
                self.send_header("X-Error", str(e)[:200].replace("\n", " "))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def split_platform(tmp_path):
    split = SplitPlatform(tmp_path)
    split.fe.start(wait_for=["frontend"])
    split.start_api()
    control = serve_control(split)
    yield split, f"http://127.0.0.1:{control.server_address[1]}"
    control.shutdown()
    split.api.stop()
    split.fe.stop()


def test_console_through_api_outage_and_rate_limits(split_platform):
    split, control = split_platform
    run_suite(FAULT_SUITE, split.fe.url("frontend"), extra_env={"CONTROL_URL": control})
    assert split.api_starts >= 3, "the suite did not take the API down and up again"
    limited = [l for l in split.api.log_lines() if str(l.get("status")) == "429"]
    assert limited, "the rate-limited part of the suite never met a 429"
