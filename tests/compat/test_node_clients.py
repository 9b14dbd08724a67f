"""Runs the node-redis and ioredis suites (node's test runner) against the server under test."""
import os
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"


@pytest.mark.parametrize("suite", ["node_redis.test.js", "ioredis.test.js"])
def test_node_client_suite(server, suite):
    env = dict(os.environ, REDIS_PORT=str(server.port))
    r = subprocess.run(["node", "--test", suite], cwd=NODE_DIR, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "# fail 0" in r.stdout and "# pass " in r.stdout
