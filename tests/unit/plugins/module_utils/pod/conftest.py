"""A pod built from controller labels by the controller's own boot(), on a fake engine."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.controller import boot as boot_module
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery, runtime
from fake_engine import (
    CONTROLLER_ID,
    FakeEngine,
    RecordingOutput,
    Running,
    controller_container,
    pod_labels,
)


@pytest.fixture
def engine():
    fake = FakeEngine()
    yield fake
    fake.shutdown()


@pytest.fixture
def output():
    return RecordingOutput()


@pytest.fixture
def fast_backoff(monkeypatch):
    """Back-off of 40 ms a step instead of a second, so restarts are timed without long sleeps."""
    monkeypatch.setattr(runtime, "RESTART_BACKOFF", 0.04)
    return 0.04


@pytest.fixture
def make_pod(engine, output, monkeypatch):
    """make_pod(components, init=, copies=, settings=, flags=, **controller) -> Pod, built by boot()."""
    monkeypatch.setattr(discovery, "read_candidates", lambda: [CONTROLLER_ID])
    runs = []

    def make(components, init=None, copies=None, settings=None, flags=(), **controller):
        engine.controller = controller_container(pod_labels(components, init, copies, settings), **controller)
        pod = boot_module.boot(list(flags), output, client=engine.client())
        runs.append(pod)
        return pod

    yield make
    for pod in runs:
        if not pod.stopping:
            pod.stopping = True


@pytest.fixture
def run_pod(make_pod):
    """run_pod(components, ...) -> Running: the pod's run() in a thread."""

    def run(components, **kwargs):
        return Running(make_pod(components, **kwargs))

    return run
