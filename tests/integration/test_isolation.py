"""What a component can reach of the controller, and what a killed controller leaves, on the real engine."""

import threading
import time

import pytest
import yaml
from conftest import (
    BASE,
    CONTROLLER_IMAGE,
    SOCKET,
    component,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
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
    execs = 0
    while time.time() < deadline:
        # A process of the engine's making in the controller, holding the socket's directory open.
        docker_result("exec", pod, "sh", "-c", "cd /var/run && sleep 1")
        execs += 1
    verdict = scan_result(pod)
    assert "NOTHING" in verdict, verdict
    assert execs >= 3
    health = inspect(pod)["State"]["Health"]["Log"]
    assert len(health) >= 3  # the HEALTHCHECK ran while the scanner looked


KILL_PODS = 20
KILL_SPREAD = 1.5
KILL_BATCH = 5


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


def test_sigkill_at_any_moment_of_the_start_leaves_nothing(unique, cleanup):
    sidecar = component("sleep 300", healthcheck="{test: [CMD, 'true'], interval: 1s}")
    labels = {
        "pod.component.side": sidecar + "\nx-podlike-sidecar: true",
        "pod.component.a": component("sleep 300"),
        "pod.component.b": component("sleep 300", depends_on="{side: {condition: service_healthy}}"),
        "pod.component.c": component("sleep 300"),
    }
    names = ["%s-k%02d" % (unique, index) for index in range(KILL_PODS)]
    cleanup["containers"].extend(names)
    label_args = [arg for item in labels.items() for arg in ("--label", "%s=%s" % item)]
    outcome = {}
    for first in range(0, KILL_PODS, KILL_BATCH):
        batch = names[first : first + KILL_BATCH]
        for name in batch:
            docker("create", "--name", name, "-v", SOCKET, *label_args, CONTROLLER_IMAGE)
        threads = [
            threading.Thread(
                target=_killed_pod, args=(name, KILL_SPREAD * names.index(name) / (KILL_PODS - 1), outcome)
            )
            for name in batch
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    time.sleep(5)
    # A kill during the guard's own create leaves that guard created, never started (docs/security.md):
    # the next controller on the node removes it. Nothing else of the pod may be left.
    never_started = set(docker("ps", "-a", "--format", "{{.Names}}", "--filter", "status=created").split())
    left, guards = {}, []
    for name in names:
        found = docker("ps", "-a", "--format", "{{.Names}}", "--filter", "label=podlike.pod=" + name).split()
        found += docker(
            "ps", "-a", "--format", "{{.Names}}", "--filter", "label=podlike.controller.id=" + outcome[name]
        ).split()
        for container in sorted(set(found)):
            if container == name + ".podlike._guard" and container in never_started:
                guards.append(container)
            else:
                left.setdefault(name, []).append(container)
    print("SIGKILL during start-up: %d pods, created guards left: %d" % (len(names), len(guards)))
    for guard in guards:
        docker("rm", "-f", guard, check=False)
    assert left == {}


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
