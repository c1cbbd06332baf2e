"""The controller run with `docker run` and rycus86/podlike-style labels, on the real engine."""

import time

import pytest
from conftest import (
    BUSYBOX,
    CONTROLLER_IMAGE,
    SOCKET,
    component,
    component_names,
    containers,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_pod_running,
    wait_until,
)

pytestmark = pytest.mark.engine


@pytest.mark.compat
def test_components_share_network_pid_and_ipc_namespaces(unique, cleanup):
    pod = unique + "-ns"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.server": component("httpd -f -p 8080 -h /var/www"),
        "pod.component.client": component("sleep 300"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)

    docker("exec", pod + ".podlike.server", "sh", "-c", "echo hello-from-server > /var/www/index.html")
    page = wait_until(
        lambda: docker_result("exec", pod + ".podlike.client", "wget", "-qO-", "http://127.0.0.1:8080/").stdout,
        message="server answering",
    )
    assert page.strip() == "hello-from-server"

    controller = inspect(pod)
    infra = inspect(pod + ".podlike._infra")
    server = inspect(pod + ".podlike.server")
    assert server["HostConfig"]["NetworkMode"] == "container:" + controller["Id"]
    assert server["HostConfig"]["PidMode"] == "container:" + infra["Id"]
    assert server["HostConfig"]["IpcMode"] == "container:" + infra["Id"]
    assert server["Config"]["Labels"]["podlike.pod"] == pod
    assert server["Config"]["Labels"]["podlike.component"] == "server"

    # The infra is PID 1 of the components' PID namespace; the controller is not in it.
    processes = docker("exec", pod + ".podlike.client", "ps", "-o", "pid,args")
    assert processes.splitlines()[1].split(None, 1) == ["1", "/sbin/docker-init -- head -c 1"]
    assert "httpd" in processes and "podlike" not in processes
    # Both components see the same IPC namespace.
    ipc = [docker("exec", pod + ".podlike." + name, "readlink", "/proc/self/ns/ipc") for name in ("server", "client")]
    assert ipc[0] == ipc[1]


def test_a_lone_component_has_no_infra_and_debug_joins_its_processes(unique, cleanup):
    pod = unique + "-lone"
    cleanup["containers"].append(pod)
    assert run_pod(pod, {"pod.component.app": component("sleep 300")}).returncode == 0
    wait_pod_running(pod)
    # PID and IPC sharing are on, but one component shares with nobody: no infra, namespaces of its own.
    assert [name for name in component_names(pod) if name.endswith("._infra")] == []
    host = inspect(pod + ".podlike.app")["HostConfig"]
    assert host["PidMode"] == "" and host["IpcMode"] in ("", "private")
    # Under the engine's init, as it would be in an infra's namespace: SIGTERM ends sleep at once.
    processes = docker("exec", pod + ".podlike.app", "ps", "-o", "pid,args").splitlines()
    assert processes[1].split(None, 1) == ["1", "/sbin/docker-init -- sleep 300"]
    assert processes[2].split(None, 1)[1] == "sleep 300"
    # A debug container joins the component's PID namespace (not the controller's).
    debug = docker("run", "--rm", "-v", SOCKET, CONTROLLER_IMAGE, "debug", pod, BUSYBOX, "ps", "-o", "args")
    assert "sleep 300" in debug and "podlike" not in debug
    # The pod's stop ends it with SIGTERM (exit code 143), not with the SIGKILL after its grace period (137).
    app_id, since = inspect(pod + ".podlike.app")["Id"], str(int(time.time()) - 1)
    assert docker_result("stop", "-t", "30", pod).returncode == 0 and component_names(pod) == []
    until = str(int(time.time()) + 1)
    died = docker(
        "events",
        "--since",
        since,
        "--until",
        until,
        "-f",
        "container=" + app_id,
        "-f",
        "event=die",
        "--format",
        "{{.Actor.Attributes.exitCode}}",
    )
    assert died.split() == ["143"]


@pytest.mark.compat
def test_logs_are_streamed_with_the_component_name(unique, cleanup):
    pod = unique + "-logs"
    cleanup["containers"].append(pod)
    labels = {"pod.component.talker": component("sh -c 'echo out-line; echo err-line >&2; sleep 300'")}
    assert run_pod(pod, labels, flags=["-logs"]).returncode == 0
    wait_until(lambda: "talker | out-line" in docker_result("logs", pod).stdout, message="stdout line")
    wait_until(lambda: "talker | err-line" in docker_result("logs", pod).stderr, message="stderr line")


@pytest.mark.compat
def test_signals_are_forwarded_to_components(unique, cleanup):
    pod = unique + "-sig"
    cleanup["containers"].append(pod)
    trap = 'sh -c \'trap "echo got-HUP" HUP; trap "echo got-USR1" USR1; while true; do sleep 0.1; done\''
    assert run_pod(pod, {"pod.component.app": component(trap)}).returncode == 0
    wait_pod_running(pod)
    wait_until(lambda: "pod %s is running" % pod in pod_logs(pod), message="pod running")
    docker("kill", "-s", "HUP", pod)
    wait_until(lambda: "app | got-HUP" in pod_logs(pod), message="HUP received")
    docker("kill", "-s", "USR1", pod)
    wait_until(lambda: "app | got-USR1" in pod_logs(pod), message="USR1 received")


def test_sighup_from_one_component_to_another_through_the_shared_pid_namespace(unique, cleanup):
    pod = unique + "-hup"
    cleanup["containers"].append(pod)
    receiver = "sh -c 'trap \"echo reload-requested\" HUP; while true; do sleep 0.1; done' receiver-marker"
    find = "ps -o pid,args | grep [r]eceiver-marker | awk '{print $1}'"
    sender = "sh -c 'sleep 1; kill -HUP $(%s) && echo sent; sleep 300'" % find.replace("'", "'\\''")
    labels = {"pod.component.receiver": component(receiver), "pod.component.sender": component(sender)}
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: "sender | sent" in pod_logs(pod), message="signal sent")
    wait_until(lambda: "receiver | reload-requested" in pod_logs(pod), message="signal received")


def test_named_volume_shared_between_components(unique, cleanup):
    pod = unique + "-vol"
    volume = unique + "-data"
    cleanup["containers"].append(pod)
    cleanup["volumes"].append(volume)
    writer = component("sh -c 'echo shared-content > /out/file; sleep 300'", volumes="['%s:/out']" % volume)
    reader = component(
        "sh -c 'while [ ! -f /in/file ]; do sleep 0.1; done; cat /in/file; sleep 300'", volumes="['%s:/in:ro']" % volume
    )
    assert run_pod(pod, {"pod.component.writer": writer, "pod.component.reader": reader}).returncode == 0
    wait_until(lambda: "reader | shared-content" in pod_logs(pod), message="reader sees the writer's file")
    mounts = inspect(pod + ".podlike.reader")["Mounts"]
    assert [(m["Type"], m["Name"], m["RW"]) for m in mounts] == [("volume", volume, False)]


@pytest.mark.compat
def test_stop_removes_every_component_and_exits_zero(unique, cleanup):
    pod = unique + "-stop"
    cleanup["containers"].append(pod)
    labels = {"pod.component.a": component("sleep 300"), "pod.component.b": component("sleep 300")}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    docker("stop", pod)
    assert component_names(pod) == []
    assert inspect(pod)["State"]["ExitCode"] == 0


@pytest.mark.compat
def test_sigkill_of_the_controller_leaves_no_component(unique, cleanup):
    pod = unique + "-kill"
    cleanup["containers"].append(pod)
    labels = {"pod.component.a": component("sleep 300"), "pod.component.b": component("sleep 300")}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    docker("kill", "-s", "KILL", pod)
    wait_until(lambda: component_names(pod) == [], timeout=10, message="no component left after SIGKILL")


def test_the_running_controller_holds_no_yaml_parser_and_no_start_up_process(unique, cleanup):
    """The definition is read by a child process that has ended: PyYAML was never loaded by the controller."""
    pod = unique + "-lean"
    cleanup["containers"].append(pod)
    assert run_pod(pod, {"pod.component.a": component("sleep 300")}).returncode == 0
    wait_pod_running(pod)
    pid = inspect(pod)["State"]["Pid"]
    with open("/proc/%d/maps" % pid) as maps:
        mapped = set(line.split()[-1] for line in maps if "/" in line)
    assert any("libpython" in path or "/python3" in path for path in mapped), mapped
    assert [path for path in mapped if "yaml" in path] == []
    with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
        assert children.read().split() == []


def test_restart_removes_what_an_earlier_run_left(unique, cleanup):
    pod = unique + "-left"
    cleanup["containers"].append(pod)
    # Without PID sharing the kernel does not take the components down with the controller.
    # A frozen guard does not clean up: the leftovers stay for the next run.
    labels = {"pod.component.a": component("sleep 300"), "pod.controller.pids": "false"}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    old = inspect(pod + ".podlike.a")["Id"]
    docker("pause", pod + ".podlike._guard")
    docker("kill", "-s", "KILL", pod)
    assert pod + ".podlike.a" in component_names(pod)
    docker("rm", "-f", pod + ".podlike._guard")
    docker("start", pod)
    wait_until(lambda: "removing leftover container %s.podlike.a" % pod in pod_logs(pod), message="leftover removed")
    wait_until(
        lambda: (
            docker_result("inspect", "-f", "{{.Id}} {{.State.Running}}", pod + ".podlike.a").stdout.split()
            not in ([], [old, "true"], [old, "false"])
        ),
        message="new component",
    )
    assert inspect(pod + ".podlike.a")["Id"] != old


@pytest.mark.compat
def test_component_exit_ends_the_pod_with_its_code(unique, cleanup):
    pod = unique + "-exit"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.main": component("sleep 300"),
        "pod.component.crasher": component("sh -c 'sleep 1; exit 3'"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], message="controller exit")
    assert inspect(pod)["State"]["ExitCode"] == 3
    assert "crasher exited with code 3" in pod_logs(pod)
    assert component_names(pod) == []


def test_copy_and_init_components(unique, cleanup, tmp_path):
    pod = unique + "-copy"
    cleanup["containers"].append(pod)
    (tmp_path / "greeting").write_text(pod + "-copied\n")
    labels = {
        "pod.init.components": "- image: %s\n  command: sh -c 'echo init-ran'" % BUSYBOX,
        "pod.component.app": component("sh -c 'cat /tmp/copied-greeting; sleep 300'"),
        "pod.copy.app": "/etc/podconf/greeting:/tmp/copied-greeting",
    }
    # What a pod copies is mounted on the controller (a Swarm config, a volume, a bind): see security.md.
    assert run_pod(pod, labels, extra=["-v", "%s:/etc/podconf:ro" % tmp_path]).returncode == 0
    wait_until(lambda: "init-1 completed" in pod_logs(pod), message="init component ran")
    wait_until(lambda: "app | " + pod + "-copied" in pod_logs(pod), message="copied file read by the component")
    assert containers("label=podlike.pod=%s" % pod, "label=podlike.component=init-1") == []


def test_switches_as_flags_and_labels(unique, cleanup):
    pod = unique + "-sw"
    cleanup["containers"].append(pod)
    labels = {"pod.component.a": component("sleep 300"), "pod.controller.ipc": "false"}
    assert run_pod(pod, labels, flags=["-pids=false"]).returncode == 0
    wait_pod_running(pod)
    host = inspect(pod + ".podlike.a")["HostConfig"]
    assert host["PidMode"] == ""
    assert host["IpcMode"] in ("", "private")
    # No infra without PID or IPC sharing; the guard is there all the same.
    assert component_names(pod) == [pod + ".podlike._guard", pod + ".podlike.a"]
