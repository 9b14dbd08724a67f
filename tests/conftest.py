"""Fixtures for the integration suites (helpers live in support.py)."""
import pytest

from support import Platform


@pytest.fixture
def platform_factory(tmp_path):
    started = []

    def make(**kwargs):
        p = Platform(tmp_path, **kwargs)
        started.append(p)
        return p

    yield make
    for p in started:
        if p.proc and p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()
