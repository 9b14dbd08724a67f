"""The web console (web/dist) in headless Chromium against the real platform (`--target=all`).

The browser part is tests/e2e/console.test.mjs (node's test runner + playwright-core); this file
starts the platform on free ports, points the console at it and runs that suite.
"""
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from support import ROOT, Platform, SERVICE_PORT_SETTINGS, free_port_range

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
    for svc, setting in (("auth-service", "AUTH_SERVICE_URL"), ("backend", "BACKEND_URL"),
                         ("monitoring-service", "MONITORING_SERVICE_URL"),
                         ("node-manager", "NODE_MANAGER_URLS")):
        p.env[setting] = p.url(svc)
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


def test_console_in_chromium(platform):
    if not (ROOT / "web/dist/index.html").is_file():
        pytest.fail("web/dist is missing: run `make build` (it builds the console)")
    if not (E2E_DIR / "node_modules/playwright-core").is_dir():
        pytest.fail("tests/e2e/node_modules is missing: run scripts/bootstrap")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap (Debian's chromium)")
    page = requests.get(platform.url("frontend", "/"), timeout=5)
    assert "Placeholder page" not in page.text, "the frontend serves the placeholder, not web/dist"
    # Every run refreshes the console's screenshots in docs/screenshots/ (checked in).
    env = {**os.environ, "CONSOLE_URL": platform.url("frontend"), "CHROMIUM": CHROMIUM,
           "SCREENSHOTS_DIR": str(E2E_DIR.parent.parent / "docs" / "screenshots")}
    r = subprocess.run(["node", "--test", "--test-concurrency=1", "console.test.mjs"],
                       cwd=E2E_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{r.stdout[-6000:]}\n{r.stderr[-3000:]}"
    reuse = [l for l in platform.output().splitlines() if "reuse" in l.lower()]
    assert not reuse, f"a refresh token was presented twice: {reuse[0]}"
