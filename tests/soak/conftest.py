"""Soak tests on a three-node Swarm made by scripts/multinode.sh (one network namespace and one
dockerd per node). Skipped unless PODLIKE_SOAK=1 (``make soak``). Figures go to tests/soak/results.json."""

import os
import time
import uuid

import pytest
from soakutil import ENABLED, NODES, SKIP_REASON, Results, multinode


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def results():
    return Results()


@pytest.fixture(scope="session")
def cluster(results):
    """The three-node Swarm: up for the session, down at the end (PODLIKE_SOAK_KEEP=1 keeps it)."""
    started = time.time()
    multinode("up")
    results.record("cluster", up_seconds=round(time.time() - started, 1))
    yield NODES
    if os.environ.get("PODLIKE_SOAK_KEEP") != "1":
        started = time.time()
        multinode("down")
        results.record("cluster", down_seconds=round(time.time() - started, 1))


@pytest.fixture
def unique():
    return "soak" + uuid.uuid4().hex[:6]
