"""What a component can reach of the controller, and what a killed controller leaves, on the real engine."""

import threading
import time

import pytest
import yaml
from conftest import (
    BASE,
    BUSYBOX,
    CONTROLLER_IMAGE,
    SOCKET,
    component,
    containers,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_pod_running,
    wait_until,
)

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, DockerError

pytestmark = pytest.mark.engine

# Looks for the engine for SECONDS: every /proc/<pid>/root (docker.sock paths, the unix sockets of
# /proc/net/unix), /proc/<pid>/environ and the sockets among /proc/<pid>/fd. Prints FOUND <how> or NOTHING.
SCANNER = r"""
import glob, os, socket, sys, time
SECONDS = float(sys.argv[1])
def engine_at(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1)
    try:
        sock.connect(path)
        sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        return b"Api-Version" in sock.recv(4096)
    except OSError:
        return False
    finally:
        sock.close()
def socket_paths():
    try:
        lines = open("/proc/net/unix").read().splitlines()[1:]
    except OSError:
        return []
    return [line.split()[7] for line in lines if len(line.split()) > 7 and line.split()[7].startswith("/")]
seen = set()
deadline = time.time() + SECONDS
while time.time() < deadline:
    for proc in glob.glob("/proc/[0-9]*"):
        if proc == "/proc/%d" % os.getpid():
            continue
        seen.add(proc)
        for path in ["/var/run/docker.sock", "/run/docker.sock"] + socket_paths():
            if engine_at(proc + "/root" + path):
                print("FOUND %s/root%s" % (proc, path), flush=True)
                sys.exit(0)
        try:
            if b"DOCKER" in open(proc + "/environ", "rb").read():
                print("FOUND DOCKER in %s/environ" % proc, flush=True)
        except OSError:
            pass
        for fd in glob.glob(proc + "/fd/*"):
            try:
                if os.readlink(fd).startswith("socket:") and engine_at(fd):
                    print("FOUND %s" % fd, flush=True)
                    sys.exit(0)
            except OSError:
                pass
    for path in ["/var/run/docker.sock", "/run/docker.sock"] + socket_paths():
        if engine_at(path):
            print("FOUND %s" % path, flush=True)
            sys.exit(0)
    time.sleep(0.05)
print("NOTHING after looking at %d processes" % len(seen), flush=True)
"""


def scanner_label(seconds):
    return yaml.safe_dump({"image": BASE, "user": "root", "command": ["python3", "-c", SCANNER, str(seconds)]})


def scan_result(pod):
    return wait_until(
        lambda: next(
            (line for line in pod_logs(pod).splitlines() if "scanner | FOUND" in line or "NOTHING" in line), None
        ),
        timeout=40,
        message="the scanner's verdict",
    )


def test_the_scanner_finds_a_socket_a_sibling_component_has(unique, cleanup):
    """The scanner can fail: a sibling with the socket mounted is found through /proc/<pid>/root."""
    pod = unique + "-leak"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.scanner": scanner_label(10),
        "pod.component.holder": component("sleep 300", volumes="['/var/run/docker.sock:/var/run/docker.sock']"),
    }
    assert run_pod(pod, labels, flags=["-allow-privileged"]).returncode == 0
    assert "/root/var/run/docker.sock" in scan_result(pod)


def test_a_root_component_reaches_no_engine_socket(unique, cleanup):
    """Nothing of the controller is visible: not it, its HEALTHCHECK, nor a `docker exec` in it."""
    pod = unique + "-iso"
    cleanup["containers"].append(pod)
    labels = {"pod.component.scanner": scanner_label(10), "pod.component.peer": component("sleep 300")}
    assert run_pod(pod, labels, extra=["--health-interval", "1s"]).returncode == 0
    wait_until(lambda: "scanner" in docker("ps", "--filter", "name=" + pod + ".podlike.scanner"), message="scanner")
    deadline = time.time() + 9
    execs = probes_seen = 0
    while time.time() < deadline:
        # A process of the engine's making in the controller, holding the socket's directory open.
        docker_result("exec", pod, "sh", "-c", "cd /var/run && sleep 1")
        execs += 1
        probes_seen += "podlike-healthcheck" in docker("top", pod)
    verdict = scan_result(pod)
    assert "NOTHING" in verdict, verdict
    assert execs >= 3
    assert probes_seen >= 3  # the HEALTHCHECK's process (it watches the pod's state) ran while the scanner looked


KILL_PODS = 20
KILL_SPREAD = 1.5
KILL_BATCH = 5


@pytest.fixture
def sweeper(unique, cleanup):
    """The node's sweeper (`podlike guard --node`) as a plain container, kept to this test's pods by a label."""
    name = unique + "-sweeper"
    cleanup["containers"].append(name)
    hardening = ["--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "--memory", "64m"]
    scope = ["--label", "podlike.stack=" + unique]
    docker("run", "-d", "--name", name, "-v", SOCKET, *hardening, CONTROLLER_IMAGE, "guard", "--node", *scope)
    wait_until(lambda: "podlike guard: sweeping" in pod_logs(name), timeout=20, message="the sweeper")
    return name


def in_stack(unique):
    """docker arguments that put a controller in the sweeper's scope: its containers get podlike.stack."""
    return ["--label", "com.docker.stack.namespace=" + unique]


def _killed_pod(name, delay, outcome):
    """Start a created controller, SIGKILL it `delay` seconds after the start call, record its ID."""
    client = DockerClient()
    controller_id = inspect(name)["Id"]

    def start():
        try:
            client.clone().start_container(controller_id)
        except DockerError:
            pass  # killed while it started

    started = threading.Thread(target=start)
    sent = time.time()
    started.start()
    time.sleep(max(0.0, sent + delay - time.time()))
    while True:
        try:
            client.kill_container(controller_id)
            break
        except DockerError:
            if not started.is_alive():
                break  # it ended on its own before the kill
            time.sleep(0.005)
    started.join()
    outcome[name] = controller_id


def pod_leftovers(name, controller_id):
    """Names of every container of the pod, in any state, guard and infra included."""
    found = containers("label=podlike.pod=" + name) + containers("label=podlike.controller.id=" + controller_id)
    return sorted(set(found))


KILL_LABELS = {
    "pod.component.side": component("sleep 300", healthcheck="{test: [CMD, 'true'], interval: 1s}")
    + "\nx-podlike-sidecar: true",
    "pod.component.a": component("sleep 300"),
    "pod.component.b": component("sleep 300", depends_on="{side: {condition: service_healthy}}"),
    "pod.component.c": component("sleep 300"),
}


def _kill_pods_during_start(unique, cleanup, count, prefix):
    """SIGKILL count controllers at moments spread over their start; return {name: controller ID}."""
    names = ["%s-%s%02d" % (unique, prefix, index) for index in range(count)]
    cleanup["containers"].extend(names)
    label_args = [arg for item in KILL_LABELS.items() for arg in ("--label", "%s=%s" % item)] + in_stack(unique)
    outcome = {}
    for first in range(0, count, KILL_BATCH):
        batch = names[first : first + KILL_BATCH]
        for name in batch:
            docker("create", "--name", name, "-v", SOCKET, *label_args, CONTROLLER_IMAGE)
        threads = [
            threading.Thread(target=_killed_pod, args=(name, KILL_SPREAD * names.index(name) / (count - 1), outcome))
            for name in batch
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return outcome


def _left_after_kills(outcome, timeout=10):
    """{pod name: its containers still there}, once nothing is left or after timeout seconds."""
    left = {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = dict((name, pod_leftovers(name, controller_id)) for name, controller_id in outcome.items())
        left = dict((name, found) for name, found in left.items() if found)
        if not left:
            break
        time.sleep(0.5)
    return left


def _swept(sweeper):
    return [line for line in pod_logs(sweeper).splitlines() if line.startswith("podlike guard: removed ")]


def test_sigkill_at_any_moment_of_the_start_leaves_nothing(unique, cleanup, sweeper):
    outcome = _kill_pods_during_start(unique, cleanup, KILL_PODS, "k")
    # The guards finish within their 2 s of quiet; a guard and an infra created for a controller killed during
    # those very creates are never started, and the node's sweeper removes them (docs/security.md).
    left = _left_after_kills(outcome)
    swept = _swept(sweeper)
    print(
        "SIGKILL during start-up: %d pods, containers the sweeper removed: %d (never started: %d)"
        % (len(outcome), len(swept), len([line for line in swept if " (created): " in line]))
    )
    assert left == {}
    assert "Traceback" not in pod_logs(sweeper)


@pytest.fixture
def covering_sweeper(unique, cleanup):
    """A node sweeper that covers every pod of the engine, labelled so that controllers find it; healthy."""
    name = unique + "-node-sweeper"
    cleanup["containers"].append(name)
    hardening = ["--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "--memory", "64m"]
    docker(
        "run", "-d", "--name", name, "--label", "podlike.role=sweeper", "-v", SOCKET, *hardening,
        CONTROLLER_IMAGE, "guard", "--node",
    )  # fmt: skip
    wait_until(
        lambda: inspect(name)["State"].get("Health", {}).get("Status") == "healthy", 30, message="a healthy sweeper"
    )
    return name


def _killed_after_creates(name, creates, outcome):
    """Start a created controller and SIGKILL it once it has created `creates` containers; record its ID."""
    client = DockerClient()
    controller_id = inspect(name)["Id"]
    outcome[name] = controller_id
    started = threading.Thread(target=client.clone().start_container, args=(controller_id,))
    started.start()
    deadline = time.time() + 30
    while len(client.containers(labels=["podlike.controller.id=" + controller_id])) < creates:
        assert time.time() < deadline, "%s made fewer than %d containers in 30 s" % (name, creates)
        time.sleep(0.002)
    client.kill_container(controller_id)
    started.join()


@pytest.mark.compat
def test_sigkill_without_a_guard_the_node_sweeper_leaves_nothing(unique, cleanup, covering_sweeper):
    """With a covering sweeper a pod has no guard; killed after each of its creates, it leaves nothing."""
    since = docker("system", "info", "--format", "{{.SystemTime}}")
    label_args = [arg for item in KILL_LABELS.items() for arg in ("--label", "%s=%s" % item)] + in_stack(unique)
    outcome = {}
    # infra, then the four components: killed after 1, 2, ... 5 of them exist, started or not
    for creates in range(1, len(KILL_LABELS) + 2):
        name = "%s-s%d" % (unique, creates)
        cleanup["containers"].append(name)
        docker("create", "--name", name, "-v", SOCKET, *label_args, CONTROLLER_IMAGE)
        _killed_after_creates(name, creates, outcome)
    left = _left_after_kills(outcome)
    guards = docker(
        "events", "--since", since, "--until", docker("system", "info", "--format", "{{.SystemTime}}"),
        "--filter", "event=create", "--filter", "label=podlike.role=guard",
        "--filter", "label=podlike.stack=" + unique, "--format", "{{.ID}}",
    )  # fmt: skip
    told = [name for name in outcome if "no guard: the node sweeper " + covering_sweeper in pod_logs(name)]
    swept = _swept(covering_sweeper)
    print(
        "SIGKILL after each create, no guards: %d pods, containers the sweeper removed: %d" % (len(outcome), len(swept))
    )
    assert guards == ""  # no pod made a guard: the sweeper alone removed what the kills left
    assert told, "no controller said it runs without a guard"
    assert swept, "the kills left nothing for the sweeper: the test did not exercise it"
    assert left == {}
    assert "Traceback" not in pod_logs(covering_sweeper)


def test_the_sweeper_leaves_live_pods_and_other_containers_alone(unique, cleanup, sweeper):
    live, killed = unique + "-live", unique + "-killed"
    cleanup["containers"].extend([live, killed])
    labels = {"pod.component.app": component("sleep 300"), "pod.component.web": component("sleep 300")}
    for name in (live, killed):
        assert run_pod(name, labels, extra=in_stack(unique)).returncode == 0
    for name in (live, killed):
        wait_pod_running(name)
    live_id = inspect(live)["Id"]
    ended = unique + "-ended"
    cleanup["containers"].append(ended)
    docker("run", "--name", ended, BUSYBOX, "true")
    ended_id = inspect(ended)["Id"]
    scope = {"podlike.stack": unique}
    pod_of_ended = dict(scope, **{"podlike.controller.id": ended_id, "podlike.pod": "gone", "podlike.role": "guard"})
    decoys = {
        "plain": scope,
        # Claims an ended owner, but lacks the pod and role labels every controller gives.
        "claims-only": dict(scope, **{"podlike.controller.id": ended_id}),
        # Claims the live pod: its controller runs.
        "forged": dict(scope, **{"podlike.controller.id": live_id, "podlike.pod": live, "podlike.role": "component"}),
    }
    for suffix, container_labels in sorted(decoys.items()):
        name = "%s-%s" % (unique, suffix)
        cleanup["containers"].append(name)
        args = [arg for item in container_labels.items() for arg in ("--label", "%s=%s" % item)]
        docker("run", "-d", "--name", name, *args, BUSYBOX, "sleep", "300")
    # A guard created for the ended controller and never started: the sweeper's to remove, at its create event.
    leftover = unique + "-leftover"
    cleanup["containers"].append(leftover)
    docker("create", "--name", leftover, *[a for i in pod_of_ended.items() for a in ("--label", "%s=%s" % i)], BUSYBOX)
    # A container made for an owner that still runs stays, until the owner ends: the sweeper acts on its die.
    owner, owned = unique + "-owner", unique + "-owned"
    cleanup["containers"].extend([owner, owned])
    docker("run", "-d", "--name", owner, BUSYBOX, "sleep", "300")
    owned_labels = dict(pod_of_ended, **{"podlike.controller.id": inspect(owner)["Id"]})
    docker("create", "--name", owned, *[a for i in owned_labels.items() for a in ("--label", "%s=%s" % i)], BUSYBOX)
    before = containers("label=podlike.controller.id=" + live_id, "name=^" + live + "[.]podlike[.]")
    docker("kill", killed)
    wait_until(lambda: not containers("label=podlike.pod=" + killed), timeout=15, message="the killed pod removed")
    wait_until(lambda: not containers("name=^" + leftover + "$"), timeout=10, message="the leftover removed")
    assert containers("name=^" + owned + "$") == [owned]
    docker("kill", owner)
    wait_until(lambda: not containers("name=^" + owned + "$"), timeout=10, message="the owned container removed")
    assert len(before) == 4  # app, web, infra, guard
    assert containers("label=podlike.controller.id=" + live_id, "name=^" + live + "[.]podlike[.]") == before
    assert [c for c in before if inspect(c)["State"]["Status"] != "running"] == []
    for suffix in decoys:
        assert inspect("%s-%s" % (unique, suffix))["State"]["Running"], suffix
    swept = [line for line in pod_logs(sweeper).splitlines() if line.startswith("podlike guard: removed ")]
    assert any(leftover in line for line in swept) and any(owned in line for line in swept), swept
    assert [
        line for line in swept if live in line or not ("-killed" in line or leftover in line or owned in line)
    ] == []


@pytest.mark.parametrize(
    "key, value, flags",
    [
        ("runtime", "no-such-runtime", ["-allow-privileged"]),
        ("mem_limit", "1k", []),
        ("cpuset", '"99"', []),
    ],
)
def test_an_engine_refusal_ends_the_pod_with_exit_code_3(unique, cleanup, key, value, flags):
    pod = unique + "-refused"
    cleanup["containers"].append(pod)
    labels = {"pod.component.ok": component("sleep 300"), "pod.component.bad": component("sleep 300", **{key: value})}
    assert run_pod(pod, labels, flags=flags).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=30, message="controller exit")
    assert inspect(pod)["State"]["ExitCode"] == 3
    logs = pod_logs(pod)
    errors = [line for line in logs.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith('podlike: error: component "bad": the engine refused'), logs
    assert "Traceback" not in logs
    wait_until(
        lambda: docker("ps", "-a", "-q", "--filter", "label=podlike.controller.id=" + inspect(pod)["Id"]) == "",
        timeout=10,
        message="nothing left",
    )
