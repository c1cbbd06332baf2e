"""Faults on the real engine, repeated: the pod leaves nothing behind and its policies hold.

The long runs (50 SIGKILLs, daemon restarts, a three-node Swarm) are in tests/soak (`make soak`).
"""

import re
import textwrap
import time

import pytest
from conftest import (
    BUSYBOX,
    CONTROLLER_IMAGE,
    component_names,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_until,
)

pytestmark = pytest.mark.engine

KILLS = 10
ROLLING_STACK = textwrap.dedent(
    """
    version: "3.8"
    services:
      pod:
        image: {controller}
        labels:
          pod.component.a: |
            image: {busybox}
            command: sleep 300
          pod.component.b: |
            image: {busybox}
            command: sleep 300
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
        stop_grace_period: 5s
        deploy:
          replicas: 3
          endpoint_mode: dnsrr
          update_config: {{parallelism: 1, delay: 1s, order: stop-first}}
    """
)


def test_repeated_sigkill_of_the_controller_leaves_no_orphan(unique, cleanup):
    """10 SIGKILLs of a running controller: zero orphans, each time within 10 s."""
    pod = unique + "-kill"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.a": "image: %s\ncommand: sleep 300" % BUSYBOX,
        "pod.component.b": "image: %s\ncommand: sleep 300" % BUSYBOX,
    }
    assert run_pod(pod, labels).returncode == 0
    cleanup_times = []
    for round_number in range(KILLS):
        wait_until(
            lambda: len(component_names(pod)) == 4 and "running" in _states(pod),
            timeout=60,
            message="pod running (round %d)" % round_number,
        )
        docker("kill", "-s", "KILL", pod)
        started = time.time()
        wait_until(lambda: component_names(pod) == [], timeout=10, message="no orphan (round %d)" % round_number)
        cleanup_times.append(time.time() - started)
        docker("start", pod)
    assert len(cleanup_times) == KILLS
    assert max(cleanup_times) < 10


def _states(pod):
    return docker("ps", "--filter", "label=podlike.pod=%s" % pod, "--format", "{{.State}}")


def test_a_component_crashing_in_a_loop_backs_off_and_the_pod_says_so(unique, cleanup):
    pod = unique + "-loop"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.keeper": "image: %s\ncommand: sleep 300" % BUSYBOX,
        "pod.component.crasher": "image: %s\ncommand: sh -c 'exit 9'\nrestart: always" % BUSYBOX,
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: "(restart 4)" in pod_logs(pod), timeout=40, message="four restarts")
    delays = [float(d) for d in re.findall(r"crasher exited with code 9; restarting in ([0-9.]+)s", pod_logs(pod))]
    assert delays[:4] == [0.0, 1.0, 2.0, 4.0]
    # While it waits for its next restart the pod is not healthy.
    wait_until(lambda: docker_result("exec", pod, "podlike", "health").returncode == 1, message="pod unhealthy")
    assert inspect(pod)["State"]["Running"]


def test_a_rolling_update_replaces_every_pod_without_half_started_ones(unique, cleanup, tmp_path):
    stack = unique + "u"
    cleanup["stacks"].append(stack)
    path = tmp_path / "stack.yml"
    path.write_text(ROLLING_STACK.format(controller=CONTROLLER_IMAGE, busybox=BUSYBOX))
    docker("stack", "deploy", "-c", str(path), stack)
    service = stack + "_pod"
    wait_until(lambda: _complete_pods(stack) == 3, timeout=90, message="3 complete pods")
    before = set(_controllers(stack))

    docker("service", "update", "--force", "--detach", service)
    samples = 0
    deadline = time.time() + 120
    while time.time() < deadline:
        samples += 1
        _assert_no_orphan(stack)
        controllers = set(_controllers(stack))
        if len(controllers) == 3 and not controllers & before and _complete_pods(stack) == 3:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the update did not replace every pod")
    assert samples > 1
    _assert_no_orphan(stack)


def _controllers(stack):
    out = docker("ps", "--filter", "label=com.docker.stack.namespace=%s" % stack, "--format", "{{.Names}}")
    return [name for name in out.splitlines() if name]


def _complete_pods(stack):
    return sum(1 for controller in _controllers(stack) if len(component_names(controller)) == 4)


def _assert_no_orphan(stack):
    """Every component belongs to a controller that exists."""
    out = docker(
        "ps",
        "-a",
        "--filter",
        "label=podlike.stack=%s" % stack,
        "--format",
        '{{.Names}} {{.Label "podlike.controller.id"}}',
    )
    for line in out.splitlines():
        name, controller_id = line.split()
        result = docker_result("inspect", "-f", "{{.State.Status}}", controller_id)
        if result.returncode != 0:
            # Its controller is gone: the component must be on its way out (auto-removal).
            wait_until(
                lambda name=name: docker_result("inspect", name).returncode != 0,
                timeout=10,
                message="orphan %s removed" % name,
            )
