"""The pod's health: the state file for the image's HEALTHCHECK, the unix socket and its client."""

import json
import os
import time

import pytest
import fake_engine
from ansible_collections.podlike.swarm.plugins.module_utils.controller import health


class PodStub:
    """What health needs of a pod: its state and its report."""

    def __init__(self, state, start_period=30 * 10**9):
        self.state = state
        self.controller = {"Config": {"Healthcheck": {"Test": ["CMD", "check"], "StartPeriod": start_period}}}

    def health(self):
        return self.state, []

    def health_report(self):
        report = {"pod": "web", "state": self.state, "components": [{"name": "app", "status": "running"}]}
        return self.state + "\n" + json.dumps(report)


def read_when(path, expected, timeout=3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as handle:
                text = handle.read()
            if text == expected:
                return text
        time.sleep(0.01)
    raise AssertionError("%s never held %r" % (path, expected))


def read_file(path):
    with open(path) as handle:
        return handle.read()


def test_state_file_follows_the_pod_state(tmp_path):
    path = str(tmp_path / "podlike.health")
    pod = PodStub("starting")
    health.publish_state(pod, path=path, interval=0.01)
    read_when(path, "starting\n")
    pod.state = "healthy"
    read_when(path, "healthy\n")
    assert not os.path.exists(path + ".tmp")
    assert 0 < int(read_file(path + ".starting-until")) - time.time() <= 30


def test_socket_answers_with_the_state_and_the_report(tmp_path):
    path = str(tmp_path / "health.sock")
    open(path, "w").close()  # a stale socket file from an earlier run is replaced
    state_file = str(tmp_path / "podlike.health")
    assert health.serve(PodStub("healthy"), output=None, paths=(path,), state_file=state_file) == path
    state, report = health.query(paths=(path,))
    assert state == "healthy"
    assert report["components"] == [{"name": "app", "status": "running"}]


def test_the_socket_thread_keeps_the_state_file(tmp_path):
    path, state_file = str(tmp_path / "health.sock"), str(tmp_path / "podlike.health")
    pod = PodStub("starting")
    health.serve(pod, output=None, paths=(path,), state_file=state_file, interval=0.01)
    read_when(state_file, "starting\n")
    pod.state = "healthy"
    read_when(state_file, "healthy\n")
    assert 0 < int(read_file(state_file + ".starting-until")) - time.time() <= 30


def test_socket_falls_back_to_the_next_path(tmp_path, output):
    path = str(tmp_path / "fallback.sock")
    unusable = str(tmp_path / "missing" / "health.sock")
    assert health.serve(PodStub("starting"), output, paths=(unusable, path), state_file=None) == path
    assert health.query(paths=(unusable, path)) == (
        "starting",
        {"pod": "web", "state": "starting", "components": [{"name": "app", "status": "running"}]},
    )
    assert output.lines == []


def test_no_socket_at_all_is_a_warning(tmp_path, output):
    unusable = str(tmp_path / "missing" / "health.sock")
    assert health.serve(PodStub("healthy"), output, paths=(unusable,)) is None
    assert output.of("warn") == ["cannot listen on %s: the pod's HEALTHCHECK will fail" % unusable]


def test_query_without_a_controller_raises(tmp_path):
    with pytest.raises(OSError):
        health.query(paths=(str(tmp_path / "none.sock"),), timeout=0.5)


@pytest.mark.parametrize("state, code", [("healthy", 0), ("unhealthy", 1), ("starting", 1)])
def test_healthcheck_prints_one_line_and_exits_0_only_when_healthy(capsys, monkeypatch, state, code):
    monkeypatch.setattr(health, "query", lambda: (state, {}))
    assert health.client_main() == code
    assert capsys.readouterr().out == "Healthcheck result: %s\n" % state


def test_health_lists_the_components(capsys, monkeypatch):
    report = {
        "pod": "shop_web.1",
        "components": [
            {"name": "app", "status": "running", "health": "healthy", "restarts": 2, "image": "app:1"},
            {"name": "proxy", "status": "exited", "health": None, "image": "proxy:1"},
        ],
    }
    monkeypatch.setattr(health, "query", lambda: ("unhealthy", report))
    assert health.client_main(verbose=True) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "pod shop_web.1: unhealthy"
    assert lines[1].split() == ["app", "running", "health=healthy", "restarts=2", "image=app:1"]
    assert lines[2].split() == ["proxy", "exited", "health=-", "restarts=0", "image=proxy:1"]


@pytest.mark.parametrize("error", [OSError("[Errno 2] No such file or directory"), ValueError("Expecting value")])
def test_healthcheck_error_is_one_line_and_exit_1(capsys, monkeypatch, error):
    def fail():
        raise error

    monkeypatch.setattr(health, "query", fail)
    assert health.client_main() == 1
    assert capsys.readouterr().out == "Healthcheck error: %s\n" % error


def fail_with(error):
    def fail(*args):
        raise error

    return fail


@pytest.mark.parametrize("thread", ["health-file", "health"])
def test_an_exception_in_a_health_thread_ends_the_pod_in_one_line_with_1(tmp_path, make_pod, output, thread):
    pod = make_pod({"app": {"image": "busybox:1", "command": "sleep 1000"}})
    running = fake_engine.Running(pod)
    fake_engine.wait_running(output)
    if thread == "health-file":
        pod.health = fail_with(RuntimeError("state unreadable"))
        health.publish_state(pod, path=str(tmp_path / "podlike.health"), interval=0.01)
    else:
        pod.health_report = fail_with(RuntimeError("state unreadable"))
        path = health.serve(pod, output, paths=(str(tmp_path / "health.sock"),))
        assert health.query(paths=(path,), timeout=1) == ("", {})  # the connection closed without an answer
    assert running.result(timeout=5) == 1
    errors = output.of("error")
    assert errors == ["unexpected failure: RuntimeError: state unreadable"], output.text()
    assert "Traceback" not in output.text()


@pytest.mark.parametrize(
    "healthcheck, expected",
    [
        ({"Test": ["CMD", "podlike-healthcheck"], "StartPeriod": 30 * 10**9}, 1030),
        ({"Test": ["CMD", "podlike-healthcheck"], "StartPeriod": 1500 * 10**6}, 1001),
        ({"Test": ["CMD", "podlike-healthcheck"]}, None),  # no start period: retries count from the first check
        ({"Test": ["NONE"], "StartPeriod": 30 * 10**9}, None),  # the check is off
        (None, None),
    ],
)
def test_the_start_period_end_comes_from_the_controllers_own_healthcheck(tmp_path, healthcheck, expected):
    path = str(tmp_path / "podlike.health.starting-until")
    with open(path, "w") as stale:
        stale.write("1\n")
    controller = {"Config": {"Healthcheck": healthcheck}}
    assert health.write_start_period_end(controller, path=path, now=1000.2) == expected
    if expected is None:
        assert not os.path.exists(path)
    else:
        with open(path) as written:
            assert written.read() == "%d\n" % expected
