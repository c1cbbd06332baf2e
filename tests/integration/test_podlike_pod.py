"""podlike_pod, podlike_info and podlike_debug through ansible-playbook, on the real engine."""

import json
import uuid

import pytest
from conftest import BUSYBOX, containers, docker, inspect, wait_until
from helpers_ansible import run_ok, run_play, run_task

pytestmark = pytest.mark.engine

PAGE = "hello from the pod"
COUNT_TOKEN = ["sh", "-c", 'printf %s "$DEBUG_TOKEN" | wc -c']


def server(page=PAGE, port=8080):
    return {
        "image": BUSYBOX,
        "command": "sh -c 'mkdir -p /www && echo \"%s\" > /www/index.html && httpd -f -p %d -h /www'" % (page, port),
        "healthcheck": {"test": ["CMD", "wget", "-qO-", "http://127.0.0.1:%d/" % port], "interval": "1s"},
    }


def client(port=8080):
    return {
        "image": BUSYBOX,
        "command": "sh -c 'while true; do wget -qO- http://127.0.0.1:%d/ && sleep 30 || sleep 0.5; done'" % port,
    }


@pytest.fixture
def pod_name():
    return "itpod" + uuid.uuid4().hex[:8]


@pytest.fixture
def pod(pod_name, cleanup):
    cleanup["containers"].append(pod_name)
    return pod_name


def controller_id(name):
    return docker("inspect", "-f", "{{.Id}}", name)


def test_pod_lifecycle(tmp_path, pod):
    args = {"name": pod, "components": {"server": server(), "client": client()}}

    created = run_ok(tmp_path, "podlike_pod", args, diff=True)
    assert created["changed"] and created["actions"] == ["create", "start"]
    assert created["pod"]["health"] == "healthy"
    members = [c for c in created["pod"]["components"] if c.get("role", "component") == "component"]
    assert {c["name"]: c["state"] for c in members} == {"client": "running", "server": "running"}
    assert "httpd -f -p 8080" in created["diff"]["after"] and created["diff"]["before"] == ""
    assert containers("label=podlike.pod=%s" % pod, "label=podlike.role=component") == [
        pod + ".podlike.client",
        pod + ".podlike.server",
    ]
    # The client reaches the server on localhost: the components share the controller's network namespace.
    wait_until(lambda: PAGE in docker("logs", pod + ".podlike.client"), timeout=20, message="the client's fetch")
    first_id = controller_id(pod)

    again = run_ok(tmp_path, "podlike_pod", args)
    assert again["changed"] is False and again["actions"] == []
    assert controller_id(pod) == first_id

    changed_args = dict(args, components={"server": server(page="second page"), "client": client()})
    checked = run_ok(tmp_path, "podlike_pod", changed_args, check=True, diff=True)
    assert checked["changed"] and checked["actions"] == ["remove", "create", "start"]
    assert controller_id(pod) == first_id, "check mode recreated the pod"
    assert inspect(pod)["State"]["Running"]

    updated = run_ok(tmp_path, "podlike_pod", changed_args, diff=True)
    assert updated["changed"] and updated["actions"] == ["remove", "create", "start"]
    assert PAGE in updated["diff"]["before"] and "second page" in updated["diff"]["after"]
    assert controller_id(pod) != first_id
    wait_until(lambda: "second page" in docker("logs", pod + ".podlike.client"), timeout=20, message="new page")

    stopped = run_ok(tmp_path, "podlike_pod", {"name": pod, "state": "stopped"})
    assert stopped["changed"] and stopped["actions"] == ["stop"]
    assert not inspect(pod)["State"]["Running"]
    wait_until(lambda: containers("label=podlike.pod=%s" % pod) == [], timeout=20, message="components removed")

    removed_check = run_ok(tmp_path, "podlike_pod", {"name": pod, "state": "absent"}, check=True)
    assert removed_check["changed"] and containers("name=^%s$" % pod) == [pod]

    removed = run_ok(tmp_path, "podlike_pod", {"name": pod, "state": "absent"})
    assert removed["changed"]
    assert containers("label=podlike.pod=%s" % pod) == [] and containers("name=^%s$" % pod) == []
    assert run_ok(tmp_path, "podlike_pod", {"name": pod, "state": "absent"})["changed"] is False


def test_check_mode_creates_nothing(tmp_path, pod):
    result = run_ok(tmp_path, "podlike_pod", {"name": pod, "components": {"server": server()}}, check=True)
    assert result["changed"] and result["actions"] == ["create", "start"]
    assert result["pod"]["controller_id"] is None
    assert containers("name=^%s" % pod) == []


def test_absent_stops_running_pod_and_removes_every_component(tmp_path, pod):
    args = {"name": pod, "components": {"server": server(), "client": client()}, "grace_period": 3}
    assert run_ok(tmp_path, "podlike_pod", args)["pod"]["health"] == "healthy"
    removed = run_ok(tmp_path, "podlike_pod", {"name": pod, "state": "absent"})
    assert removed["changed"] and removed["actions"] == ["remove"]
    assert containers("label=podlike.pod=%s" % pod) == [] and containers("name=^%s" % pod) == []


@pytest.mark.parametrize(
    "component, message",
    [
        ({"image": BUSYBOX, "ports": ["80:80"]}, 'component "web": key "ports"'),
        ({"image": BUSYBOX, "bogus": 1}, 'component "web": key "bogus": unknown Compose key'),
        ({"command": "true"}, 'component "web": key "image"'),
    ],
)
def test_bad_component_fails_and_creates_nothing(tmp_path, pod, component, message):
    result = run_task(tmp_path, "podlike_pod", {"name": pod, "components": {"web": component}})
    assert result["failed"] and message in result["msg"]
    assert containers("name=^%s" % pod) == []


def test_name_taken_by_another_container(tmp_path, pod):
    docker("run", "-d", "--name", pod, BUSYBOX, "sleep", "300")
    result = run_task(tmp_path, "podlike_pod", {"name": pod, "components": {"server": server()}})
    assert result["failed"] and "is not a pod controller" in result["msg"]
    assert inspect(pod)["Config"]["Image"] == BUSYBOX


def test_unreachable_engine(tmp_path, pod):
    result = run_task(
        tmp_path,
        "podlike_pod",
        {"name": pod, "components": {"server": server()}, "docker_host": "unix:///nonexistent/docker.sock"},
    )
    assert result["failed"] and "cannot reach the Docker engine" in result["msg"]


@pytest.mark.compat
def test_info_reports_health_and_debug_fetches_the_page(tmp_path, pod, monkeypatch):
    created = run_ok(tmp_path, "podlike_pod", {"name": pod, "components": {"server": server(), "client": client()}})
    assert created["pod"]["health"] == "healthy", created

    info = run_ok(tmp_path, "podlike_info", {"name": pod})
    assert not info["changed"] and [p["name"] for p in info["pods"]] == [pod]
    components = {c["name"]: c for c in info["pods"][0]["components"]}
    assert components["server"]["health"] == "healthy" and components["server"]["state"] == "running"
    assert components["client"]["health"] is None and components["client"]["restarts"] == 0
    assert components["server"]["image"] == BUSYBOX
    assert components["server"]["container"] == pod + ".podlike.server"

    fetched = run_ok(
        tmp_path, "podlike_debug", {"name": pod, "image": BUSYBOX, "command": "wget -qO- http://127.0.0.1:8080/"}
    )
    assert not fetched.get("failed"), fetched.get("msg")
    assert fetched["rc"] == 0 and fetched["stdout"].strip() == PAGE
    assert fetched["container"].startswith(pod + ".podlike.debug-")
    assert containers("name=%s.podlike.debug" % pod) == []

    processes = run_ok(tmp_path, "podlike_debug", {"name": pod, "image": BUSYBOX, "command": ["ps", "-o", "args"]})
    assert "httpd -f -p 8080" in processes["stdout"], "the debug container does not share the pod's PIDs"

    token = {"DEBUG_TOKEN": "s3cr3t-debug"}
    length = run_ok(tmp_path, "podlike_debug", {"name": pod, "image": BUSYBOX, "command": COUNT_TOKEN})
    assert length["stdout"].strip() == "0"
    monkeypatch.setenv("ANSIBLE_VERBOSITY", "3")  # -vvv prints each module's invocation
    # A plain environment value ("1") is not masked in the output ("12"); a secret one is nowhere.
    debug = {"name": pod, "image": BUSYBOX, "command": COUNT_TOKEN, "environment": {"N": "1"}}
    task = {"podlike.swarm.podlike_debug": dict(debug, secret_environment=token)}
    results, process = run_play(tmp_path, [dict(task, register="counted")], ["counted"])
    assert results["counted"]["stdout"].strip() == "12", "the environment did not reach the debug container"
    assert '"DEBUG_TOKEN"' in process.stdout and "s3cr3t-debug" not in process.stdout + json.dumps(results)
    monkeypatch.delenv("ANSIBLE_VERBOSITY")

    unclosed = run_task(tmp_path, "podlike_debug", {"name": pod, "image": BUSYBOX, "command": "sh -c 'unclosed"})
    assert unclosed["failed"] and unclosed["msg"] == "command: No closing quotation"
    assert containers("name=%s.podlike.debug" % pod) == []


@pytest.mark.compat
@pytest.mark.swarm
def test_info_lists_a_stack_pod(tmp_path, cleanup):
    stack = "itpod" + uuid.uuid4().hex[:6]
    cleanup["stacks"].append(stack)
    compose = {
        "version": "3.8",
        "services": {
            "web": {
                "image": "podlike/controller:latest",
                "volumes": ["/var/run/docker.sock:/var/run/docker.sock:ro"],
                "deploy": {"endpoint_mode": "dnsrr"},
                "labels": {"pod.component.server": _yaml(server()), "pod.component.client": _yaml(client())},
            }
        },
    }
    stack_file = tmp_path / "stack.yml"
    stack_file.write_text(_yaml(compose))
    docker("stack", "deploy", "--resolve-image", "never", "-c", str(stack_file), stack)

    def healthy_pod():
        info = run_ok(tmp_path, "podlike_info", {"stack": stack})
        pods = info["services"][0]["pods"] if info["services"] else []
        return info if pods and pods[0]["health"] == "healthy" else None

    info = wait_until(healthy_pod, timeout=90, interval=2, message="the stack's pod to be healthy")
    service = info["services"][0]
    assert service["name"] == stack + "_web" and service["stack"] == stack
    assert service["components"] == ["client", "server"]
    components = {c["name"]: c for c in service["pods"][0]["components"]}
    assert components["server"]["health"] == "healthy" and components["client"]["state"] == "running"
    assert [p["stack"] for p in info["pods"]] == [stack]


def _yaml(value):
    import yaml

    return yaml.safe_dump(value, default_flow_style=False)


def test_a_pod_created_and_then_failing_its_wait_reports_the_change(tmp_path, pod):
    unhealthy = {
        "image": BUSYBOX,
        "command": "sleep 300",
        "healthcheck": {"test": ["CMD", "false"], "interval": "1s", "retries": 1},
    }
    result = run_task(tmp_path, "podlike_pod", {"name": pod, "components": {"bad": unhealthy}, "wait_timeout": 8})
    assert result.get("failed") is True, result
    assert result["changed"] is True, "the pod was created before the wait failed"
    assert containers("name=^%s$" % pod) == [pod]


def test_an_empty_name_is_refused(tmp_path):
    result = run_task(tmp_path, "podlike_pod", {"name": " ", "components": {"server": server()}})
    assert result.get("failed") is True and result["msg"] == "name must not be empty"
    assert result["changed"] is False
