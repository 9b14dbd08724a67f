"""Fixtures for the compatibility suites: a fresh server per test and a redis-py client."""
import pytest

from compat_server import Server


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    yield s
    s.stop()


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    c.close()
