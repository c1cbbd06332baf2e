# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Rendering, validation and the pure helpers of the stack deploy, without an engine."""

import os
import subprocess
import sys

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_STACK_NAMESPACE
from ansible_collections.podlike.swarm.plugins.module_utils.stack import deploy as stack_deploy
from ansible_collections.podlike.swarm.plugins.module_utils.stack.compare import DIGEST_LABEL
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import (
    DockerCli,
    StackError,
    deploy_args,
    ensure_present,
    record_name,
    render,
    restore_images,
    service_pending,
    stack_workdir,
    validate,
)

PLAIN_POD = {
    "version": "3.7",
    "services": {
        "web": {
            "image": "podlike/controller:latest",
            "labels": {"pod.component.app": "image: podlike/busybox:latest\n"},
        }
    },
}

TEMPLATED = {
    "version": "3.7",
    "services": {
        "web": {
            "image": "podlike/busybox:latest",
            "x-podlike": {
                "templates": [{"inline": {"probe": {"image": "podlike/busybox:{{ .Args.Tag }}"}}}],
                "args": {"Tag": "latest"},
            },
        }
    },
}


def test_render_plain_pod_labels_pass_through_with_a_digest():
    stack, _workdir = render([PLAIN_POD])
    service = stack["services"]["web"]
    assert service["labels"] == PLAIN_POD["services"]["web"]["labels"]
    assert len(service["deploy"]["labels"][DIGEST_LABEL]) == 64
    validate(stack)


def test_render_templated_service_becomes_a_controller():
    stack, _workdir = render([TEMPLATED], endpoint_mode="dnsrr")
    service = stack["services"]["web"]
    assert service["image"] == "podlike/controller:latest"
    assert "image: podlike/busybox:latest" in service["labels"]["pod.component.probe"]
    assert service["deploy"]["endpoint_mode"] == "dnsrr"
    validate(stack)


def test_args_change_the_digest():
    first, _workdir = render([TEMPLATED])
    second, _workdir = render([TEMPLATED], args={"Other": "1"})
    assert first == second
    changed = {"version": "3.7", "services": {"web": dict(TEMPLATED["services"]["web"])}}
    changed["services"]["web"]["x-podlike"] = dict(TEMPLATED["services"]["web"]["x-podlike"], args={})
    third, _workdir = render([changed], args={"Tag": "1.36"})
    assert (
        third["services"]["web"]["deploy"]["labels"][DIGEST_LABEL]
        != (first["services"]["web"]["deploy"]["labels"][DIGEST_LABEL])
    )


def test_template_errors_name_the_service_template_and_key():
    broken = {
        "version": "3.7",
        "services": {"web": {"image": "x", "x-podlike": {"templates": [{"inline": "probe: {{ .Args.Tag "}]}}},
    }
    with pytest.raises(StackError) as error:
        render([broken])
    assert 'service "web"' in str(error.value)
    assert 'template "inline"' in str(error.value)
    assert 'key "templates"' in str(error.value)


@pytest.mark.parametrize(
    "services, message",
    [
        ({}, "no services"),
        ({"web": {"command": "x"}}, 'service "web": key "image"'),
        ({"web": {"image": "c", "labels": {"pod.component.app": "image: [x"}}}, 'service "web": component "app"'),
        ({"web": {"image": "c", "labels": {"pod.component.app": "image: x\nports: [80]\n"}}}, 'service "web"'),
        ({"web": {"image": "c", "labels": ["pod.component.app=image: x", "pod.copy.nope=/a:/b"]}}, "pod.copy"),
    ],
    ids=["empty", "no image", "bad yaml", "unknown key", "copy to no component"],
)
def test_validate_rejects(services, message):
    with pytest.raises(StackError) as error:
        validate({"services": services})
    assert message in str(error.value)


def test_validate_accepts_plain_services():
    validate({"services": {"db": {"image": "postgres", "labels": {"team": "data"}}}})


def test_workdir_is_the_first_file_directory(tmp_path):
    assert stack_workdir([{"services": {}}, str(tmp_path / "a.yml")]) == str(tmp_path)
    assert stack_workdir([{"services": {}}]) is not None


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, ["stack", "deploy", "--compose-file", "-", "s"]),
        (
            {"prune": True, "with_registry_auth": True, "resolve_image": "never"},
            [
                "stack",
                "deploy",
                "--compose-file",
                "-",
                "--prune",
                "--with-registry-auth",
                "--resolve-image",
                "never",
                "s",
            ],
        ),
    ],
    ids=["defaults", "all flags"],
)
def test_deploy_args(options, expected):
    assert deploy_args("s", options) == expected


def test_record_name_follows_the_rendered_text():
    assert record_name("shop", "a").startswith("shop_podlike-rendered-")
    assert record_name("shop", "a") != record_name("shop", "b")
    assert len(record_name("s" * 100, "a")) <= 64


class FakeClient:
    """Answers /tasks with fixed tasks and container inspection with fixed health states."""

    def __init__(self, tasks, health=None):
        self.tasks = tasks
        self.health = health or {}

    def get(self, path, params=None):
        assert path == "/tasks"
        wanted = (params or {}).get("filters", {}).get("desired-state")
        return [task for task in self.tasks if not wanted or task.get("DesiredState") in wanted]

    def inspect_container(self, container_id):
        from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import NotFound

        if container_id not in self.health:
            raise NotFound("no such container")
        health = self.health[container_id]
        return {"State": {"Health": {"Status": health}} if health else {}}


CONTAINER_SPEC = {"Image": "podlike/controller:latest", "Labels": {"pod.component.app": "image: x\n"}}


def _service(replicas=1, digest_value="d", update_state=None):
    service = {
        "ID": "svc",
        "Spec": {
            "Name": "shop_web",
            "Labels": {DIGEST_LABEL: digest_value},
            "Mode": {"Replicated": {"Replicas": replicas}},
            "TaskTemplate": {"ContainerSpec": CONTAINER_SPEC},
        },
    }
    if update_state:
        service["UpdateStatus"] = {"State": update_state, "Message": "update " + update_state}
    return service


def _task(task_id, state="running", container_spec=None, err=None):
    container_spec = CONTAINER_SPEC if container_spec is None else container_spec
    task = {
        "ID": task_id,
        "DesiredState": "running",
        "Spec": {"ContainerSpec": container_spec},
        "Status": {"State": state, "ContainerStatus": {"ContainerID": "c-" + task_id}, "Timestamp": task_id},
    }
    if err:
        task["Status"]["Err"] = err
    return task


@pytest.mark.parametrize(
    "service, tasks, health, expected",
    [
        (None, [], {}, "not created yet"),
        (_service(digest_value="old"), [], {}, "spec not updated yet"),
        (_service(update_state="updating"), [_task("t1")], {}, "update updating"),
        (_service(replicas=2), [_task("t1")], {}, "1/2 tasks running"),
        (_service(), [_task("t1", state="starting", err="no such image")], {}, "last task error: no such image"),
        (_service(), [_task("t1", container_spec={"Image": "old"})], {}, "0/1 tasks running"),
        (_service(), [_task("t1")], {"c-t1": "starting"}, "is starting"),
        (_service(), [_task("t1")], {"c-t1": "healthy"}, None),
        (_service(), [_task("t1")], {"c-t1": None}, None),
        (_service(), [_task("t1")], {}, None),
    ],
    ids=[
        "missing",
        "old spec",
        "updating",
        "too few",
        "failing task",
        "old task",
        "unhealthy yet",
        "healthy",
        "no healthcheck",
        "on another node",
    ],
)
def test_service_pending(service, tasks, health, expected):
    reason = service_pending(FakeClient(tasks, health), "web", service, "d")
    if expected is None:
        assert reason is None
    else:
        assert expected in reason


def test_a_rolled_back_update_fails_at_once():
    with pytest.raises(StackError) as error:
        service_pending(FakeClient([]), "web", _service(digest_value="old", update_state="rollback_completed"), "d")
    assert 'service "web": update rollback_completed' in str(error.value)


def test_the_cli_sees_only_the_connection_of_the_options(monkeypatch):
    """The module's own DOCKER_* variables do not reach the CLI; the options' connection does."""
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CONTEXT", "elsewhere")
    monkeypatch.setenv("DOCKER_HOST", "tcp://elsewhere:2376")
    cli = DockerCli("/usr/bin/env", {"DOCKER_HOST": "unix:///run/engine.sock"})
    code, stdout, _stderr = cli.run([])
    variables = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    assert code == 0 and variables["DOCKER_HOST"] == "unix:///run/engine.sock"
    assert "DOCKER_TLS_VERIFY" not in variables and "DOCKER_CONTEXT" not in variables
    assert "PATH" in variables


# A pod the policy refuses: a host path the controller is not started to allow.
HOST_PATH_POD = {
    "version": "3.7",
    "services": {
        "web": {
            "image": "podlike/controller:latest",
            "labels": {"pod.component.app": "image: podlike/busybox:latest\nvolumes: [/etc:/host-etc]\n"},
        }
    },
}


class DeployedStack:
    """The engine's answers for a stack ``shop`` whose services carry the given digests, and no record."""

    def __init__(self, digests):
        self.services = [
            {
                "ID": name,
                "Spec": {"Name": "shop_" + name, "Labels": {LABEL_STACK_NAMESPACE: "shop", DIGEST_LABEL: value}},
            }
            for name, value in digests.items()
        ]

    def get(self, path, params=None):
        return {"/services": self.services, "/configs": []}[path]


class NoCli:
    def run(self, args, data=None, cwd=None):
        raise AssertionError(f"the docker CLI was run: {args}")


def _digests(compose):
    stack, _workdir = render(compose)
    return {name: service["deploy"]["labels"][DIGEST_LABEL] for name, service in stack["services"].items()}


def test_an_unchanged_stack_is_neither_checked_again_nor_deployed():
    engine = DeployedStack(_digests([HOST_PATH_POD]))
    result = ensure_present(engine, NoCli(), "shop", [HOST_PATH_POD], {})
    assert result["changed"] is False and result["plan"]["unchanged"] == ["web"]


@pytest.mark.parametrize("digests", [{}, {"web": "deployed-before"}], ids=["create", "update"])
def test_a_pod_to_create_or_update_is_checked_by_the_policy(digests):
    with pytest.raises(StackError, match='service "web": component "app": key "volumes": host path /etc'):
        ensure_present(DeployedStack(digests), NoCli(), "shop", [HOST_PATH_POD], {}, check_mode=True)


def test_the_module_loads_neither_the_manifest_translator_nor_the_pod_parser_up_front():
    """What every podlike_stack run compiles from its payload: kube/, the policy and urllib only when used."""
    prefix = "ansible_collections.podlike.swarm.plugins."
    code = f"import sys\nimport {prefix}modules.podlike_stack\nprint(' '.join(sorted(sys.modules)))\n"
    root = stack_deploy.__file__.split(os.sep + "ansible_collections" + os.sep, maxsplit=1)[0]
    environment = dict(os.environ, PYTHONPATH=root)
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment)
    modules = set(loaded.stdout.split())
    assert f"{prefix}module_utils.template.render" in modules
    for lazy in ("kube.stack", "kube.pods", "pod.policy", "pod.definition"):
        assert f"{prefix}module_utils.{lazy}" not in modules
    assert "urllib.request" not in modules and "ssl" not in modules


class RecordingCli:
    def __init__(self):
        self.calls = []

    def run(self, args, data=None, cwd=None):
        self.calls.append(args)
        return 0, "", ""


def _spec(image, env=()):
    return {"TaskTemplate": {"ContainerSpec": {"Image": image, "Env": list(env)}}}


def test_an_image_changed_outside_is_set_back_to_the_deployed_one():
    """docker stack deploy keeps the running image: the services changed outside get the recorded one back."""
    cli = RecordingCli()
    live = {"web": _spec("busybox"), "db": _spec("db@sha256:1"), "env": _spec("app", ["X=1"])}
    recorded = {"web": _spec("app@sha256:2"), "db": _spec("db@sha256:1"), "env": _spec("app")}
    restore_images(cli, "shop", live, recorded, ["web", "db", "env"], {"with_registry_auth": True})
    assert cli.calls == [
        [
            "service",
            "update",
            "--detach",
            "--no-resolve-image",
            "--image",
            "app@sha256:2",
            "--with-registry-auth",
            "shop_web",
        ]
    ]
