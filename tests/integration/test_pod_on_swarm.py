"""Pods deployed with `docker stack deploy` on a real one-node Swarm."""

import json
import textwrap

import pytest
from conftest import BUSYBOX, CONTROLLER_IMAGE, containers, docker, docker_result, wait_until
from helpers_ansible import run_ok

pytestmark = [pytest.mark.engine, pytest.mark.swarm]

# Waits for the receiver (components start concurrently), then signals it through the shared PID namespace.
SENDER = (
    "sh -c 'until ps -o args | grep -q [h]up-receiver; do sleep 0.2; done; sleep 1; "
    'kill -HUP $$(ps -o pid,args | grep [h]up-receiver | awk "{print \\$$1}") && echo sent-SIGHUP; sleep 600\''
)
STACK = textwrap.dedent(
    """
    version: "3.8"
    services:
      pod:
        image: {controller}
        labels:
          pod.component.server: |
            image: {busybox}
            command: sh -c 'echo served-over-localhost > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'
          pod.component.client: |
            image: {busybox}
            command: sh -c 'while true; do wget -qO- http://127.0.0.1:8080/ || true; sleep 0.5; done'
          pod.component.writer: |
            image: {busybox}
            command: sh -c 'echo from-writer > /shared/note; sleep 600'
            volumes: ['shared:/shared']
          pod.component.reader: |
            image: {busybox}
            command: sh -c 'while [ ! -f /data/note ]; do sleep 0.1; done; cat /data/note; sleep 600'
            volumes: ['shared:/data:ro']
          pod.component.receiver: |
            image: {busybox}
            command: sh -c 'trap "echo got-SIGHUP" HUP; while true; do sleep 0.1; done' hup-receiver
          pod.component.sender: |
            image: {busybox}
            command: {sender}
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
          - shared:/unused
        deploy:
          endpoint_mode: dnsrr
          restart_policy:
            condition: on-failure
    volumes:
      shared:
    """
)


def service_logs(service):
    result = docker_result("service", "logs", "--raw", service, timeout=60)
    return result.stdout + result.stderr


def task_container(service):
    names = containers("label=com.docker.swarm.service.name=%s" % service, "status=running")
    return names[0] if names else None


@pytest.fixture
def stack(unique, cleanup, tmp_path):
    name = unique + "s"
    path = tmp_path / "stack.yml"
    path.write_text(STACK.format(controller=CONTROLLER_IMAGE, busybox=BUSYBOX, sender=SENDER))
    cleanup["stacks"].append(name)
    cleanup["volumes"].append(name + "_shared")
    docker("stack", "deploy", "-c", str(path), name)
    service = name + "_pod"
    controller = wait_until(lambda: task_container(service), timeout=60, message="task running")
    wait_until(lambda: "pod %s is running" % controller in service_logs(service), timeout=60, message="pod running")
    return name, service, controller


@pytest.mark.compat
def test_pod_on_swarm(stack):
    name, service, controller = stack
    components = containers("label=podlike.pod=%s" % controller)
    assert sorted(c.rsplit(".podlike.", 1)[1] for c in components) == [
        "_guard",
        "_infra",
        "client",
        "reader",
        "receiver",
        "sender",
        "server",
        "writer",
    ]

    # A client component reaches the server component on 127.0.0.1.
    wait_until(lambda: "client | served-over-localhost" in service_logs(service), message="client reached server")
    # One component signals another through the shared PID namespace.
    wait_until(lambda: "receiver | got-SIGHUP" in service_logs(service), message="SIGHUP delivered")
    # Two components share the stack's named volume, mounted on the controller.
    wait_until(lambda: "reader | from-writer" in service_logs(service), message="shared volume")
    mounts = json.loads(docker("inspect", controller + ".podlike.reader"))[0]["Mounts"]
    assert [m["Name"] for m in mounts] == [name + "_shared"]
    # Components carry the stack's name and the Swarm task identity.
    env = docker("exec", controller + ".podlike.server", "env")
    assert "PODLIKE_STACK=%s" % name in env
    assert "PODLIKE_COMPONENT_NAME=server" in env
    # The controller's HEALTHCHECK reports the pod healthy.
    wait_until(
        lambda: docker("inspect", "-f", "{{.State.Health.Status}}", controller) == "healthy",
        message="healthy controller",
    )
    health = docker("exec", controller, "podlike", "health")
    assert health.splitlines()[0] == "pod %s: healthy" % controller

    # Removing the stack leaves no component container behind. The CLI may find the network still in use by the
    # stopping task: the cleanup's second `docker stack rm` removes it.
    removal = docker_result("stack", "rm", name)
    assert removal.returncode == 0 or "is in use by task" in removal.stderr, removal.stderr
    wait_until(lambda: containers("label=podlike.stack=%s" % name) == [], timeout=30, message="components removed")


def test_sigkill_of_a_swarm_controller_leaves_no_component(stack):
    name, service, controller = stack
    controller_id = docker("inspect", "-f", "{{.Id}}", controller)
    # Six components, the infra and the guard.
    assert len(containers("label=podlike.controller.id=%s" % controller_id)) == 8
    docker("kill", "-s", "KILL", controller)
    wait_until(
        lambda: containers("label=podlike.controller.id=%s" % controller_id) == [],
        timeout=10,
        message="components gone within 10 s",
    )
    # Swarm's restart policy brings the pod back as a new task.
    replacement = wait_until(
        lambda: (task_container(service) or controller) != controller and task_container(service),
        timeout=60,
        message="replacement task",
    )
    wait_until(
        lambda: len(containers("label=podlike.pod=%s" % replacement, "status=running")) == 8,
        timeout=60,
        message="replacement pod running",
    )


COMPOSE_FILE_STACK = textwrap.dedent(
    """
    version: "3.8"
    services:
      pod:
        image: {controller}
        labels:
          pod.compose.file: /pod.yml
        configs:
          - source: pod
            target: /pod.yml
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
        deploy:
          endpoint_mode: dnsrr
    configs:
      pod:
        file: ./pod.yml
    """
)
COMPOSE_FILE_POD = textwrap.dedent(
    """
    services:
      app:
        image: {busybox}
        command: sleep 600
      side:
        image: {busybox}
        command: sleep 600
    """
)


def test_podlike_info_lists_what_a_compose_file_pod_runs(unique, cleanup, tmp_path):
    """Only the controller reads pod.compose.file: the service's components are those its pods run here."""
    name = unique + "f"
    (tmp_path / "pod.yml").write_text(COMPOSE_FILE_POD.format(busybox=BUSYBOX))
    (tmp_path / "stack.yml").write_text(COMPOSE_FILE_STACK.format(controller=CONTROLLER_IMAGE))
    cleanup["stacks"].append(name)
    docker("stack", "deploy", "-c", str(tmp_path / "stack.yml"), name)
    controller = wait_until(lambda: task_container(name + "_pod"), timeout=60, message="task running")
    wait_until(
        lambda: len(containers("label=podlike.pod=%s" % controller, "label=podlike.role=component")) == 2,
        timeout=60,
        message="the two components of the compose file",
    )
    info = run_ok(tmp_path, "podlike_info", {"stack": name})
    assert [service["components"] for service in info["services"]] == [["app", "side"]]
    assert [pod["name"] for pod in info["services"][0]["pods"]] == [controller]
