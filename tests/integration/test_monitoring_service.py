"""monitoring-service against a real node-manager: writes show up in the metrics API within
seconds, the API's errors and token, and freshness/scrape errors when node-manager dies."""
import re
import signal
import time

import pytest
import redis
import requests

from support import NM_TOKEN, Platform, free_port, nm_api, run_binary, start_node_manager

PASSWORD = "pw-" + "x" * 20
LIMIT_MB = 16


@pytest.fixture
def monitoring_factory(tmp_path):
    started = []

    def make(node_manager_urls, **env):
        d = tmp_path / f"monitoring-{len(started)}"
        d.mkdir()
        p = Platform(d, target="monitoring-service", extra_env={
            "INTERNAL_TOKEN": NM_TOKEN, "NODE_MANAGER_URLS": node_manager_urls,
            "METRICS_POLL_INTERVAL": "1s", **env})
        started.append(p)
        return p.start(wait_for=["monitoring-service"])

    yield make
    for p in started:
        if p.proc and p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()


def mon(p, path, token=NM_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(p.url("monitoring-service", path), headers=headers, timeout=10)


def metrics_of(p, iid, window=None):
    path = f"/v1/instances/{iid}/metrics" + (f"?window={window}" if window else "")
    r = mon(p, path)
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def prometheus_value(p, name, node_manager):
    text = requests.get(p.url("monitoring-service", "/metrics"), timeout=10).text
    m = re.search(rf'^{name}{{node_manager="{re.escape(node_manager)}"}} (\S+)$', text, re.M)
    assert m, f"{name} for {node_manager} not in /metrics"
    return float(m.group(1))


@pytest.fixture
def setup(platform_factory, monitoring_factory):
    nm = start_node_manager(platform_factory)
    nm_url = nm.url("node-manager")
    r = nm_api(nm, "PUT", "/v1/instances/alpha", {"memory_limit_mb": LIMIT_MB,
                                                 "password": PASSWORD})
    assert r.status_code == 201, r.text
    port = r.json()["port"]
    m = monitoring_factory(nm_url)
    return nm, m, port


def test_writes_are_visible_in_the_metrics_api_within_seconds(setup):
    nm, m, port = setup
    client = redis.Redis(port=port, password=PASSWORD)
    written = 0
    end = time.monotonic() + 3
    while time.monotonic() < end:
        client.set(f"k{written}", "v" * 100)
        written += 1
    last_write = time.monotonic()

    def caught_up():
        d = metrics_of(m, "alpha")
        latest = d["latest"]
        ops = [v for v in d["series"]["ops_per_sec"] if v is not None]
        if latest["keys"] == written and ops and max(ops) > 0:
            return d
        return None

    d = wait_for(caught_up, timeout=3)
    visible_after = time.monotonic() - last_write
    print(f"poll-to-visible: {visible_after:.3f} s after the last of {written} writes")
    assert d, f"metrics did not reach {written} keys within 3 s: {metrics_of(m, 'alpha')['latest']}"
    assert d["instance_id"] == "alpha" and d["window"] == "15m"
    assert d["resolution_seconds"] == 1 and d["node_manager"] == nm.url("node-manager")
    assert len(d["timestamps"]) == 900
    assert all(b - a == 1000 for a, b in zip(d["timestamps"], d["timestamps"][1:]))
    for field, column in d["series"].items():
        assert len(column) == 900, field
    latest = d["latest"]
    assert latest["status"] == "running"
    assert latest["used_memory"] > 0
    assert latest["maxmemory"] == LIMIT_MB * 1024 * 1024
    assert latest["clients"] >= 1
    keys = [v for v in d["series"]["keys"] if v is not None]
    assert keys[-1] == written
    assert d["series"]["maxmemory"][-1] == LIMIT_MB * 1024 * 1024
    # Before monitoring started there is no data: nulls, not zeros.
    assert d["series"]["keys"][0] is None and d["series"]["ops_per_sec"][0] is None
    peak = max(v for v in d["series"]["ops_per_sec"] if v is not None)
    assert peak > 100, peak

    # Lookups right after a poll tick, so they fall into one interval: 30 hits, 10 misses.
    wait_for(lambda: 0.1 < time.time() % 1 < 0.4, timeout=2, step=0.01)
    start_ms = int(time.time() * 1000)
    pipe = client.pipeline(transaction=False)
    for i in range(30):
        pipe.get(f"k{i}")
    for i in range(10):
        pipe.get(f"missing{i}")
    pipe.execute()

    def ratios():
        d = metrics_of(m, "alpha")
        values = [v for t, v in zip(d["timestamps"], d["series"]["hit_ratio"])
                  if t >= start_ms - 1000 and v is not None]
        return values

    assert wait_for(ratios, timeout=3) == [0.75]

    hour = metrics_of(m, "alpha", "1h")
    assert hour["window"] == "1h" and hour["resolution_seconds"] == 60
    assert len(hour["timestamps"]) == 60
    assert all(b - a == 60000 for a, b in zip(hour["timestamps"], hour["timestamps"][1:]))
    # A minute point is the mean of its seconds: keys grew during the writes.
    assert 0 < hour["series"]["keys"][-1] <= written
    assert hour["series"]["maxmemory"][-1] == LIMIT_MB * 1024 * 1024
    assert hour["series"]["ops_per_sec"][-1] > 0 or hour["series"]["ops_per_sec"][-2] > 0
    day = metrics_of(m, "alpha", "24h")
    assert len(day["timestamps"]) == 1440 and day["resolution_seconds"] == 60


def test_the_answer_says_when_the_next_sample_lands(setup):
    """A chart that asks again after next_sample_in_ms finds the next sample already stored."""
    nm, m, port = setup
    client = redis.Redis(port=port, password=PASSWORD)
    assert wait_for(lambda: metrics_of(m, "alpha")["latest"]["keys"] == 0, timeout=3)
    waits = []
    for n in range(1, 6):
        client.set(f"next{n}", "v")
        d = metrics_of(m, "alpha")
        wait = d["next_sample_in_ms"]
        assert 0 <= wait <= 1000 + 800, wait  # within the interval plus a poll's timeout
        waits.append(wait)
        time.sleep((wait + 100) / 1000)
        after = metrics_of(m, "alpha")
        assert after["latest"]["keys"] == n, (wait, d["latest"], after["latest"])
        assert after["latest"]["timestamp_ms"] > d["latest"]["timestamp_ms"]
    print(f"next_sample_in_ms: {waits}")


def test_api_errors_and_token(setup):
    nm, m, port = setup
    for path in ["/v1/instances/alpha/metrics", "/v1/node-managers"]:
        for token in [None, "wrong"]:
            r = mon(m, path, token=token)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert requests.get(m.url("monitoring-service", "/healthz")).status_code == 200
    assert requests.get(m.url("monitoring-service", "/metrics")).status_code == 200

    r = mon(m, "/v1/instances/nope/metrics")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert r.json()["error"]["request_id"]
    wait_for(lambda: mon(m, "/v1/instances/alpha/metrics").status_code == 200, timeout=3)
    r = mon(m, "/v1/instances/alpha/metrics?window=5m")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid_window"
    assert all(w in err["message"] for w in ["15m", "1h", "24h"])

    nms = mon(m, "/v1/node-managers").json()["node_managers"]
    assert [n["url"] for n in nms] == [nm.url("node-manager")]
    assert nms[0]["errors"] == 0 and nms[0]["last_error"] is None
    assert nms[0]["age_seconds"] < 2 and nms[0]["instances"] == 1


def test_a_dead_node_manager_shows_in_freshness_and_samples_resume(setup):
    nm, m, port = setup
    url = nm.url("node-manager")
    redis.Redis(port=port, password=PASSWORD).set("kept", "1")
    assert wait_for(lambda: metrics_of(m, "alpha")["latest"]["keys"] == 1, timeout=3)
    errors_before = prometheus_value(m, "monitoring_scrape_errors_total", url)
    scrapes_before = prometheus_value(m, "monitoring_scrapes_total", url)

    nm.stop(signal.SIGKILL)
    time.sleep(3.5)
    errors = prometheus_value(m, "monitoring_scrape_errors_total", url)
    assert errors >= errors_before + 2
    assert prometheus_value(m, "monitoring_scrapes_total", url) >= scrapes_before + 2
    age = prometheus_value(m, "monitoring_sample_age_seconds", url)
    assert age > 2.5
    time.sleep(1.2)
    assert prometheus_value(m, "monitoring_sample_age_seconds", url) > age
    assert prometheus_value(m, "monitoring_scrape_errors_total", url) > errors
    # Monitoring stays up and ready, and still serves the history it has.
    assert requests.get(m.url("monitoring-service", "/readyz")).status_code == 200
    d = metrics_of(m, "alpha")
    assert d["series"]["keys"][-1] is None  # the outage is a gap, not repeated values
    assert 1 in d["series"]["keys"]
    nms = mon(m, "/v1/node-managers").json()["node_managers"]
    assert nms[0]["last_error"] and nms[0]["age_seconds"] > 3

    nm.start(wait_for=["node-manager"])
    restarted = time.time() * 1000
    d = wait_for(lambda: (lambda d: d if d["latest"]["timestamp_ms"] > restarted else None)(
        metrics_of(m, "alpha")), timeout=3)
    assert d, "samples did not resume after node-manager came back"
    assert d["latest"]["keys"] == 1
    assert prometheus_value(m, "monitoring_sample_age_seconds", url) < 2
    assert mon(m, "/v1/node-managers").json()["node_managers"][0]["last_error"] is None
    text = requests.get(m.url("monitoring-service", "/metrics")).text
    assert re.search(r"^monitoring_instances 1$", text, re.M)
    assert re.search(r"^monitoring_series_bytes \d+$", text, re.M)
    assert "monitoring_scrape_duration_seconds_bucket" in text


def test_ready_even_when_no_node_manager_answers(monitoring_factory):
    dead = f"http://127.0.0.1:{free_port()}"
    m = monitoring_factory(dead)
    assert wait_for(lambda: requests.get(m.url("monitoring-service", "/readyz")).status_code
                    == 200, timeout=3)
    nms = mon(m, "/v1/node-managers").json()["node_managers"]
    assert nms[0]["url"] == dead and nms[0]["last_success_ms"] is None
    assert nms[0]["errors"] >= 1 and nms[0]["age_seconds"] is None


def test_bad_settings_are_refused(tmp_path):
    r = run_binary(["--target=monitoring-service", "--metrics-poll-interval=50ms"], cwd=tmp_path)
    assert r.returncode != 0 and "METRICS_POLL_INTERVAL" in r.stderr
    r = run_binary(["--target=monitoring-service", "--node-manager-urls=ftp://x"], cwd=tmp_path,
                   env={"MONITORING_SERVICE_PORT": str(free_port())})
    assert r.returncode != 0 and "NODE_MANAGER_URLS" in r.stderr
