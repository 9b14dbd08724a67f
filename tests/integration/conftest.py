"""Fixtures of the integration suites (process helpers live in tests/support.py)."""
import pytest

from support import start_node_manager


@pytest.fixture
def nm(platform_factory):
    """node-manager with a pool of four dedicated ports."""
    return start_node_manager(platform_factory)
