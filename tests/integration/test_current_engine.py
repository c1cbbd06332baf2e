"""What only a current engine shows: API negotiation, Docker 29's minimum API, cgroup v2 (run by make compat)."""

import os

import pytest
from conftest import (
    BUSYBOX,
    component,
    component_names,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_pod_running,
    wait_until,
)
from helpers_ansible import run_task

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    MAX_API_VERSION,
    DockerClient,
    version_tuple,
)

EXPECTED_CGROUP = os.environ.get("PODLIKE_COMPAT_CGROUP")  # v1 or v2: the mode scripts/current-engine.sh started
MIB = 1024**2

pytestmark = [
    pytest.mark.compat,
    pytest.mark.engine,
    pytest.mark.skipif(not EXPECTED_CGROUP, reason="needs the current engine of make compat (scripts/compat.sh)"),
]


@pytest.fixture(scope="module")
def engine():
    client = DockerClient()
    version = client.version()
    info = client.info()
    client.close()
    return {"version": version, "info": info, "api_version": client.api_version}


def test_the_api_version_is_negotiated_with_the_engine(engine):
    engine_api = engine["version"]["ApiVersion"]
    assert engine["api_version"] == min(engine_api, MAX_API_VERSION, key=version_tuple)
    assert version_tuple(engine["api_version"]) >= (1, 44)
    assert engine["version"]["MinAPIVersion"] == "1.44", "the engine should refuse clients older than Docker 29 does"
    assert "v%s" % engine["info"]["CgroupVersion"] == EXPECTED_CGROUP


def test_an_api_version_below_the_engine_minimum_fails_in_one_line_and_leaves_nothing(unique, cleanup, tmp_path):
    pod = unique + "-old"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": component("sleep 300")}
    assert run_pod(pod, labels, extra=["-e", "DOCKER_API_VERSION=1.41"]).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=30, message="controller exit")
    lines = pod_logs(pod).splitlines()
    assert lines == [
        "podlike: error: client version 1.41 is too old. Minimum supported API version is 1.44, "
        "please upgrade your client to a newer version"
    ]
    assert inspect(pod)["State"]["ExitCode"] == 3
    assert component_names(pod) == []

    module_pod = unique + "-oldm"
    cleanup["containers"].append(module_pod)
    result = run_task(
        tmp_path, "podlike_pod", {"name": module_pod, "components": {"app": {"image": BUSYBOX}}, "api_version": "1.41"}
    )
    assert result["failed"] and "client version 1.41 is too old" in result["msg"] and "\n" not in result["msg"]
    assert docker_result("inspect", module_pod).returncode != 0


def test_modules_return_the_negotiated_api_version(engine, tmp_path):
    info = run_task(tmp_path, "podlike_info", {})
    assert not info.get("failed"), info.get("msg")
    assert info["api_version"] == engine["api_version"]


def test_pod_cgroups_and_limits(engine, unique, cleanup):
    """v1 + cgroupfs: components under the controller's cgroup; otherwise cgroups of their own, limits split."""
    pod = unique + "-cg"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.app": component("sleep 300"),
        "pod.component.small": component("sleep 300", mem_limit="16m"),
    }
    assert run_pod(pod, labels, extra=["--memory", "64m"]).returncode == 0
    wait_pod_running(pod)
    controller = inspect(pod)
    app, small = inspect(pod + ".podlike.app"), inspect(pod + ".podlike.small")
    logs = pod_logs(pod)
    info = engine["info"]
    assert "cgroup v%s (%s driver)" % (info["CgroupVersion"], info["CgroupDriver"]) in logs.splitlines()[0]
    if info["CgroupVersion"] == "1" and info["CgroupDriver"] == "cgroupfs":
        assert app["HostConfig"]["CgroupParent"].endswith("/" + controller["Id"])
        assert controller["Id"] in docker("exec", pod + ".podlike.app", "cat", "/proc/self/cgroup")
        assert app["HostConfig"]["Memory"] == 64 * MIB and small["HostConfig"]["Memory"] == 16 * MIB
        assert "cgroup sharing is not available" not in logs
    else:
        assert app["HostConfig"]["CgroupParent"] == "" and small["HostConfig"]["CgroupParent"] == ""
        notes = [line for line in logs.splitlines() if "cgroup sharing is not available" in line]
        assert len(notes) == 1, logs
        if info["MemoryLimit"]:
            assert "memory limit is split among the components" in notes[0]
            assert small["HostConfig"]["Memory"] == 16 * MIB and app["HostConfig"]["Memory"] == 48 * MIB
        else:
            assert "the engine sets no memory limits" in notes[0]
        if not info["CpuCfsQuota"]:
            assert "the engine sets no CPU limits" in notes[0]
            assert not app["HostConfig"].get("NanoCpus")


def test_a_limit_the_engine_cannot_set_ends_the_pod_in_one_line(engine, unique, cleanup):
    """A component's own cpus on an engine without the cpu controller: refused at create, exit code 3, nothing left."""
    if engine["info"]["CpuCfsQuota"]:
        pytest.skip("this engine sets CPU limits")
    pod = unique + "-cpu"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": component("sleep 300"), "pod.component.capped": component("sleep 300", cpus="0.5")}
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=60, message="controller exit")
    output = pod_logs(pod)
    errors = [line for line in output.splitlines() if line.startswith("podlike: error:")]
    assert len(errors) == 1 and "NanoCPUs can not be set" in errors[0], output
    assert "Traceback" not in output
    assert inspect(pod)["State"]["ExitCode"] == 3
    assert component_names(pod) == []
