"""The guard's and the node sweeper's rule: remove a container only when the controller its labels name is gone."""

import json
import os
import queue
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod import guard

LIVE, EXITED, CREATED, GONE = "1" * 64, "2" * 64, "3" * 64, "4" * 64


class Engine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Containers by ID with labels and a state, answering the few calls guard.py makes."""

    daemon_threads = True

    def __init__(self, path):
        super().__init__(path, Handler)
        self.containers = {}
        self.events = queue.Queue()
        self.removed = []
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()

    def add(self, container_id, state, labels=None, name=None):
        self.containers[container_id] = {
            "Id": container_id,
            "Names": ["/" + (name or container_id[:12])],
            "State": state,
            "Labels": labels or {},
        }
        return container_id


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        engine = self.server
        if url.path == "/containers/json":
            wanted = json.loads(query["filters"][0])["label"]
            found = [c for c in engine.containers.values() if all(_matches(c["Labels"], item) for item in wanted)]
            return self.answer(200, json.dumps(found).encode())
        if url.path == "/events":
            self.answer(200)
            while True:
                event = engine.events.get()
                if event is None:
                    return
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()
        container = engine.containers.get(url.path.split("/")[2])
        if container is None:
            return self.answer(404, b'{"message": "No such container"}')
        self.answer(200, json.dumps({"Id": container["Id"], "State": {"Status": container["State"]}}).encode())

    def do_DELETE(self):
        container_id = urlparse(self.path).path.split("/")[2]
        self.server.removed.append(container_id)
        self.answer(204 if self.server.containers.pop(container_id, None) else 404)


def _matches(labels, item):
    key, has_value, value = item.partition("=")
    return key in labels and (not has_value or labels[key] == value)


def pod_labels(owner, role="component", **extra):
    labels = {guard.LABEL_CONTROLLER_ID: owner, guard.LABEL_ROLE: role, guard.LABEL_POD: "web"}
    labels.update(extra)
    return labels


@pytest.fixture
def engine(tmp_path):
    server = Engine(os.path.join(str(tmp_path), "engine.sock"))
    server.add(LIVE, "running")
    server.add(EXITED, "exited")
    server.add(CREATED, "created")
    yield server
    server.events.put(None)
    server.shutdown()
    server.server_close()


@pytest.fixture
def sweeper(engine, tmp_path):
    lines = []
    sweep = guard.Sweeper(engine.server_address, log=lines.append, health_file=str(tmp_path / "health"))
    sweep.lines = lines
    return sweep


@pytest.mark.parametrize(
    "labels, owner",
    [
        (pod_labels(GONE), GONE),
        (pod_labels(GONE, role="guard"), GONE),
        (pod_labels(GONE, role="controller"), None),
        ({guard.LABEL_CONTROLLER_ID: GONE, guard.LABEL_ROLE: "component"}, None),
        (pod_labels(GONE[:12]), None),
        (pod_labels(GONE.upper().replace("4", "A")), None),
        (pod_labels("../../images/x" + "4" * 50), None),
        (pod_labels(GONE, **{"com.docker.swarm.task.id": "t1"}), GONE),
    ],
    ids=["component", "guard", "other-role", "no-pod", "short-id", "not-lower-hex", "path", "other-labels"],
)
def test_only_containers_with_every_label_a_controller_gives_have_an_owner(labels, owner):
    assert guard.owner_of(labels) == owner


def sweeper_summary(labels=None, command="podlike guard --node", state="running", status="Up 1 minute (healthy)"):
    labels = {guard.LABEL_ROLE: "sweeper"} if labels is None else labels
    return {"Id": "5" * 64, "Names": ["/sweep"], "Labels": labels, "Command": command, "State": state, "Status": status}


@pytest.mark.parametrize(
    "container, covers",
    [
        (sweeper_summary(), True),
        (sweeper_summary(command="podlike guard --node --interval 30"), True),
        (sweeper_summary(command="podlike guard --node --label podlike.stack=web"), False),
        (sweeper_summary(command="podlike guard --node --label=podlike.stack=web"), False),
        (sweeper_summary(command="podlike -logs"), False),
        (sweeper_summary(status="Up 2 seconds (health: starting)"), False),
        (sweeper_summary(status="Up 5 minutes (unhealthy)"), False),
        (sweeper_summary(status="Up 5 minutes"), False),
        (sweeper_summary(state="exited", status="Exited (0) 1 second ago (healthy)"), False),
        (sweeper_summary(labels={guard.LABEL_ROLE: "sweeper", guard.LABEL_CONTROLLER_ID: GONE}), False),
        (sweeper_summary(labels={guard.LABEL_ROLE: "component"}), False),
    ],
    ids=[
        "healthy",
        "interval",
        "scoped",
        "scoped-equals",
        "not-a-sweeper",
        "starting",
        "unhealthy",
        "no-healthcheck",
        "exited",
        "a-component-posing",
        "other-role",
    ],
)
def test_only_a_healthy_unscoped_sweeper_covers_the_pods(container, covers):
    assert guard.covering_sweeper([container]) == ("sweep" if covers else None)


def test_a_sweep_removes_only_containers_of_gone_controllers(engine, sweeper):
    removed = [
        engine.add("a" * 64, "created", pod_labels(GONE, role="guard"), name="web.podlike._guard"),
        engine.add("b" * 64, "running", pod_labels(GONE)),
        engine.add("c" * 64, "exited", pod_labels(EXITED, role="infra")),
    ]
    kept = [
        engine.add("d" * 64, "running", pod_labels(LIVE)),
        engine.add("e" * 64, "created", pod_labels(LIVE, role="guard")),
        engine.add("f" * 64, "created", pod_labels(CREATED)),
        engine.add("0" * 64, "running", pod_labels(GONE, role="guard")),  # it removes the others, then itself
        engine.add("5" * 64, "running", {guard.LABEL_CONTROLLER_ID: GONE}),  # not made by a controller
        engine.add("6" * 64, "running", {"app": "x"}),
    ]
    assert sweeper.sweep_all() == 3
    assert sorted(engine.removed) == sorted(removed)
    assert set(kept) <= set(engine.containers)
    assert "removed web.podlike._guard (created): its controller 444444444444 is gone" in sweeper.lines


def test_a_sweep_with_a_scope_keeps_to_it(engine, sweeper):
    sweeper.scope = ["podlike.stack=shop"]
    inside = engine.add("a" * 64, "created", pod_labels(GONE, **{"podlike.stack": "shop"}))
    engine.add("b" * 64, "created", pod_labels(GONE, **{"podlike.stack": "other"}))
    engine.add("c" * 64, "created", pod_labels(GONE))
    assert sweeper.sweep_all() == 1
    assert engine.removed == [inside]


def test_a_container_created_for_a_gone_controller_is_removed_at_its_create_event(engine, sweeper):
    late = engine.add("a" * 64, "created", pod_labels(EXITED, role="guard"))
    live = engine.add("b" * 64, "created", pod_labels(LIVE, role="guard"))
    for container_id in (live, late):
        sweeper.on_event(
            {"Action": "create", "Actor": {"ID": container_id, "Attributes": engine.containers[container_id]["Labels"]}}
        )
    assert engine.removed == [late]


def test_a_controller_that_dies_has_its_containers_removed(engine, sweeper):
    mine = engine.add("a" * 64, "running", pod_labels(EXITED))
    engine.add("b" * 64, "running", pod_labels(LIVE))
    sweeper.on_event({"Action": "die", "Actor": {"ID": LIVE, "Attributes": {}}})  # alive: a die of another run
    assert engine.removed == []
    sweeper.on_event({"Action": "die", "Actor": {"ID": EXITED, "Attributes": {}}})
    assert engine.removed == [mine]


def test_the_sweeper_follows_the_events_stream(engine, sweeper):
    sweeper.interval = 5
    first = engine.add("a" * 64, "created", pod_labels(GONE, role="guard"))
    threading.Thread(target=sweeper.run, daemon=True).start()
    _wait(lambda: first in engine.removed)
    _wait(lambda: open(sweeper.health_file).read() == "healthy\n")
    later = engine.add("b" * 64, "created", pod_labels(GONE, role="guard"))
    engine.events.put({"Action": "create", "Actor": {"ID": later, "Attributes": engine.containers[later]["Labels"]}})
    _wait(lambda: later in engine.removed)


def test_the_guard_removes_its_controllers_containers_but_guards_and_impostors(engine):
    mine = engine.add("a" * 64, "running", pod_labels(EXITED))
    engine.add("b" * 64, "running", pod_labels(EXITED, role="guard"))
    engine.add("c" * 64, "running", {guard.LABEL_CONTROLLER_ID: EXITED})
    engine.add("d" * 64, "running", pod_labels(LIVE))
    guard.remove_all(engine.server_address, EXITED, quiet=0.3)
    assert engine.removed == [mine]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--label"], "--label needs a value"),
        (["--label", "=x"], "--label takes KEY=VALUE"),
        (["--interval", "0"], "--interval takes a number of seconds above 0"),
        (["--interval=soon"], "--interval takes a number of seconds above 0"),
        (["--all"], "unknown argument --all"),
    ],
)
def test_bad_sweeper_arguments_are_one_line_and_exit_2(capsys, argv, message):
    assert guard.main(["guard", "--node"] + argv) == 2
    error = capsys.readouterr().err.splitlines()
    assert error[0].startswith("podlike guard: error: " + message), error
    assert error[1] == guard.NODE_USAGE


def test_sweeper_arguments():
    argv = ["--label", "podlike.stack=shop", "--interval=5", "--socket", "/run/e.sock"]
    assert guard.node_settings(argv, {}) == ("/run/e.sock", ["podlike.stack=shop"], 5.0)
    assert guard.node_settings([], {"DOCKER_HOST": "unix:///run/x.sock"}) == ("/run/x.sock", [], 60.0)
    assert guard.node_settings([], {"DOCKER_HOST": "tcp://e:2375"})[0] == guard.DEFAULT_SOCKET


def _wait(condition, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError("not within %ss" % timeout)


class Stop(Exception):
    pass


def test_an_engine_out_of_reach_is_one_line_and_unhealthy_until_it_answers(tmp_path, monkeypatch):
    lines, sleeps = [], []
    real_sleep, test_thread = guard.time.sleep, threading.current_thread()

    def sleep(seconds):
        # time.sleep is the module's for every thread: other threads of the test run sleep for real
        if threading.current_thread() is not test_thread:
            return real_sleep(seconds)
        sleeps.append(seconds)
        if len(sleeps) >= 3:
            raise Stop()

    monkeypatch.setattr(guard.time, "sleep", sleep)
    health = tmp_path / "health"
    sweeper = guard.Sweeper(str(tmp_path / "none.sock"), log=lines.append, health_file=str(health))
    with pytest.raises(Stop):
        sweeper.run()
    assert len(lines) == 1 and lines[0].startswith("engine: ") and lines[0].endswith("; retrying every second")
    assert health.read_text() == "unhealthy\n"
