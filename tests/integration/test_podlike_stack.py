# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""podlike_stack on a one-node Swarm: deploy a templated pod stack, change it, check it, remove it."""

import json
import uuid

import pytest
import yaml
from conftest import BUSYBOX, containers, docker, docker_result, wait_until
from helpers_stack import run_stack_ok, run_stack_task, write_stack

pytestmark = pytest.mark.swarm

# The app serves a page that names the template arg; the sidecar reaches it over the pod's loopback.
APP_COMMAND = (
    "mkdir -p /www && echo 'hello {{ .Args.Greeting }}' > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"
)
APP_TEMPLATE = yaml.safe_dump({"app": {"image": BUSYBOX, "command": ["sh", "-c", APP_COMMAND]}}, width=1000)
SIDECAR_TEMPLATE = (
    "probe:\n"
    "  image: " + BUSYBOX + "\n"
    "  command: [sh, -c, 'while true; do wget -qO- http://127.0.0.1:8080/; sleep 1; done']\n"
    "  depends_on: [app]\n"
)


def templated_stack(templates=None):
    return {
        "version": "3.7",
        "services": {
            "web": {
                "image": BUSYBOX,
                "x-podlike": {
                    "transformer": [{"inline": APP_TEMPLATE}],
                    "templates": templates or [{"inline": SIDECAR_TEMPLATE}],
                },
            }
        },
    }


@pytest.fixture
def stack_name(cleanup):
    name = "itstack" + uuid.uuid4().hex[:8]
    cleanup["stacks"].append(name)
    return name


def options(name, stack_file, **extra):
    base = {
        "name": name,
        "compose": [stack_file],
        "resolve_image": "never",
        "endpoint_mode": "dnsrr",
        "wait": True,
        "wait_timeout": 120,
    }
    base.update(extra)
    return base


def service_version(name):
    return json.loads(docker("service", "inspect", name + "_web"))[0]["Version"]["Index"]


def probe_output(name):
    """What the sidecar of the running pod reads from the app over 127.0.0.1."""
    running = containers(f"label=podlike.stack={name}", "label=podlike.component=probe", "status=running")
    if not running:
        return ""
    result = docker_result("exec", running[-1], "wget", "-qO-", "http://127.0.0.1:8080/")
    return result.stdout.strip()


def service_logs(service):
    logs = docker_result("service", "logs", service)
    return logs.stdout + logs.stderr


def stack_services(name):
    return docker("service", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={name}").split()


def test_templated_stack_lifecycle(tmp_path, stack_name):
    stack_file = write_stack(tmp_path / "stack.yml", templated_stack())

    # Deploy: the templated service becomes a controller whose two components share the loopback.
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, args={"Greeting": "world"}))
    assert result["changed"] is True
    assert result["services"] == ["web"]
    assert result["plan"]["create"] == ["web"]
    web = result["stack"]["services"]["web"]
    assert web["image"] == "podlike/controller:latest"
    assert {"pod.component.app", "pod.component.probe"} <= set(web["labels"])
    assert "podlike.stack.digest" in web["deploy"]["labels"]
    assert "hello world" in result["rendered"]
    wait_until(lambda: probe_output(stack_name) == "hello world", timeout=60, message="the sidecar reaching the app")
    wait_until(
        lambda: "hello world" in service_logs(stack_name + "_web"),
        timeout=30,
        message="the sidecar's output in the service logs",
    )

    # The same stack again: nothing to do.
    version = service_version(stack_name)
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, args={"Greeting": "world"}))
    assert result["changed"] is False, process.stdout
    assert result["plan"]["unchanged"] == ["web"]
    assert service_version(stack_name) == version

    # Check mode with a changed arg: the truth about the change, shown as a diff, and nothing touched.
    result, process = run_stack_ok(
        tmp_path, options(stack_name, stack_file, args={"Greeting": "there"}), check=True, diff=True
    )
    assert result["changed"] is True, process.stdout
    assert result["plan"]["update"] == ["web"]
    assert "hello world" in result["diff"]["before"]
    assert "hello there" in result["diff"]["after"]
    # ansible-playbook --diff prints a unified diff: the old line removed, the new one added.
    diff_lines = process.stdout.splitlines()
    assert any(line.startswith("-") and "hello world" in line for line in diff_lines), process.stdout
    assert any(line.startswith("+") and "hello there" in line for line in diff_lines), process.stdout
    assert service_version(stack_name) == version
    assert probe_output(stack_name) == "hello world"

    # The change for real, through an explicit Docker host.
    result, process = run_stack_ok(
        tmp_path,
        options(stack_name, stack_file, args={"Greeting": "there"}, docker_host="unix:///var/run/docker.sock"),
        diff=True,
    )
    assert result["changed"] is True, process.stdout
    assert "hello world" in result["diff"]["before"] and "hello there" in result["diff"]["after"]
    assert service_version(stack_name) > version
    wait_until(lambda: probe_output(stack_name) == "hello there", timeout=60, message="the updated pod")
    result, _record = run_stack_ok(tmp_path, options(stack_name, stack_file, args={"Greeting": "there"}))
    assert result["changed"] is False

    # Removal: check mode first, then for real; no service, network or component container is left.
    result, _record = run_stack_ok(tmp_path, {"name": stack_name, "state": "absent"}, check=True)
    assert result["changed"] is True
    assert stack_services(stack_name)
    result, process = run_stack_ok(tmp_path, {"name": stack_name, "state": "absent", "wait_timeout": 120}, diff=True)
    assert result["changed"] is True, process.stdout
    assert "hello there" in result["diff"]["before"]
    assert stack_services(stack_name) == []
    assert containers(f"label=podlike.stack={stack_name}") == []
    assert containers(f"label=com.docker.stack.namespace={stack_name}") == []
    assert docker("network", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={stack_name}") == ""
    assert docker("config", "ls", "-q", "--filter", f"label=podlike.stack.record={stack_name}") == ""
    result, _record = run_stack_ok(tmp_path, {"name": stack_name, "state": "absent"})
    assert result["changed"] is False


@pytest.mark.compat
def test_plain_pod_labels_and_prune(tmp_path, stack_name):
    """A stack written with pod.component.* labels deploys as it is; prune removes what the files dropped."""
    plain = {
        "version": "3.7",
        "services": {
            "pod": {
                "image": "podlike/controller:latest",
                "volumes": ["/var/run/docker.sock:/var/run/docker.sock:ro"],
                "labels": {"pod.component.app": f"image: {BUSYBOX}\ncommand: [sleep, '3600']\n"},
            },
            "extra": {"image": BUSYBOX, "command": ["sleep", "3600"]},
        },
    }
    stack_file = write_stack(tmp_path / "plain.yml", plain)
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file))
    assert result["changed"] is True, process.stdout
    assert result["services"] == ["extra", "pod"]
    assert result["stack"]["services"]["pod"]["labels"] == plain["services"]["pod"]["labels"]
    wait_until(
        lambda: containers(f"label=podlike.stack={stack_name}", "label=podlike.component=app", "status=running"),
        timeout=60,
        message="the component of the plain pod",
    )

    del plain["services"]["extra"]
    write_stack(tmp_path / "plain.yml", plain)
    result, _record = run_stack_ok(tmp_path, options(stack_name, stack_file), check=True)
    assert result["changed"] is False, "a service outside the files is no change without prune"
    result, _record = run_stack_ok(tmp_path, options(stack_name, stack_file, prune=True), check=True)
    assert result["changed"] is True and result["plan"]["remove"] == ["extra"]
    assert len(stack_services(stack_name)) == 2
    result, _record = run_stack_ok(tmp_path, options(stack_name, stack_file, prune=True))
    assert result["changed"] is True
    wait_until(lambda: len(stack_services(stack_name)) == 1, timeout=30, message="the pruned service to go")


def test_broken_template_fails_clearly_and_deploys_nothing(tmp_path, stack_name):
    broken = templated_stack(templates=[{"inline": "probe:\n  image: {{ .Args.Image \n"}])
    stack_file = write_stack(tmp_path / "broken.yml", broken)
    result, process = run_stack_task(tmp_path, options(stack_name, stack_file))
    assert result.get("failed") is True, process.stdout
    message = result["msg"]
    assert 'service "web"' in message
    assert 'template "inline"' in message
    assert 'key "templates"' in message
    assert stack_services(stack_name) == []
    assert docker("network", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={stack_name}") == ""


def test_missing_docker_cli_is_reported(tmp_path, stack_name):
    stack_file = write_stack(tmp_path / "stack.yml", templated_stack())
    # A PATH without the docker CLI stands for a target without it.
    result, process = run_stack_task(tmp_path, options(stack_name, stack_file), environment={"PATH": str(tmp_path)})
    assert result.get("failed") is True, process.stdout
    assert "Failed to find the required command line client (docker)" in result["msg"]
    assert result["changed"] is False
    assert stack_services(stack_name) == []


def test_wait_reports_a_stack_that_does_not_converge(tmp_path, stack_name):
    """A pod whose task cannot start: wait fails after wait_timeout and says which service and why."""
    stack = {
        "version": "3.7",
        "services": {
            "stuck": {
                "image": "podlike/controller:latest",
                "volumes": ["/var/run/docker.sock:/var/run/docker.sock:ro"],
                "labels": {"pod.component.app": f"image: {BUSYBOX}\ncommand: [sleep, '3600']\n"},
                "deploy": {"placement": {"constraints": ["node.labels.podlike-nowhere == true"]}},
            }
        },
    }
    stack_file = write_stack(tmp_path / "stuck.yml", stack)
    result, process = run_stack_task(tmp_path, options(stack_name, stack_file, wait_timeout=8))
    assert result.get("failed") is True, process.stdout
    assert f"stack {stack_name} did not converge within 8s" in result["msg"]
    assert 'service "stuck": 0/1 tasks running' in result["msg"]
    assert result["changed"] is True, "the stack was deployed before the wait failed"


def service_env(service):
    spec = json.loads(docker("service", "inspect", service))[0]["Spec"]
    return spec["TaskTemplate"]["ContainerSpec"].get("Env") or []


def test_a_service_changed_outside_is_deployed_again(tmp_path, stack_name):
    plain = {
        "version": "3.7",
        "services": {"app": {"image": BUSYBOX, "command": ["sleep", "3600"], "environment": {"A": "1"}}},
    }
    stack_file = write_stack(tmp_path / "drift.yml", plain)
    result, _process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True
    service = stack_name + "_app"
    docker("service", "update", "--detach", "--env-add", "X=1", service)
    assert "X=1" in service_env(service)

    # Check mode tells the truth about the drift and shows it; nothing is touched.
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False), check=True, diff=True)
    assert result["changed"] is True, process.stdout
    assert result["plan"]["drift"] == ["app"] and result["plan"]["update"] == ["app"]
    drift_diff = result["diff"][1]
    assert "X=1" in drift_diff["before"] and "X=1" not in drift_diff["after"]
    assert any(line.startswith("-") and "X=1" in line for line in process.stdout.splitlines()), process.stdout
    assert "X=1" in service_env(service)

    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True and result["plan"]["drift"] == ["app"], process.stdout
    assert "X=1" not in service_env(service) and "A=1" in service_env(service)

    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is False and result["plan"]["drift"] == [], process.stdout


def service_spec(service):
    return json.loads(docker("service", "inspect", service))[0]["Spec"]


def test_outside_changes_to_an_unchanged_stack_are_found(tmp_path, stack_name):
    """A rerun that finds the stack as deployed changes nothing; an image or a label changed outside is a change."""
    pod = {
        "version": "3.7",
        "services": {
            "pod": {
                "image": "podlike/controller:latest",
                "labels": {"pod.component.app": f"image: {BUSYBOX}\ncommand: [sleep, '3600']\n"},
                "deploy": {"replicas": 0},
            }
        },
    }
    stack_file = write_stack(tmp_path / "pod.yml", pod)
    service = stack_name + "_pod"
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True, process.stdout
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is False and result["plan"]["unchanged"] == ["pod"], process.stdout

    docker("service", "update", "--detach", "--no-resolve-image", "--image", BUSYBOX, service)
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False), check=True)
    assert result["changed"] is True and result["plan"]["drift"] == ["pod"], process.stdout
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True, process.stdout
    assert service_spec(service)["TaskTemplate"]["ContainerSpec"]["Image"] == "podlike/controller:latest"

    docker("service", "update", "--detach", "--label-add", "tier=edited", service)
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True and result["plan"]["drift"] == ["pod"], process.stdout
    assert "tier" not in service_spec(service)["Labels"]

    docker("service", "update", "--detach", "--label-add", "podlike.stack.digest=edited", service)
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is True and result["plan"]["update"] == ["pod"], process.stdout
    result, process = run_stack_ok(tmp_path, options(stack_name, stack_file, wait=False))
    assert result["changed"] is False and result["plan"]["drift"] == [], process.stdout
