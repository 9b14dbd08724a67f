"""Fixtures of the integration suites (process helpers live in tests/support.py, the PostgreSQL
cluster in tests/pg.py)."""
import pytest

from pg import start_or_fail
from support import start_node_manager


@pytest.fixture
def nm(platform_factory):
    """node-manager with a pool of four dedicated ports."""
    return start_node_manager(platform_factory)


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL 15 cluster for the whole session (a database per test); fails, not skips,
    when it cannot start."""
    cluster = start_or_fail()
    yield cluster
    cluster.stop()
