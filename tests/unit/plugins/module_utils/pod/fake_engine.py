"""A scripted stand-in for the engine client a pod drives: it records every call and answers as told.

One FakeEngine holds the containers, images, scripts and the events queue; every FakeClient (the pod's
own and each clone) talks to it. A script, per component name (or "role:<role>" for the pod's own
containers), says how the engine answers for that container:

    engine.script("app", exits=[1, None])        # first run exits 1 soon after it starts, the second keeps running
    engine.script("db", healthy_after=0.05)      # reports health_status: healthy 50 ms after it starts
    engine.script("web", create_error=DockerError("no space left"))
    engine.script("web", start_error=[DockerError("port taken")])   # refuse the first start only

Calls are recorded in order with their times (engine.calls), so tests can assert on start and stop order.
"""

import io
import itertools
import json
import queue
import struct
import threading
import time

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_COMPONENT,
    LABEL_CONTROLLER_ID,
    LABEL_POD,
    LABEL_ROLE,
)
from ansible_collections.podlike.swarm.plugins.module_utils.controller import boot as boot_module
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import Conflict, DockerClient, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod import controller_files, discovery, runtime

CONTROLLER_ID = "c" * 64
STOP_EXIT_CODE = 143
KILL_EXIT_CODE = 137


class Call:
    """One call the pod made: when, which method, on which component (or role), with what."""

    def __init__(self, when, method, target, args):
        self.when = when
        self.method = method
        self.target = target
        self.args = args

    def __repr__(self):
        return "Call(%s, %s, %r)" % (self.method, self.target, self.args)


class Script:
    """How the engine answers for one component's container."""

    def __init__(self):
        self.create_error = []  # per create: an exception to raise, or None
        self.create_warnings = []  # warnings the engine returns with a create
        self.start_error = []  # per start: an exception to raise, or None
        self.exits = []  # per start: an exit code after exit_after seconds, or None to keep running
        self.exit_after = 0.02
        self.healthy_after = None
        self.health = "healthy"
        self.oom = False
        self.exec = {}  # " ".join(command) -> (code, output) or an exception
        self.logs = b""
        self.wait_error = None
        self.stop_error = None
        self.stop_answer_delay = 0.0  # the engine answers a stop this long after the container's die event
        self.remove_error = None
        self.copy_error = None
        self.stop_exit_code = STOP_EXIT_CODE
        self.signal_exits = {}  # "SIGHUP" -> exit code on that signal

    @staticmethod
    def take(items):
        """The next scripted answer: a list is consumed one call at a time, anything else applies every time."""
        if isinstance(items, list):
            return items.pop(0) if items else None
        return items


class Container:
    def __init__(self, container_id, name, body):
        self.id = container_id
        self.name = name
        self.body = body
        self.state = "created"
        self.exit_code = None
        self.labels = dict(body.get("Labels") or {})
        self.component = self.labels.get(LABEL_COMPONENT)
        self.role = self.labels.get(LABEL_ROLE)

    @property
    def auto_remove(self):
        return bool((self.body.get("HostConfig") or {}).get("AutoRemove"))

    def summary(self):
        found = {"Id": self.id, "Names": ["/" + self.name], "Labels": self.labels, "State": self.state}
        found.update((key, self.body[key]) for key in ("Command", "Status") if key in self.body)
        return found


class EventStream:
    """The events endpoint's open response: one JSON line per readline, blocking until one is pushed.

    Like the engine, every open stream gets every event, and a stream opened with since first gets the
    events from that time on.
    """

    status = 200

    def __init__(self, engine, since=None):
        self.engine = engine
        self.queue = queue.Queue()
        with engine.lock:
            for when, line in engine.history:
                if since is None or when >= float(since):
                    self.queue.put(line)
            engine.streams.append(self.queue)

    def readline(self):
        while not self.engine.closed.is_set():
            try:
                return self.queue.get(timeout=0.05)
            except queue.Empty:
                continue
        return b""

    def close(self):
        pass


class LogStream(io.BytesIO):
    """A logs response: multiplexed frames (stream 1), as the engine sends for a non-TTY container."""

    status = 200


def frames(data, stream=1):
    return struct.pack(">BxxxL", stream, len(data)) + data if data else b""


class FakeEngine:
    """Containers, images and events of one fake engine, plus the record of every call made to it."""

    def __init__(self, images_missing=()):
        self.containers = {}
        self.scripts = {}
        self.images_missing = set(images_missing)
        self.image_healthchecks = {}
        self.pull_errors = {}
        self.calls = []
        self.history = []  # (time, JSON line) of every event
        self.streams = []  # the queue of every open events stream
        self.closed = threading.Event()
        self.lock = threading.RLock()
        self.started_at = time.time()
        self._ids = itertools.count(1)
        self._timers = []
        self.errors = {}  # method name -> exception raised by every call of it (e.g. an engine gone)
        self.attached = []  # connections handed out by attach_stdin
        # GET /info: the cgroup set-up the controller decides from (cgroup v1, cgroupfs, limits supported).
        self.info = {"CgroupVersion": "1", "CgroupDriver": "cgroupfs", "MemoryLimit": True, "CpuCfsQuota": True}

    # scripting ---------------------------------------------------------------------------------
    def script(self, target, **answers):
        script = self.scripts.setdefault(target, Script())
        for key, value in answers.items():
            if not hasattr(script, key):
                raise AttributeError("unknown script key %s" % key)
            setattr(script, key, list(value) if isinstance(value, (list, tuple)) else value)
        return script

    def script_for(self, container):
        if container is None:
            return Script()
        return (
            self.scripts.get(container.component)
            or self.scripts.get("role:%s" % container.role)
            or self.scripts.setdefault(container.component or "role:%s" % container.role, Script())
        )

    def leftover(self, name, component, controller_id, state="running", container_id=None, role="component"):
        """A container left by an earlier controller (for the reaping at start); role None: no pod labels."""
        labels = {LABEL_CONTROLLER_ID: controller_id, LABEL_COMPONENT: component}
        if role:
            labels.update({LABEL_ROLE: role, LABEL_POD: "old"})
        container = Container(container_id or self._new_id(), name, {"Labels": labels})
        container.state = state
        self.containers[container.id] = container
        return container

    def sweeper(self, name="podlike_sweeper.node1", command="podlike guard --node", status="Up 9 seconds (healthy)"):
        """A running node sweeper container, as the engine lists it."""
        body = {"Labels": {LABEL_ROLE: "sweeper"}, "Command": command, "Status": status}
        container = Container(self._new_id(), name, body)
        container.state = "running"
        self.containers[container.id] = container
        return container

    def shutdown(self):
        self.closed.set()
        for timer in self._timers:
            timer.cancel()

    # what happened -----------------------------------------------------------------------------
    def record(self, method, container_id=None, *args):
        container = self.containers.get(container_id) if container_id else None
        target = None
        if container is not None:
            target = container.component if container.role in ("component", "init") else "role:%s" % container.role
        with self.lock:
            self.calls.append(Call(time.time(), method, target, args))

    def targets(self, method, components_only=True):
        """Components (or roles) a method was called on, in call order."""
        return [
            c.target
            for c in list(self.calls)
            if c.method == method and c.target and (not components_only or not c.target.startswith("role:"))
        ]

    def calls_to(self, method, target=None):
        return [c for c in list(self.calls) if c.method == method and (target is None or c.target == target)]

    def by_component(self, name):
        found = [c for c in self.containers.values() if c.component == name]
        return found[-1] if found else None

    def alive(self, roles=("component", "init")):
        """Containers not removed, of the given roles."""
        return sorted(
            c.component or c.role
            for c in self.containers.values()
            if c.state != "removed" and (roles is None or c.role in roles)
        )

    def present(self):
        """Every container the engine still has, of any role (what a pod must not leave behind)."""
        return sorted(c.name for c in self.containers.values() if c.state != "removed")

    # events ------------------------------------------------------------------------------------
    def push_event(self, container, action, **attributes):
        """An event as the engine's stream sends it from API 1.52 on (no id, status, from)."""
        container_id = container.id if isinstance(container, Container) else container
        event = {
            "Type": "container",
            "Action": action,
            "Actor": {"ID": container_id, "Attributes": dict((k, str(v)) for k, v in attributes.items())},
            "timeNano": int(time.time() * 1e9),
        }
        line = json.dumps(event).encode("utf-8") + b"\n"
        with self.lock:
            self.history.append((event["timeNano"] / 1e9, line))
            for stream in self.streams:
                stream.put(line)

    def exit(self, container, code):
        """The container's process ends with code; the engine reports die and auto-removes it."""
        with self.lock:
            if container.state != "running":
                return False
            container.state = "exited"
            container.exit_code = code
            target = container.component if container.role in ("component", "init") else "role:%s" % container.role
            self.calls.append(Call(time.time(), "exit", target, (code,)))
        self.push_event(container, "die", exitCode=code)
        if container.auto_remove:
            with self.lock:
                container.state = "removed"
        return True

    def later(self, delay, function, *args):
        timer = threading.Timer(delay, function, args)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _new_id(self):
        return ("%064x" % next(self._ids))[:64]

    def client(self):
        return FakeClient(self)


class FakeClient:
    """The engine client's interface (docker_api.DockerClient) over a FakeEngine."""

    base_url = "unix:///var/run/docker.sock"
    tls = None

    def __init__(self, engine):
        self.engine = engine
        self.closed = False

    def __getattr__(self, name):
        raise AttributeError("the fake engine client has no %s (add it to fake_engine.py)" % name)

    def _check(self, method):
        error = self.engine.errors.get(method)
        if error is not None:
            raise error

    def _container(self, container_id):
        container = self.engine.containers.get(container_id)
        if container is None or container.state == "removed":
            raise NotFound("No such container: %s" % container_id, 404)
        return container

    def clone(self, versioned=True):
        return FakeClient(self.engine)

    def describe_api(self):
        return "API 1.41 (as set)"

    def check_api_version(self):
        self._check("version")
        return "1.41"

    def info(self):
        self.engine.record("info")
        self._check("info")
        return dict(self.engine.info)

    def close(self):
        self.closed = True

    # containers --------------------------------------------------------------------------------
    def containers(self, labels=None, all=True, name=None, ids=None):
        self.engine.record("containers", None, labels, ids)
        self._check("containers")
        found = []
        for container in list(self.engine.containers.values()):
            if container.state == "removed":
                continue
            if ids is not None and container.id not in ids:
                continue
            if labels and [label for label in labels if label.split("=")[0] not in container.labels]:
                continue
            found.append(container.summary())
        return found

    def inspect_container(self, container_id):
        self.engine.record("inspect_container", container_id, container_id)
        self._check("inspect_container")
        controller = getattr(self.engine, "controller", None)
        if controller is not None and container_id in (controller["Id"], controller["Id"][:12]):
            return controller
        container = self._container(container_id)
        return {"Id": container.id, "Name": "/" + container.name, "State": {"Status": container.state}}

    def create_container(self, name, config):
        engine = self.engine
        labels = config.get("Labels") or {}
        key = labels.get(LABEL_COMPONENT)
        script = engine.scripts.get(key) or engine.scripts.get("role:%s" % labels.get(LABEL_ROLE))
        with engine.lock:
            engine.calls.append(Call(time.time(), "create_container", _target(labels), (name,)))
        self._check("create_container")
        error = Script.take(script.create_error) if script else None
        if error is not None:
            raise error
        if config.get("Image") in engine.images_missing:
            raise NotFound("No such image: %s" % config["Image"], 404)
        with engine.lock:
            for container in engine.containers.values():
                if container.name == name and container.state != "removed":
                    raise Conflict('Conflict. The container name "/%s" is already in use' % name, 409)
            container = Container(engine._new_id(), name, config)
            engine.containers[container.id] = container
        return {"Id": container.id, "Warnings": list(script.create_warnings) if script else []}

    def start_container(self, container_id, on_sent=None):
        if on_sent is not None:
            on_sent()
        self.engine.record("start_container", container_id)
        self._check("start_container")
        container = self._container(container_id)
        script = self.engine.script_for(container)
        error = Script.take(script.start_error)
        if error is not None:
            raise error
        container.state = "running"
        self.engine.push_event(container, "start")
        code = Script.take(script.exits)
        if code is not None:
            self.engine.later(script.exit_after, self.engine.exit, container, code)
        if script.healthy_after is not None:
            self.engine.later(script.healthy_after, self._report_health, container, script.health)
        if script.oom:
            self.engine.later(0.005, self.engine.push_event, container, "oom")
        return None

    def _report_health(self, container, health):
        if container.state == "running":
            self.engine.push_event(container, "health_status: %s" % health)

    def attach_stdin(self, container_id):
        self.engine.record("attach_stdin", container_id)
        self._check("attach_stdin")
        self._container(container_id)
        connection = FakeConnection()
        self.engine.attached.append(connection)
        return connection

    def stop_container(self, container_id, timeout):
        self.engine.record("stop_container", container_id, timeout)
        self._check("stop_container")
        container = self._container(container_id)
        script = self.engine.script_for(container)
        if script.stop_error is not None:
            raise script.stop_error
        self.engine.exit(container, script.stop_exit_code)
        time.sleep(script.stop_answer_delay)

    def kill_container(self, container_id, signal="KILL"):
        self.engine.record("kill_container", container_id, signal)
        self._check("kill_container")
        container = self._container(container_id)
        if signal in ("KILL", "SIGKILL"):
            self.engine.exit(container, KILL_EXIT_CODE)
            return
        code = self.engine.script_for(container).signal_exits.get(signal)
        if code is not None:
            self.engine.exit(container, code)

    def remove_container(self, container_id, force=True, volumes=False):
        self.engine.record("remove_container", container_id, force)
        self._check("remove_container")
        error = Script.take(self.engine.script_for(self.engine.containers.get(container_id)).remove_error)
        if error is not None:
            raise error
        container = self._container(container_id)
        if container.state == "running":
            self.engine.exit(container, KILL_EXIT_CODE)
        container.state = "removed"

    def wait_container(self, container_id, condition="not-running", timeout=None):
        self.engine.record("wait_container", container_id, condition)
        self._check("wait_container")
        container = self.engine.containers.get(container_id)
        if condition == "removed":
            return {"StatusCode": 0}
        if container is None:
            raise NotFound("No such container: %s" % container_id, 404)
        script = self.engine.script_for(container)
        if script.wait_error is not None:
            raise script.wait_error
        deadline = time.time() + (timeout if timeout is not None else 10)
        while container.state == "running" and time.time() < deadline and not self.engine.closed.is_set():
            time.sleep(0.005)
        return {"StatusCode": container.exit_code if container.exit_code is not None else 0}

    def put_archive(self, container_id, path, tar_bytes):
        self.engine.record("put_archive", container_id, path, len(tar_bytes))
        self._check("put_archive")
        container = self._container(container_id)
        error = self.engine.script_for(container).copy_error
        if error is not None:
            raise error

    def exec_run(self, container_id, cmd, timeout=None):
        self.engine.record("exec_run", container_id, " ".join(cmd))
        self._check("exec_run")
        container = self._container(container_id)
        answer = self.engine.script_for(container).exec.get(" ".join(cmd), (0, ""))
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def logs(self, container_id, follow=True, tail=None, since=None, timeout=None):
        self.engine.record("logs", container_id, follow, tail)
        self._check("logs")
        container = self.engine.containers.get(container_id)
        return LogStream(frames(self.engine.script_for(container).logs))

    def events(self, filters=None, since=None, timeout=None):
        self.engine.record("events", None, filters)
        self._check("events")
        return EventStream(self.engine, since)

    # images ------------------------------------------------------------------------------------
    def inspect_image(self, name):
        self.engine.record("inspect_image", None, name)
        self._check("inspect_image")
        if name in self.engine.images_missing:
            raise NotFound("No such image: %s" % name, 404)
        test = self.engine.image_healthchecks.get(name)
        return {"Config": {"Healthcheck": {"Test": test}} if test else {}}

    def pull_image(self, name, auth_header=None, timeout=600):
        self.engine.record("pull_image", None, name)
        self._check("pull_image")
        error = self.engine.pull_errors.get(name)
        if error is not None:
            raise error
        self.engine.images_missing.discard(name)

    def inspect_volume(self, name):
        self.engine.record("inspect_volume", None, name)
        self._check("inspect_volume")
        volumes = getattr(self.engine, "volumes", {})
        if name not in volumes:
            raise NotFound("get %s: no such volume" % name, 404)
        return volumes[name]

    find_volume = DockerClient.find_volume  # the real client's lookup, over the fake inspect


class FakeConnection:
    """An attached stream; closing it is what the pod does when it lets go."""

    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def _target(labels):
    role = labels.get(LABEL_ROLE)
    if role in ("component", "init"):
        return labels.get(LABEL_COMPONENT)
    return "role:%s" % role


# A pod on the fake engine ---------------------------------------------------------------------------
POD_NAME = "shop_web.1.abc"
CONTROLLER_IMAGE = "podlike/controller:latest"


class RecordingOutput:
    """The controller's Output, keeping its lines: (kind, text) with kind info, warn, error or component."""

    def __init__(self):
        self.lines = []
        self._lock = threading.Lock()

    def _add(self, kind, text):
        with self._lock:
            self.lines.append((kind, text))

    def info(self, message):
        self._add("info", message)

    def warn(self, message):
        self._add("warn", message)

    def error(self, message):
        self._add("error", message)

    def component_line(self, name, line, channel=1):
        self._add("component", "%s | %s" % (name, line.decode("utf-8", "replace")))

    def of(self, kind):
        with self._lock:
            return [text for line_kind, text in self.lines if line_kind == kind]

    def text(self):
        with self._lock:
            return "\n".join("%s: %s" % line for line in self.lines)


def controller_container(labels, stop_timeout=None, host_config=None, mounts=None):
    """What the controller's inspect returns: its labels hold the pod definition."""
    config = {"Image": CONTROLLER_IMAGE, "Labels": labels}
    if stop_timeout is not None:
        config["StopTimeout"] = stop_timeout
    return {
        "Id": CONTROLLER_ID,
        "Name": "/" + POD_NAME,
        "Image": "sha256:" + "e" * 64,
        "Config": config,
        "HostConfig": dict(host_config or {}),
        "Mounts": list(
            mounts
            if mounts is not None
            else [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock"}]
        ),
    }


def pod_labels(components, init=None, copies=None, settings=None):
    """Controller labels in the rycus86/podlike format, from Python values."""
    import yaml

    labels = dict(("pod.component." + name, yaml.safe_dump(spec)) for name, spec in components.items())
    if init:
        labels["pod.init.components"] = yaml.safe_dump(init)
    for name, pairs in (copies or {}).items():
        labels["pod.copy." + name] = yaml.safe_dump(pairs)
    for name, value in (settings or {}).items():
        labels["pod.controller." + name] = str(value)
    return labels


class Running:
    """Pod.run() in a thread, as the controller's main thread runs it."""

    def __init__(self, pod):
        self.pod = pod
        self.code = None
        self.error = None
        self.thread = threading.Thread(target=self._run, name="pod-run", daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.code = self.pod.run()
        except BaseException as exc:  # noqa: BLE001 - handed to the test by result()
            self.error = exc

    def done(self):
        return not self.thread.is_alive()

    def result(self, timeout=10):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the pod still runs after %ss" % timeout
        if self.error is not None:
            raise self.error
        return self.code


def wait_for(check, timeout=5, message="condition"):
    """Poll check (every few ms: the fake engine answers at once) until it holds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, message))


def wait_running(output, timeout=5):
    """Until the pod reports that its start is over and it runs."""
    wait_for(
        lambda: [line for line in output.of("info") if line.startswith("pod %s is running" % POD_NAME)],
        timeout=timeout,
        message="the pod to run",
    )


# Fixtures (imported by the conftest.py files of the pod and controller tests) -----------------------


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


CONTROLLER_MOUNTINFO = (
    "600 500 0:50 / / rw - overlay overlay rw\n"
    "601 600 0:51 / /proc rw - proc proc rw\n"
    "602 600 8:1 /tmp /tmp rw - ext4 /dev/sda1 rw\n"
    "603 600 0:24 /docker.sock /run/docker.sock rw - tmpfs tmpfs rw\n"
)


@pytest.fixture
def make_pod(engine, output, monkeypatch):
    """make_pod(components, init=, copies=, settings=, flags=, **controller) -> Pod, built by boot().

    The controller's mounts: /tmp (where the tests' files are), and the engine's socket.
    """
    monkeypatch.setattr(discovery, "read_candidates", lambda cgroup_text=None: [CONTROLLER_ID])
    monkeypatch.setattr(controller_files, "read_mountinfo", lambda: CONTROLLER_MOUNTINFO)
    runs = []

    def make(components, init=None, copies=None, settings=None, flags=(), **controller):
        engine.controller = controller_container(pod_labels(components, init, copies, settings), **controller)
        pod = boot_module.boot(list(flags), output, client=engine.client())
        runs.append(pod)
        return pod

    yield make
    for pod in runs:
        if not pod.stopping:
            pod.deliver_signal("TERM")


@pytest.fixture
def run_pod(make_pod):
    """run_pod(components, ...) -> Running: the pod's run() in a thread."""

    def run(components, **kwargs):
        return Running(make_pod(components, **kwargs))

    return run
