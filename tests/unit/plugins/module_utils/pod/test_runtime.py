"""Failures while a pod starts, with a fake engine: one line, every container removed, the right exit code."""

import threading

import pytest

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.pod import definition as pod_definition
from ansible_collections.podlike.swarm.plugins.module_utils.pod import runtime
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext
from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import Pod
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import resolve

CONTROLLER = {
    "Id": "c" * 64,
    "Image": "sha256:" + "e" * 64,
    "Name": "/web",
    "Config": {"Image": "podlike/controller:latest", "Labels": {}},
    "HostConfig": {},
}


class FakeEngine:
    """The containers the pod made, shared by every client clone; create or start fails as told."""

    def __init__(self, refuse_create=None, refuse_start=None, crash_create=None):
        self.lock = threading.Lock()
        self.containers = {}
        self.refuse_create = refuse_create
        self.refuse_start = refuse_start
        self.crash_create = crash_create


class FakeClient:
    def __init__(self, engine):
        self.engine = engine

    def clone(self):
        return FakeClient(self.engine)

    def close(self):
        pass

    def containers(self, labels=None, ids=None):
        return []

    def create_container(self, name, body):
        if self.engine.refuse_create and name.endswith("." + self.engine.refuse_create):
            raise DockerError("Minimum memory limit allowed is 6MB", 400)
        if self.engine.crash_create and name.endswith("." + self.engine.crash_create):
            raise KeyError("surprise")
        with self.engine.lock:
            container_id = "%064d" % (len(self.engine.containers) + 1)
            self.engine.containers[container_id] = name
        return {"Id": container_id}

    def start_container(self, container_id, on_sent=None):
        if on_sent:
            on_sent()
        name = self.engine.containers[container_id]
        if self.engine.refuse_start and name.endswith("." + self.engine.refuse_start):
            raise DockerError("unknown or invalid runtime name: nope", 400)

    def attach_stdin(self, container_id):
        return FakeConnection()

    def remove_container(self, container_id, force=True):
        with self.engine.lock:
            self.engine.containers.pop(container_id, None)

    def stop_container(self, container_id, timeout):
        pass

    def inspect_image(self, name):
        return {"Config": {}}

    def events(self, filters=None, since=None):
        raise DockerError("no events here")

    def logs(self, container_id, follow=True, timeout=None):
        raise DockerError("no logs here")


class FakeConnection:
    def close(self):
        pass


class Lines:
    def __init__(self):
        self.errors = []

    def info(self, message):
        pass

    warn = info

    def error(self, message):
        self.errors.append(message)


def run_pod(engine):
    labels = {
        "pod.component.app": "image: app:1\ncommand: sleep 1",
        "pod.component.db": "image: db:1\nmem_limit: 1k",
        "pod.component.cache": "image: cache:1",
    }
    definition = pod_definition.from_labels(labels)
    context = PodContext(
        CONTROLLER, resolve({}, definition.settings), engine_socket=("/var/run/docker.sock", "/var/run/docker.sock")
    )
    output = Lines()
    code = Pod(FakeClient(engine), CONTROLLER, definition, context, output).run()
    return code, output.errors


@pytest.mark.parametrize(
    "engine, message",
    [
        (
            FakeEngine(refuse_create="db"),
            'component "db": the engine refused to create it: Minimum memory limit allowed is 6MB',
        ),
        (
            FakeEngine(refuse_start="cache"),
            'component "cache": the engine refused to start it: unknown or invalid runtime name: nope',
        ),
    ],
)
def test_an_engine_refusal_ends_the_pod_with_exit_code_3_and_nothing_left(engine, message):
    code, errors = run_pod(engine)
    assert code == 3
    assert errors == [message]
    assert engine.containers == {}


def test_an_unexpected_exception_in_a_thread_ends_the_pod_with_exit_code_1():
    engine = FakeEngine(crash_create="app")
    code, errors = run_pod(engine)
    assert code == 1
    assert errors == ["unexpected failure: KeyError: 'surprise'"]
    assert engine.containers == {}


def test_the_guard_and_the_infra_come_before_the_components():
    engine = FakeEngine(refuse_create="db")
    created = []
    original = FakeClient.create_container

    def record(self, name, body):
        created.append(name.rsplit(".", 1)[1])
        return original(self, name, body)

    FakeClient.create_container = record
    try:
        run_pod(engine)
    finally:
        FakeClient.create_container = original
    assert created[:2] == ["_guard", "_infra"]
    assert created[2:] and set(created[2:]) <= {"app", "cache", "db"}


@pytest.mark.parametrize(
    "attributes, code", [({"exitCode": "137"}, 137), ({"exitCode": "no"}, 1), ({}, 1), ({"exitCode": "-1"}, -1)]
)
def test_the_exit_code_of_a_die_event(attributes, code):
    assert runtime._exit_code({"Actor": {"Attributes": attributes}}) == code


def test_an_events_time_is_exact_to_the_nanosecond():
    # As a float, 1764720000123456789 ns is off by up to a few hundred nanoseconds.
    assert runtime.event_time({"timeNano": 1764720000123456789}) == "1764720000.123456789"
    assert runtime.event_time({"timeNano": 1764720000000000007}) == "1764720000.000000007"
    assert runtime.event_time({}) is None


def test_the_events_sent_again_after_a_reconnection_are_passed_on_once():
    def event(container, action, nanoseconds):
        return {"Action": action, "Actor": {"ID": container}, "timeNano": nanoseconds}

    cursor = runtime.EventCursor("1.000000000")
    first = [event("a", "start", 2 * 10**9), event("a", "die", 3 * 10**9), event("b", "die", 3 * 10**9)]
    assert [cursor.is_new(e) for e in first] == [True, True, True]
    assert cursor.since == "3.000000000"
    again = [event("a", "die", 3 * 10**9), event("b", "die", 3 * 10**9), event("c", "die", 3 * 10**9)]
    assert [cursor.is_new(e) for e in again] == [False, False, True]
    assert cursor.is_new(event("a", "start", 4 * 10**9)) and cursor.since == "4.000000000"
