"""Bad pod definitions: one clear error line naming the component and the key, no container left."""

import pytest
from conftest import (
    BUSYBOX,
    CONTROLLER_IMAGE,
    SOCKET,
    component_names,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_pod_running,
    wait_until,
)

pytestmark = pytest.mark.engine

GOOD = "image: %s\ncommand: sleep 300" % BUSYBOX

CASES = [
    pytest.param(
        {"pod.component.app": "image: [%s" % BUSYBOX, "pod.component.side": GOOD},
        'component "app": key "pod.component.app": not valid YAML',
        2,
        id="malformed-yaml",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nports: ['80:80']"},
        'component "app": key "ports": unsupported in a component',
        2,
        id="unsupported-key",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nrestart_polcy: always"},
        'component "app": key "restart_polcy": unknown Compose key',
        2,
        id="unknown-key",
    ),
    pytest.param(
        {"pod.component.app": GOOD, "pod.component.missing": "image: podlike/does-not-exist:1\ncommand: sleep 1"},
        'component "missing": key "image": image podlike/does-not-exist:1 is not on this node and could not be pulled',
        3,
        id="missing-image",
    ),
    pytest.param(
        {
            "pod.component.a": GOOD + "\ndepends_on: [b]",
            "pod.component.b": GOOD + "\ndepends_on: [a]",
        },
        'component "a": key "depends_on": dependency cycle: a -> b -> a',
        2,
        id="dependency-cycle",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nmem_limit: lots"},
        'component "app": key "mem_limit": \'lots\' is not a size',
        2,
        id="bad-value",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nvolumes: ['/var/run/docker.sock:/var/run/docker.sock']"},
        'component "app": key "volumes": the engine socket /var/run/docker.sock is reachable through host path',
        2,
        id="socket-without-leave",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nprivileged: true"},
        'component "app": key "privileged": privileged mode is not allowed',
        2,
        id="privileged-without-leave",
    ),
    pytest.param(
        {"pod.component.app": GOOD, "pod.controller.allow-privileged": "true"},
        'key "pod.controller.allow-privileged": can only be set as a flag',
        2,
        id="self-allowed-privileges",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nlabels: {com.docker.stack.namespace: prod}"},
        'component "app": key "labels": label com.docker.stack.namespace is reserved',
        2,
        id="another-stacks-label",
    ),
    pytest.param(
        {"pod.component.app": GOOD + "\nrestart: on-failure\nlabels: {exitCode: '0'}"},
        'component "app": key "labels": label exitCode is reserved: the engine reports its own exitCode',
        2,
        id="exit-code-label",
    ),
    pytest.param(
        {"pod.component.b.podlike._guard": GOOD},
        'component "b.podlike._guard": the name must start with a letter or digit',
        2,
        id="name-of-another-pods-guard",
    ),
    pytest.param(
        {"pod.component.app": GOOD, "pod.controller.volumes": "true"},
        'key "pod.controller.volumes": can only be set as a flag of the controller (-volumes)',
        2,
        id="self-shared-controller-mounts",
    ),
    pytest.param(
        {"pod.component.app": GOOD, "pod.copy.app": "/no/such/file:/tmp/x"},
        'component "app": key "pod.copy.app": /no/such/file is not in a volume, bind mount, config or secret mounted',
        2,
        id="copy-source-off-the-mounts",
    ),
    pytest.param(
        dict(("pod.component.c%d" % index, GOOD) for index in range(65)),
        "a pod has at most 64 components, init components included; this one has 65",
        2,
        id="too-many-components",
    ),
]


@pytest.mark.compat
@pytest.mark.parametrize("labels, message, exit_code", CASES)
def test_bad_input_gives_one_clear_line_and_leaves_nothing(unique, cleanup, labels, message, exit_code):
    pod = unique + "-bad"
    cleanup["containers"].append(pod)
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=60, message="controller exit")
    output = pod_logs(pod)
    errors = [line for line in output.splitlines() if line.startswith("podlike: error:")]
    assert len(errors) == 1, output
    assert message in errors[0], output
    assert "Traceback" not in output
    assert inspect(pod)["State"]["ExitCode"] == exit_code
    assert component_names(pod) == []


def test_unknown_flag_is_a_clear_error():
    result = docker_result("run", "--rm", "-v", SOCKET, CONTROLLER_IMAGE, "-nosuchflag", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("podlike: error: unknown flag '-nosuchflag'")
    assert "Traceback" not in result.stderr


def test_no_components_is_a_clear_error():
    result = docker_result("run", "--rm", "-v", SOCKET, CONTROLLER_IMAGE, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "podlike: error: no components found: add pod.component.<name> labels or pod.compose.file"
    )


def test_the_operator_can_allow_privileges(unique, cleanup):
    pod = unique + "-priv"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": GOOD + "\ncap_add: [NET_ADMIN]"}
    assert run_pod(pod, labels, flags=["-allow-privileged"]).returncode == 0
    wait_pod_running(pod)
    assert inspect(pod + ".podlike.app")["HostConfig"]["CapAdd"] == ["NET_ADMIN"]
