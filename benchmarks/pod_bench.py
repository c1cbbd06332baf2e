"""Measurements of the pod controller and of the baseline doing the same work, seen through engine events.

Each function returns one sample (seconds or bytes) of a pod and of its baseline, so the caller can
interleave them and share the engine's noise between both.
"""

import contextlib
import json
import os
import re
import subprocess
import tempfile
import time
import uuid

import docker.errors
from baseline import BaselinePod, baseline_components
from events import ApiTimeline, labelled, named

CONTROLLER_IMAGE = os.environ.get("PODLIKE_CONTROLLER_IMAGE", "podlike/controller:latest")
COMPONENT_IMAGE = os.environ.get("PODLIKE_TEST_BUSYBOX", "podlike/busybox:latest")
BASE_IMAGE = os.environ.get("PODLIKE_TEST_BASE", "podlike/base:bookworm")
SOCKET = "/var/run/docker.sock"
FAST_HEALTHCHECK_YAML = 'healthcheck:\n  test: ["CMD", "true"]\n  interval: 1s\n  timeout: 1s\n  retries: 3\n'
FAST_HEALTHCHECK_API = {"test": ["CMD", "true"], "interval": 10**9, "timeout": 10**9, "retries": 3}
PROXY_MOUNT = "/bench-proxy"


def unique(prefix):
    return f"bench-{prefix}-{uuid.uuid4().hex[:6]}"


def component_labels(count, healthcheck=False):
    labels = {}
    for index in range(count):
        text = f"image: {COMPONENT_IMAGE}\ncommand: sleep 300\n"
        if healthcheck:
            text += FAST_HEALTHCHECK_YAML
        labels[f"pod.component.c{index}"] = text
    return labels


class Controllers:
    """Runs controller containers and reads what they do from the event watcher."""

    def __init__(self, api, watcher):
        self.api = api
        self.watcher = watcher
        self.start_sent = None

    def run(self, name, labels, environment=None, binds=None, entrypoint=None):
        """Create and start a controller; return (container id, time the start call returned).

        start_sent keeps the time just before the start call.
        """
        host_config = self.api.create_host_config(binds=binds or [f"{SOCKET}:{SOCKET}:ro"])
        created = self.api.create_container(
            CONTROLLER_IMAGE,
            name=name,
            labels=labels,
            environment=environment,
            host_config=host_config,
            entrypoint=entrypoint,
        )
        self.start_sent = time.time()
        self.api.start(created["Id"])
        return created["Id"], time.time()

    def wait_components(self, name, action, count, after, timeout=60.0):
        return self.watcher.last_time(labelled(action, "podlike.pod", name, "component"), count, timeout, after)

    def remove(self, name):
        """Remove a controller and anything labelled as its pod."""
        for container in self.api.containers(all=True, filters={"label": f"podlike.pod={name}"}):
            _force_remove(self.api, container["Id"])
        _force_remove(self.api, name)

    def rss_bytes(self, container_id):
        return rss_of(self.pid(container_id))

    def cpu_seconds(self, container_id):
        return cpu_of(self.pid(container_id))

    def pid(self, container_id):
        return self.api.inspect_container(container_id)["State"]["Pid"]


def cpu_of(pid):
    """User + system CPU seconds of a running process and of its ended children (/proc/PID/stat, fields 14-17).

    The children count: the controller's start-up work runs in a child it waits for.
    """
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def rss_of(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise ValueError(f"no VmRSS for pid {pid}")


def _force_remove(api, container_id):
    with contextlib.suppress(docker.errors.APIError):  # already gone
        api.remove_container(container_id, force=True)


# pod start and stop --------------------------------------------------------------------------------
class StartStop:
    """One start-and-stop sample of a pod or of its baseline, all times from engine events but the calls.

    start: `start` event of the unit's first container -> `start` event of its last component.
    start_wall: first API call of the sample -> the same last `start` event (what a caller waits).
    stop: stop call -> `destroy` of the unit's last container (and the controller's `die`).
    cpu: the controller's CPU time (user + sys) when its last component started; None for the baseline.
    """

    __slots__ = ("cpu", "healthy", "start", "start_wall", "stop")

    def __init__(self, start, start_wall, stop, healthy=None, cpu=None):
        self.start = start
        self.start_wall = start_wall
        self.stop = stop
        self.healthy = healthy
        self.cpu = cpu


def pod_member(name):
    """Events of the controller named `name` or of any container labelled as its pod (every role)."""
    return lambda event: event.name == name or event.labels.get("podlike.pod") == name


def first_start(watcher, member, until, after):
    """Timestamp of the earliest `start` event of a unit's containers between `after` and `until`."""
    return min(e.at for e in watcher.events_between(after, until) if e.action == "start" and member(e))


def pod_start_stop(controllers, count, healthy=False):
    """A StartStop of one controller pod of `count` sleep components."""
    name = unique(f"pod{count}")
    api, watcher = controllers.api, controllers.watcher
    try:
        controller_id, _returned = controllers.run(name, component_labels(count, healthy))
        sent = controllers.start_sent
        ready = controllers.wait_components(name, "start", count, sent - 1)
        cpu = controllers.cpu_seconds(controller_id)
        healthy_at = controllers.wait_components(name, "health_status: healthy", count, sent - 1) if healthy else None
        first = first_start(watcher, pod_member(name), ready, sent - 1)
        # Counted by their labels, whatever their role (components, infra, guard): all must be gone.
        members = api.containers(all=True, filters={"label": f"podlike.pod={name}"})
        stopping = time.time()
        api.stop(name, timeout=10)
        gone = watcher.last_time(labelled("destroy", "podlike.pod", name), len(members), 60, stopping)
        exited = watcher.last_time(named("die", name), 1, 60, stopping)
        return StartStop(
            ready - first,
            ready - sent,
            max(gone, exited) - stopping,
            healthy=(healthy_at - first) if healthy else None,
            cpu=cpu,
        )
    finally:
        controllers.remove(name)


def baseline_start_stop(api, watcher, count, healthy=False, pid_holder=False):
    """The same StartStop for the baseline pod: its infra is the unit's first container."""
    name = unique(f"base{count}")
    components = baseline_components(count, FAST_HEALTHCHECK_API if healthy else None)
    pod = BaselinePod(api, name, components, COMPONENT_IMAGE, pid_holder=pid_holder)
    try:
        sent = pod.start()
        match = labelled("start", "bench.baseline", name)
        ready = watcher.last_time(lambda e: match(e) and e.labels.get("bench.role") == "component", count, 60, sent)
        first = first_start(watcher, lambda e: e.labels.get("bench.baseline") == name, ready, sent)
        healthy_at = None
        if healthy:
            healthy_at = watcher.last_time(labelled("health_status: healthy", "bench.baseline", name), count, 60, sent)
        stopping = pod.stop()
        gone = watcher.last_time(labelled("destroy", "bench.baseline", name), count + 1 + pid_holder, 60, stopping)
        return StartStop(
            ready - first, ready - sent, gone - stopping, healthy=(healthy_at - first) if healthy else None
        )
    finally:
        pod.remove()


# failure reaction ----------------------------------------------------------------------------------
def pod_failure(controllers, count=3):
    """(component death -> controller death, component death -> first stop of another component)."""
    name = unique("fail")
    try:
        _controller, started = controllers.run(name, component_labels(count))
        controllers.wait_components(name, "start", count, started - 1)
        time.sleep(0.5)  # the controller subscribes to events before it starts components; leave it settled
        victim = name + ".podlike.c0"
        killing = time.time()
        controllers.api.kill(victim)
        watcher = controllers.watcher
        died = watcher.last_time(named("die", victim), 1, 30, killing - 1)
        reacted = watcher.last_time(named("die", name), 1, 30, died)
        first_action = watcher.last_time(
            lambda e: (
                e.action == "kill"
                and e.labels.get("podlike.pod") == name
                and e.name != victim
                and e.labels.get("podlike.role") == "component"
            ),
            1,
            30,
            died,
        )
        timeline = [
            (e.at - died, e.action, e.name[len(name) :] or "(controller)")
            for e in watcher.events
            if died <= e.at <= reacted and (e.name == name or e.labels.get("podlike.pod") == name)
        ]
        return reacted - died, first_action - died, timeline
    finally:
        controllers.remove(name)


def pod_restart(controllers, count=3):
    """restart: always on the killed component: (its death -> its new container created, -> started)."""
    name = unique("restart")
    labels = component_labels(count)
    labels["pod.component.c0"] += "restart: always\n"
    try:
        _controller, started = controllers.run(name, labels)
        controllers.wait_components(name, "start", count, started - 1)
        time.sleep(0.5)
        victim = name + ".podlike.c0"
        killing = time.time()
        controllers.api.kill(victim)
        watcher = controllers.watcher
        died = watcher.last_time(named("die", victim), 1, 30, killing - 1)
        created = watcher.last_time(named("create", victim), 1, 30, died)
        restarted = watcher.last_time(named("start", victim), 1, 30, died)
        return created - died, restarted - died
    finally:
        controllers.remove(name)


def baseline_failure(api, events_client, watcher, count=3):
    name = unique("basefail")
    pod = BaselinePod(api, name, baseline_components(count), COMPONENT_IMAGE)
    try:
        pod.start()
        pod.supervise(events_client)
        time.sleep(0.5)
        victim = pod.component_ids["c0"]
        killing = time.time()
        api.kill(victim)
        died = watcher.last_time(lambda e: e.action == "die" and e.container_id == victim, 1, 30, killing - 1)
        reacted = watcher.last_time(named("die", name), 1, 30, died)
        first_action = watcher.last_time(
            lambda e: (
                e.action == "kill"
                and e.labels.get("bench.baseline") == name
                and e.labels.get("bench.role") == "component"
                and e.container_id != victim
            ),
            1,
            30,
            died,
        )
        return reacted - died, first_action - died
    finally:
        pod.remove()


# memory and image ----------------------------------------------------------------------------------
def pod_memory(controllers, count=3):
    """(RSS in bytes, CPU seconds) of a controller 1 s after its last component started."""
    name = unique("mem")
    try:
        container_id, started = controllers.run(name, component_labels(count))
        controllers.wait_components(name, "start", count, started - 1)
        time.sleep(1.0)
        pid = controllers.pid(container_id)
        return rss_of(pid), cpu_of(pid)
    finally:
        controllers.remove(name)


def controller_trace(controllers, count=1):
    """The `podlike: trace:` lines of one controller started with PODLIKE_TRACE=1.

    A line for the controller's own `start` event is put in place: the trace counts from the process's
    creation, which comes before the engine reports the container started.
    """
    name = unique("trace")
    try:
        container_id, started = controllers.run(name, component_labels(count), environment={"PODLIKE_TRACE": "1"})
        process_start = _process_start_time(controllers.pid(container_id))
        controllers.wait_components(name, "start", count, started - 1)
        time.sleep(0.5)
        start_event = controllers.watcher.last_time(named("start", name), 1, 10, started - 5)
        logs = controllers.api.logs(container_id, stdout=False, stderr=True).decode("utf-8", "replace")
        lines = [line for line in logs.splitlines() if line.startswith("podlike: trace:")]
        event_line = "podlike: trace: %7.1f (the engine's start event of the controller)" % (
            (start_event - process_start) * 1000
        )
        return sorted(lines + [event_line], key=lambda line: float(line.split()[2]))
    finally:
        controllers.remove(name)


def _process_start_time(pid):
    """Wall-clock time at which a process was created (/proc/PID/stat field 22, in clock ticks since boot)."""
    with open(f"/proc/{pid}/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    since_boot = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    return since_boot + ticks / os.sysconf("SC_CLK_TCK")


def interpreter_memory(controllers):
    """RSS of an idle python3 in the controller image: the floor for any Python controller."""
    name = unique("py")
    api = controllers.api
    try:
        created = api.create_container(
            CONTROLLER_IMAGE, name=name, entrypoint=["python3"], command=["-c", "import time; time.sleep(60)"]
        )
        api.start(created["Id"])
        time.sleep(1.0)
        return controllers.rss_bytes(created["Id"])
    finally:
        _force_remove(api, name)


def image_sizes(api):
    return api.inspect_image(CONTROLLER_IMAGE)["Size"], api.inspect_image(BASE_IMAGE)["Size"]


# boot ----------------------------------------------------------------------------------------------
class BootProbe:
    """Launches containers whose engine socket is the timeline proxy, to see their first API call."""

    def __init__(self, controllers):
        self.controllers = controllers
        self.directory = tempfile.mkdtemp(prefix="bench-proxy-")
        os.chmod(self.directory, 0o755)
        self.timeline = ApiTimeline(self.directory)

    def close(self):
        self.timeline.close()
        try:
            os.rmdir(self.directory)
        except OSError:
            pass

    def controller(self, count=3):
        """(start call -> first API call, start call -> all started, [(offset, method, path)]) of one controller."""
        name = unique("boot")
        self.timeline.reset()
        try:
            _controller, started = self.controllers.run(
                name,
                component_labels(count),
                environment={"DOCKER_HOST": f"unix://{PROXY_MOUNT}/docker.sock"},
                binds=[f"{self.directory}:{PROXY_MOUNT}"],
            )
            # The start call, not the start event: a process can make its first call before the event is sent.
            launched = self.controllers.start_sent
            ready = self.controllers.wait_components(name, "start", count, started - 1)
            time.sleep(0.3)
            requests = [(at - launched, method, _short_path(path)) for at, method, path in self.timeline.requests]
            return requests[0][0], ready - launched, requests
        finally:
            self.controllers.remove(name)

    def interpreter(self):
        """Start call -> first API call of `python3 -c` sending one request: the floor for a Python client."""
        name = unique("bootpy")
        api = self.controllers.api
        script = (
            f"import socket; s = socket.socket(socket.AF_UNIX); s.connect('{PROXY_MOUNT}/docker.sock'); "
            "s.sendall(b'GET /_ping HTTP/1.0\\r\\nHost: docker\\r\\n\\r\\n'); s.recv(1024)"
        )
        self.timeline.reset()
        try:
            created = api.create_container(
                CONTROLLER_IMAGE,
                name=name,
                entrypoint=["python3"],
                command=["-c", script],
                host_config=api.create_host_config(binds=[f"{self.directory}:{PROXY_MOUNT}"]),
            )
            launched = time.time()
            api.start(created["Id"])
            api.wait(created["Id"], timeout=30)
            return self.timeline.requests[0][0] - launched
        finally:
            _force_remove(api, name)


def _short_path(path):
    path = re.sub(r"^/v[0-9.]+", "", path)
    return re.sub(r"[0-9a-f]{64}", "<id>", path)


def import_profile(top=12):
    """The controller's imports by cumulative time (python3 -X importtime in the controller image)."""
    modules = [
        "ansible_collections.podlike.swarm.plugins.module_utils.controller.main",
        "ansible_collections.podlike.swarm.plugins.module_utils.controller.boot",
        "ansible_collections.podlike.swarm.plugins.module_utils.controller.health",
    ]
    # The entry script's own lines first (all but its last call), as the controller runs them.
    prelude = "exec(open('/usr/local/bin/podlike').read().rsplit('entrypoint()', 1)[0])"
    script = "; ".join([prelude] + ["import " + module for module in modules])
    result = subprocess.run(
        ["docker", "run", "--rm", "--name", unique("imports"), "--entrypoint", "python3", CONTROLLER_IMAGE]
        + ["-X", "importtime", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append(
                {
                    "module": match.group(4),
                    "self_us": int(match.group(1)),
                    "cumulative_us": int(match.group(2)),
                    "depth": len(match.group(3)) // 2,
                }
            )
    project = [row for row in rows if row["module"].startswith("ansible_collections")]
    total = sum(row["cumulative_us"] for row in project if row["depth"] == min(r["depth"] for r in project))
    # The heaviest imports outside the project, each package once (its outermost, costliest import).
    heaviest, seen = [], set()
    for row in sorted(rows, key=lambda r: -r["cumulative_us"]):
        package = row["module"].split(".")[0]
        if package in seen or package in ("ansible_collections", "encodings", "site"):
            continue
        seen.add(package)
        heaviest.append(row)
    return {"total_us": total, "heaviest": heaviest[:top], "rows": rows}


# scale ---------------------------------------------------------------------------------------------
def service_create_args(name, replicas):
    """docker service create for a scale run: detached, no restarts, DNS round robin (no IPVS here)."""
    return [
        "docker",
        "service",
        "create",
        "--detach",
        "--quiet",
        "--name",
        name,
        "--replicas",
        str(replicas),
        "--restart-condition",
        "none",
        "--endpoint-mode",
        "dnsrr",
    ]


def scale_service(controllers, replicas=50, count=3, timeout=600, healthcheck=True):
    """(seconds until every component of every replica runs, total controller RSS in bytes).

    healthcheck=False: the controllers without the image's HEALTHCHECK.
    """
    name = unique("scale")
    args = service_create_args(name, replicas) + ["--mount", f"type=bind,source={SOCKET},target={SOCKET},readonly"]
    if not healthcheck:
        args.append("--no-healthcheck")
    for key, value in component_labels(count).items():
        args += ["--container-label", f"{key}={value}"]
    args.append(CONTROLLER_IMAGE)
    watcher = controllers.watcher
    try:
        started = time.time()
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        deadline = started + timeout
        while True:
            try:
                ready = watcher.last_time(
                    lambda e: (
                        e.action == "start"
                        and e.labels.get("podlike.role") == "component"
                        and e.labels.get("podlike.pod", "").startswith(name + ".")
                    ),
                    replicas * count,
                    5,
                    started,
                )
                break
            except TimeoutError:
                _fail_on_ended_tasks(controllers.api, name, deadline)
        tasks = controllers.api.containers(filters={"label": f"com.docker.swarm.service.name={name}"})
        memory = sum(controllers.rss_bytes(task["Id"]) for task in tasks)
        return ready - started, memory
    finally:
        subprocess.run(["docker", "service", "rm", name], capture_output=True, timeout=120, check=False)
        _wait_gone(controllers.api, "podlike.pod", name + ".", timeout=180)


# A check every 3 s with no watching: the image's HEALTHCHECK as it was, for the idle figures.
PLAIN_PROBE = [
    "--health-cmd",
    'read state < /dev/shm/podlike.health && [ "$state" = healthy ]',
    "--health-interval",
    "3s",
    "--health-timeout",
    "10s",
    "--health-retries",
    "3",
    "--health-start-period",
    "30s",
]


def engine_cpu_seconds():
    """CPU seconds used so far by dockerd, containerd and the shims, with the runc and exec processes they reaped."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as comm:
                name = comm.read().strip()
            if name in ("dockerd", "containerd") or name.startswith("containerd-shim"):
                total += cpu_of(pid)
        except OSError:
            continue
    return total


def engine_cpu_per_second(window):
    before, started = engine_cpu_seconds(), time.time()
    time.sleep(window)
    return (engine_cpu_seconds() - before) / (time.time() - started)


def idle_pods_engine_cpu(controllers, replicas=20, count=3, service_args=(), settle=30, window=30):
    """Engine CPU seconds per second while a service of `replicas` pods idles, `settle` s after the last started."""
    name = unique("idle")
    args = service_create_args(name, replicas) + ["--mount", f"type=bind,source={SOCKET},target={SOCKET},readonly"]
    args += list(service_args)
    for key, value in component_labels(count).items():
        args += ["--container-label", f"{key}={value}"]
    args.append(CONTROLLER_IMAGE)
    try:
        started = time.time()
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        controllers.watcher.last_time(
            lambda e: (
                e.action == "start"
                and e.labels.get("podlike.role") == "component"
                and e.labels.get("podlike.pod", "").startswith(name + ".")
            ),
            replicas * count,
            300,
            started,
        )
        time.sleep(settle)
        return engine_cpu_per_second(window)
    finally:
        subprocess.run(["docker", "service", "rm", name], capture_output=True, timeout=120, check=False)
        _wait_gone(controllers.api, "podlike.pod", name + ".", timeout=180)


def baseline_idle_engine_cpu(api, replicas=20, count=3, settle=30, window=30):
    """The same for `replicas` baseline pods (infra + components through the API, no healthcheck)."""
    from baseline import remove_many, start_many

    pods = [
        BaselinePod(api, unique("baseidle"), baseline_components(count), COMPONENT_IMAGE)
        for _replica in range(replicas)
    ]
    try:
        start_many(api, pods)
        time.sleep(settle)
        return engine_cpu_per_second(window)
    finally:
        remove_many(pods)


def swarm_only_scale(controllers, replicas=50, timeout=600):
    """Seconds until Swarm runs `replicas` plain tasks (no pods): Swarm's own share of the scale figure."""
    name = unique("swarmonly")
    args = service_create_args(name, replicas) + [COMPONENT_IMAGE, "sleep", "600"]
    try:
        started = time.time()
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        ready = controllers.watcher.last_time(
            lambda e: e.action == "start" and e.labels.get("com.docker.swarm.service.name") == name,
            replicas,
            timeout,
            started,
        )
        return ready - started
    finally:
        subprocess.run(["docker", "service", "rm", name], capture_output=True, timeout=120, check=False)
        _wait_gone(controllers.api, "com.docker.swarm.service.name", name, timeout=180)


def _fail_on_ended_tasks(api, service, deadline):
    """With restart condition none, an ended task never comes back: stop waiting and say how tasks ended."""
    states = {}
    for task in api.tasks(filters={"service": service}):
        status = task.get("Status") or {}
        key = status.get("State", "?") + (": " + status["Err"] if status.get("Err") else "")
        states[key] = states.get(key, 0) + 1
    ended = sum(n for key, n in states.items() if key.split(":")[0] in ("complete", "failed", "shutdown", "rejected"))
    if ended or time.time() > deadline:
        raise RuntimeError(f"{ended} of the service's tasks ended before all components ran: {states}") from None


def baseline_scale(api, watcher, replicas=50, count=3, timeout=600):
    """Seconds from the first API call until every component of `replicas` baseline pods runs.

    With count=0 the pods are their infra containers alone: 50 plain containers through the API.
    """
    from baseline import remove_many, start_many

    prefix = "basescale" if count else "baseplain"
    pods = [
        BaselinePod(api, unique(prefix), baseline_components(count), COMPONENT_IMAGE) for _replica in range(replicas)
    ]
    names = {pod.name for pod in pods}
    role = "component" if count else "infra"
    try:
        started = start_many(api, pods)
        ready = watcher.last_time(
            lambda e: (
                e.action == "start" and e.labels.get("bench.baseline") in names and e.labels.get("bench.role") == role
            ),
            replicas * max(count, 1),
            timeout,
            started,
        )
        return ready - started
    finally:
        remove_many(pods)


def _wait_gone(api, label, prefix, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = [c for c in api.containers(all=True) if (c.get("Labels") or {}).get(label, "").startswith(prefix)]
        if not left:
            return
        time.sleep(1)
    for container in left:
        _force_remove(api, container["Id"])


class NodeSweeper:
    """The node sweeper the `swarm` role runs, as a plain container: while it is healthy pods need no guard."""

    def __init__(self, api):
        self.api = api
        self.name = unique("sweeper")

    def start(self, timeout=60):
        host_config = self.api.create_host_config(
            binds=[f"{SOCKET}:{SOCKET}:ro"], cap_drop=["ALL"], read_only=True, security_opt=["no-new-privileges"]
        )
        created = self.api.create_container(
            CONTROLLER_IMAGE,
            name=self.name,
            command=["guard", "--node"],
            labels={"podlike.role": "sweeper"},
            host_config=host_config,
        )
        self.api.start(created["Id"])
        deadline = time.time() + timeout
        while self.api.inspect_container(self.name)["State"].get("Health", {}).get("Status") != "healthy":
            if time.time() > deadline:
                raise RuntimeError(f"the node sweeper {self.name} was not healthy within {timeout} s")
            time.sleep(0.5)

    def remove(self):
        _force_remove(self.api, self.name)


def engine_noise(api):
    """Containers on the engine that this suite did not make, and the host's load average."""
    others = [c for c in api.containers() if not any(n.lstrip("/").startswith("bench") for n in c.get("Names") or [])]
    return {"foreign_containers": len(others), "loadavg": os.getloadavg()}


def dump(value):
    return json.dumps(value, indent=2, sort_keys=True)
