"""The create body of a component: pod namespaces, labels, environment, limits."""

import pytest
import io
import os
import tarfile

from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import (
    PodContext,
    create_body,
    expand_pod_variables,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.copy import archive as copy_archive
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_component

CONTROLLER = {
    "Id": "c" * 64,
    "Name": "/shop_web.1.abc",
    "Config": {"Labels": {"com.docker.stack.namespace": "shop", "com.docker.swarm.task.id": "abc"}},
    "HostConfig": {"Memory": 128 * 1024**2, "OomScoreAdj": 0},
}


def context(**labels):
    return PodContext(
        CONTROLLER,
        resolve({}, labels),
        cgroup_parent="/docker/" + "c" * 64,
        infra_id="d" * 64,
        volume_names={"data": "shop_data"},
    )


def test_component_joins_the_pod():
    component = parse_component("app", {"image": "app:1", "volumes": ["data:/data"], "environment": {"A": 1}})
    body = create_body(component, context())
    host = body["HostConfig"]
    assert host["NetworkMode"] == "container:" + "c" * 64
    assert host["PidMode"] == "container:" + "d" * 64
    assert host["IpcMode"] == "container:" + "d" * 64
    assert host["CgroupParent"] == "/docker/" + "c" * 64
    assert host["AutoRemove"] is True
    assert host["Mounts"][0]["Source"] == "shop_data"
    assert host["Memory"] == 128 * 1024**2
    assert host["OomScoreAdj"] == 1
    assert body["Labels"] == {
        "podlike.pod": "shop_web.1.abc",
        "podlike.controller.id": "c" * 64,
        "podlike.component": "app",
        "podlike.role": "component",
        "podlike.stack": "shop",
    }
    assert "A=1" in body["Env"] and "PODLIKE_TASK_ID=abc" in body["Env"] and "PODLIKE_STACK=shop" in body["Env"]


@pytest.mark.parametrize(
    "capabilities, cap_drop",
    [
        ({}, ["NET_RAW"]),
        ({"cap_drop": ["MKNOD"]}, ["MKNOD", "NET_RAW"]),
        ({"cap_drop": ["ALL"]}, ["ALL"]),
        ({"cap_drop": ["cap_net_raw"]}, ["cap_net_raw"]),
        ({"cap_add": ["net_raw"]}, None),
        ({"cap_add": [" CAP_NET_RAW"]}, None),
        ({"cap_add": ["ALL"]}, None),
    ],
    ids=["default", "other-drop", "drop-all", "drop-spelled", "asked", "asked-spelled", "all"],
)
def test_net_raw_is_dropped_unless_the_component_asks_for_it(capabilities, cap_drop):
    component = parse_component("app", dict({"image": "app:1"}, **capabilities))
    assert create_body(component, context())["HostConfig"].get("CapDrop") == cap_drop


def test_component_memory_is_capped_by_the_pod():
    warnings = []
    component = parse_component("app", {"image": "app:1", "mem_limit": "1g"})
    body = create_body(component, context(), warn=warnings.append)
    assert body["HostConfig"]["Memory"] == 128 * 1024**2
    assert "above the pod's" in warnings[0]


def test_component_asking_for_more_cpu_than_the_pod_is_warned():
    warnings = []
    controller = dict(CONTROLLER, HostConfig=dict(CONTROLLER["HostConfig"], NanoCpus=500000000))
    pod = PodContext(controller, resolve({}, {}))
    create_body(parse_component("app", {"image": "x", "cpus": 2}), pod, warn=warnings.append)
    assert warnings == ["component \"app\": cpus 2.00 is above the pod's 0.50; the pod's cgroup caps it"]


def test_switches_off():
    component = parse_component("app", {"image": "app:1"})
    body = create_body(component, context(pids="false", ipc="false"))
    assert "PidMode" not in body["HostConfig"] and "IpcMode" not in body["HostConfig"]


def test_env_file_then_environment(tmp_path):
    env_file = tmp_path / "app.env"
    env_file.write_text("# comment\nA=from-file\nB='quoted'\n\nnot-a-pair\n")
    component = parse_component("app", {"image": "x", "env_file": str(env_file), "environment": ["A=override"]})
    env = create_body(component, context())["Env"]
    assert "A=override" in env and "B='quoted'" in env


def test_copy_archive_keeps_mode_and_owner(tmp_path):
    source = tmp_path / "secret"
    source.write_text("s3cret")
    os.chmod(str(source), 0o600)
    archive = tarfile.open(fileobj=io.BytesIO(copy_archive(str(source), "/etc/app/secret.conf", "app")))
    member = archive.getmembers()[0]
    assert member.name == "secret.conf"
    assert member.mode == 0o600
    assert member.uid == os.stat(str(source)).st_uid
    assert archive.extractfile(member).read() == b"s3cret"


def test_environment_may_name_the_pods_own_values():
    controller = dict(
        CONTROLLER,
        Config=dict(CONTROLLER["Config"], Env=["PODLIKE_NODE_NAME=node-1", "PATH=/bin"]),
        NetworkSettings={"Networks": {"ingress": {"IPAddress": "10.0.0.9"}, "shop_default": {"IPAddress": "10.0.1.5"}}},
    )
    pod = PodContext(controller, resolve({}, {}))
    environment = {
        "POD": "$(PODLIKE_POD_NAME)",
        "WHERE": "$(PODLIKE_POD_IP) on $(PODLIKE_NODE_NAME) in $(PODLIKE_STACK)",
        "KEPT": "$(PODLIKE_UNKNOWN) $(HOME)",
    }
    component = parse_component("app", {"image": "app:1", "environment": environment})
    env = dict(item.split("=", 1) for item in create_body(component, pod)["Env"])
    assert env["POD"] == "shop_web.1.abc"
    assert env["WHERE"] == "10.0.1.5 on node-1 in shop"
    assert env["KEPT"] == "$(PODLIKE_UNKNOWN) $(HOME)"
    assert env["PODLIKE_POD_IP"] == "10.0.1.5" and env["PODLIKE_NODE_NAME"] == "node-1"


@pytest.mark.parametrize(
    "value, expanded",
    [
        ("$(PODLIKE_POD_NAME)", "web"),
        ("a$(PODLIKE_POD_NAME)b$(PODLIKE_POD_NAME)", "awebbweb"),
        ("$($(PODLIKE_POD_NAME))", "$(web)"),
        ("$(PODLIKE_)", "$(PODLIKE_)"),
        (
            "$(PODLIKE_pod_name) $(PODLIKE_POD-NAME) $(PODLIKE_UNKNOWN)",
            "$(PODLIKE_pod_name) $(PODLIKE_POD-NAME) $(PODLIKE_UNKNOWN)",
        ),
        ("$(PODLIKE_POD_NAME", "$(PODLIKE_POD_NAME"),
        ("$$(PODLIKE_POD_NAME)) (", "$web) ("),
        ("", ""),
    ],
)
def test_pod_variables_are_expanded_by_name_only(value, expanded):
    assert expand_pod_variables(value, {"PODLIKE_POD_NAME": "web"}) == expanded


def test_copy_into_a_directory_the_image_lacks():
    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import NotFound
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.copy import copy_into

    calls = []

    class Client:
        def put_archive(self, container_id, path, data):
            calls.append((path, tarfile.open(fileobj=io.BytesIO(data)).getnames()))
            if path != "/":
                raise NotFound("no such directory", 404)

    copy_into(Client(), "c1", "app", [(__file__, "/etc/app/conf.d/app.conf")])
    assert calls == [("/etc/app/conf.d", ["app.conf"]), ("/", ["etc/app/conf.d/app.conf"])]


@pytest.mark.parametrize(
    "labels, lone, needed",
    [
        ({}, False, True),
        ({"pids": "false"}, False, True),  # IPC still shared
        ({"pids": "false", "ipc": "false"}, False, False),
        ({}, True, False),  # one component shares its namespaces with nobody
    ],
)
def test_an_infra_holds_namespaces_only_two_components_share(labels, lone, needed):
    assert PodContext(CONTROLLER, resolve({}, labels), lone_component=lone).needs_infra is needed


@pytest.mark.parametrize(
    "spec, labels, init",
    [
        ({"image": "a"}, {}, True),  # under the engine's init, as in an infra's PID namespace
        ({"image": "a", "init": False}, {}, False),  # what the component asks for
        ({"image": "a"}, {"pids": "false"}, None),  # no PID sharing asked: as under docker run
    ],
)
def test_a_lone_component_runs_under_the_engines_init(spec, labels, init):
    pod = PodContext(CONTROLLER, resolve({}, labels), lone_component=True)
    host = create_body(parse_component("app", spec), pod)["HostConfig"]
    assert host.get("Init") is init and "PidMode" not in host
