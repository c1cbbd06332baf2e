"""Fixtures for tests on the real engine: the docker CLI, waiting, and clean-up of what a test made."""

import json
import os
import subprocess
import uuid

import pytest
from waiting import wait_until  # noqa: F401 - also used by the tests importing it from here

CONTROLLER_IMAGE = os.environ.get("PODLIKE_CONTROLLER_IMAGE", "podlike/controller:latest")
BUSYBOX = os.environ.get("PODLIKE_TEST_BUSYBOX", "podlike/busybox:latest")
BASE = os.environ.get("PODLIKE_TEST_BASE", "podlike/base:bookworm")
SOCKET = "/var/run/docker.sock:/var/run/docker.sock:ro"


def docker(*args, check=True, timeout=120, input=None):
    """Run the docker CLI; return stdout (stripped)."""
    result = subprocess.run(
        ["docker"] + list(args), capture_output=True, text=True, timeout=timeout, input=input, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError("docker %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr.strip()))
    return result.stdout.strip()


def docker_result(*args, timeout=120):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, timeout=timeout, check=False)


def containers(*filters):
    """Names of containers (all states) matching docker ps filters like 'label=podlike.pod=x'."""
    args = ["ps", "-a", "--format", "{{.Names}}"]
    for item in filters:
        args += ["--filter", item]
    out = docker(*args)
    return sorted(line for line in out.splitlines() if line)


def inspect(name):
    return json.loads(docker("inspect", name))[0]


def component(command, image=BUSYBOX, **extra):
    """A pod.component.* label value: image, command and any other Compose keys (values in YAML)."""
    lines = ["image: %s" % image, "command: %s" % command]
    lines += ["%s: %s" % item for item in extra.items()]
    return "\n".join(lines)


def component_names(pod):
    return containers("label=podlike.pod=%s" % pod)


@pytest.fixture
def unique():
    """A short unique name prefix for the resources of one test."""
    return "it" + uuid.uuid4().hex[:8]


@pytest.fixture
def cleanup():
    """Register containers/stacks to remove after the test, whatever its outcome."""
    registered = {"containers": [], "stacks": [], "volumes": []}
    yield registered
    for stack in registered["stacks"]:
        docker("stack", "rm", stack, check=False)
    for name in registered["containers"]:
        docker("rm", "-f", name, check=False)
        for component in containers("label=podlike.pod=%s" % name):
            docker("rm", "-f", component, check=False)
    for stack in registered["stacks"]:
        wait_until(lambda stack=stack: stack_gone(stack), timeout=60, message="stack removal")
    for volume in registered["volumes"]:
        docker("volume", "rm", "-f", volume, check=False)


def stack_gone(stack):
    return not containers("label=com.docker.stack.namespace=%s" % stack) and not containers(
        "label=podlike.stack=%s" % stack
    )


def run_pod(name, labels, flags=(), extra=(), detach=True):
    """docker run a controller with rycus86/podlike-style labels; return the docker run result."""
    args = ["run"] + (["-d"] if detach else []) + ["--name", name, "-v", SOCKET]
    for key, value in labels.items():
        args += ["--label", "%s=%s" % (key, value)]
    args += list(extra) + [CONTROLLER_IMAGE] + list(flags)
    return docker_result(*args, timeout=180)


def pod_logs(name):
    result = docker_result("logs", name)
    return result.stdout + result.stderr


def wait_pod_running(name, timeout=60):
    """Wait for the controller to report every component started."""
    wait_until(lambda: "pod %s is running" % name in pod_logs(name), timeout=timeout, message="pod %s running" % name)
