"""The pod's own containers: the infra holds the shared namespaces, the guard removes the pod if the controller dies."""

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from fake_engine import CONTROLLER_ID, wait_running

RUNNING = {"image": "busybox:1", "command": "sleep 1000"}
INFRA, GUARD = "role:infra", "role:guard"
# Two components: a lone one shares its namespaces with nobody, so its pod has no infra.
PAIR = {"app": RUNNING, "side": RUNNING}


def first(engine, method, target):
    return engine.calls_to(method, target)[0].when


def helper(engine, role):
    (container,) = [c for c in engine.containers.values() if c.role == role]
    return container


def test_guard_and_infra_come_first_and_go_last(engine, run_pod, output):
    running = run_pod({"db": RUNNING, "app": dict(RUNNING, depends_on=["db"])})
    wait_running(output)
    guard, infra = helper(engine, "guard"), helper(engine, "infra")
    # Nothing is created before the guard's start is on its way; the controller holds the infra's stdin.
    assert first(engine, "start_container", GUARD) <= min(c.when for c in engine.calls_to("create_container", "db"))
    assert first(engine, "attach_stdin", INFRA) < first(engine, "start_container", INFRA)
    assert first(engine, "start_container", INFRA) < first(engine, "start_container", "db")
    for name in ("db", "app"):
        host = engine.by_component(name).body["HostConfig"]
        assert host["PidMode"] == host["IpcMode"] == "container:" + infra.id
        assert host["NetworkMode"] == "container:" + CONTROLLER_ID
    mounts = guard.body["HostConfig"]["Mounts"]
    assert [(m["Source"], m["Target"]) for m in mounts] == [("/var/run/docker.sock", "/var/run/docker.sock")]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    last_stop = max(c.when for c in engine.calls_to("stop_container"))
    assert first(engine, "remove_container", INFRA) > last_stop
    assert first(engine, "remove_container", GUARD) > last_stop
    assert [connection.closed for connection in engine.attached] == [True]
    assert engine.present() == []


def test_without_pid_and_ipc_sharing_there_is_no_infra(engine, run_pod, output):
    running = run_pod({"app": RUNNING}, flags=["-pids=false", "-ipc=false"])
    wait_running(output)
    assert [c.role for c in engine.containers.values() if c.role not in ("component",)] == ["guard"]
    host = engine.by_component("app").body["HostConfig"]
    assert "PidMode" not in host and "IpcMode" not in host
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_lone_component_has_no_infra_and_shares_no_namespace(engine, run_pod, output):
    running = run_pod({"app": RUNNING})
    wait_running(output)
    assert [c.role for c in engine.containers.values() if c.role != "component"] == ["guard"]
    host = engine.by_component("app").body["HostConfig"]
    assert "PidMode" not in host and "IpcMode" not in host
    assert host["NetworkMode"] == "container:" + CONTROLLER_ID
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.present() == []


def test_without_a_mounted_engine_socket_there_is_no_guard(engine, run_pod, output):
    running = run_pod(PAIR, mounts=[])
    wait_running(output)
    assert [c.role for c in engine.containers.values() if c.role != "component"] == ["infra"]
    assert any("the pod has no guard" in line for line in output.of("warn"))
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_healthy_node_sweeper_stands_in_for_the_guard(engine, run_pod, output):
    engine.sweeper("podlike_sweeper.n1")
    running = run_pod(PAIR)
    wait_running(output)
    assert sorted(c.role for c in engine.containers.values() if c.role not in ("component", "sweeper")) == ["infra"]
    assert any("no guard: the node sweeper podlike_sweeper.n1" in line for line in output.of("info"))
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_without_a_covering_sweeper_the_pod_has_its_guard(engine, run_pod, output):
    engine.sweeper("scoped", command="podlike guard --node --label podlike.stack=other")
    engine.sweeper("starting", status="Up 1 second (health: starting)")
    running = run_pod(PAIR)
    wait_running(output)
    assert sorted(c.role for c in engine.containers.values() if c.role in ("guard", "infra")) == ["guard", "infra"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_guard_always_keeps_the_guard_beside_a_sweeper(engine, run_pod, output):
    engine.sweeper("covering")
    running = run_pod(PAIR, settings={"guard": "always"})
    wait_running(output)
    assert sorted(c.role for c in engine.containers.values() if c.role in ("guard", "infra")) == ["guard", "infra"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_guard_refused_ends_the_pod_before_anything_else_is_created(engine, run_pod, output):
    engine.script(GUARD, create_error=[DockerError("invalid mount config", 400)])
    running = run_pod({"app": RUNNING})
    assert running.result() == 3
    (error,) = output.of("error")
    assert "guard" in error and "invalid mount config" in error
    assert engine.calls_to("create_container", "app") == []
    assert engine.present() == []


def test_infra_attach_refused_ends_the_pod(engine, run_pod, output):
    engine.errors["attach_stdin"] = DockerError("cannot attach", 500)
    running = run_pod(PAIR)
    assert running.result() == 3
    (error,) = output.of("error")
    assert "infra" in error and "cannot attach" in error
    assert engine.calls_to("start_container", "app") == []
    assert engine.present() == []


def test_infra_or_guard_ending_while_the_pod_runs_stops_it_with_1(engine, run_pod, output):
    for role in ("infra", "guard"):
        del output.lines[:]
        running = run_pod(PAIR)
        wait_running(output)
        engine.exit(helper_running(engine, role), 137)
        assert running.result() == 1
        assert output.of("error") == ["the pod's %s container ended; stopping the pod" % role]
        assert engine.present() == []


def helper_running(engine, role):
    (container,) = [c for c in engine.containers.values() if c.role == role and c.state == "running"]
    return container
