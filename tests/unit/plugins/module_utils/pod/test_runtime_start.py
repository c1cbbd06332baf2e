"""Starting a pod on a scripted engine: dependency levels, init components, sidecars, health."""

import json

from fake_engine import wait_for, wait_running

BUSYBOX = "busybox:1"
RUNNING = {"image": BUSYBOX, "command": "sleep 1000"}


def spec(**extra):
    return dict(RUNNING, **extra)


def start_time(engine, name):
    (call,) = engine.calls_to("start_container", name)
    return call.when


def test_components_start_by_dependency_level_and_condition(engine, run_pod):
    engine.script("db", healthy_after=0.2)
    engine.script("migrate", exits=[0])
    running = run_pod(
        {
            "db": spec(healthcheck={"test": "true"}),
            "migrate": spec(depends_on={"db": {"condition": "service_healthy"}}),
            "cache": spec(),
            "app": spec(
                depends_on={
                    "cache": {"condition": "service_started"},
                    "migrate": {"condition": "service_completed_successfully"},
                }
            ),
        }
    )
    wait_for(lambda: engine.calls_to("start_container", "app"), message="app to start")
    healthy = [c for c in engine.calls if c.method == "exit" and c.target == "migrate"]
    assert start_time(engine, "db") < start_time(engine, "migrate")
    # service_healthy: migrate starts only after db reported healthy (200 ms after its start).
    assert start_time(engine, "migrate") - start_time(engine, "db") >= 0.2
    # service_completed_successfully: app starts after migrate exited 0; service_started: after cache started.
    assert healthy and healthy[0].when <= start_time(engine, "app")
    assert start_time(engine, "cache") < start_time(engine, "app")
    # Every component is created before the slow dependencies allow the others to start.
    creates = engine.calls_to("create_container")
    assert {c.target for c in creates} >= {"db", "migrate", "cache", "app"}
    assert max(c.when for c in creates if c.target in ("db", "cache", "app", "migrate")) < start_time(engine, "migrate")
    assert running.pod.health()[0] == "healthy"
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_completed_dependency_does_not_end_the_pod(engine, run_pod, output):
    engine.script("setup", exits=[0])
    running = run_pod(
        {"setup": spec(), "app": spec(depends_on={"setup": {"condition": "service_completed_successfully"}})}
    )
    wait_for(lambda: "setup completed" in output.of("info"), message="setup to complete")
    assert not running.done()
    state, components = running.pod.health()
    assert state == "healthy"
    assert [c["completed"] for c in components if c["name"] == "setup"] == [True]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_dependency_that_fails_to_complete_stops_the_pod(engine, run_pod, output):
    engine.script("setup", exits=[2])
    running = run_pod(
        {"setup": spec(), "app": spec(depends_on={"setup": {"condition": "service_completed_successfully"}})}
    )
    assert running.result() == 3
    assert output.of("error") == [
        'component "app": dependency setup exited with code 2 instead of completing successfully'
    ]
    assert engine.calls_to("start_container", "app") == []
    assert engine.present() == []


def test_dependency_that_exits_before_its_dependent_starts_stops_the_pod(engine, run_pod, output):
    engine.script("db", exits=[1], healthy_after=0.2)
    running = run_pod(
        {"db": spec(healthcheck={"test": "true"}), "app": spec(depends_on={"db": {"condition": "service_healthy"}})}
    )
    assert running.result() == 3
    assert output.of("error") == ['component "app": dependency db exited with code 1 before app could start']
    assert engine.present() == []


def test_init_components_run_in_order_to_completion_before_the_others(engine, run_pod, output):
    engine.script("init-1", exits=[0])
    engine.script("init-2", exits=[0])
    running = run_pod({"app": spec()}, init=[spec(command="echo one"), spec(command="echo two")])
    wait_for(lambda: engine.calls_to("start_container", "app"), message="app to start")
    starts = engine.targets("start_container")
    assert starts == ["init-1", "init-2", "app"]
    assert engine.targets("create_container") == ["init-1", "init-2", "app"]
    # Each init component is waited for and removed before the next one is created.
    assert engine.targets("remove_container")[:2] == ["init-1", "init-2"]
    assert engine.calls_to("remove_container", "init-1")[0].when < engine.calls_to("create_container", "init-2")[0].when
    assert "init-1 completed" in output.of("info") and "init-2 completed" in output.of("info")
    # Init components are not auto-removed (their exit code is read first) and not part of the pod's health.
    assert engine.by_component("init-1").body["HostConfig"]["AutoRemove"] is False
    assert [c["name"] for c in running.pod.health()[1]] == ["app"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_failing_init_component_ends_the_pod_with_its_code_and_last_lines(engine, run_pod, output):
    engine.script("init-1", exits=[0])
    engine.script("init-2", exits=[7], logs=b"loading\nno database\n")
    running = run_pod(
        {"app": spec(), "side": spec()},
        init=[spec(command="true"), spec(command="false")],
        flags=["-logs=false"],
    )
    assert running.result() == 7
    assert output.of("error") == ['component "init-2": init component exited with code 7']
    assert output.of("component") == ["init-2 | loading", "init-2 | no database"]
    assert engine.targets("create_container") == ["init-1", "init-2"]
    assert engine.present() == []


def test_sidecars_start_first_and_stop_last(engine, run_pod):
    running = run_pod(
        {
            "proxy": spec(**{"x-podlike-sidecar": True}),
            "app": spec(),
            "worker": spec(depends_on=["app"]),
        }
    )
    wait_for(lambda: engine.calls_to("start_container", "worker"), message="worker to start")
    assert engine.targets("start_container") == ["proxy", "app", "worker"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.targets("stop_container") == ["worker", "app", "proxy"]
    assert engine.present() == []


def test_main_components_wait_for_a_sidecar_with_a_healthcheck_to_be_healthy(engine, run_pod, output):
    engine.image_healthchecks["proxy:1"] = ["CMD", "check"]
    engine.script("proxy", healthy_after=0.06)
    running = run_pod({"proxy": {"image": "proxy:1", "x-podlike-sidecar": True}, "app": spec()})
    wait_for(lambda: engine.calls_to("start_container", "app"), message="app to start")
    assert start_time(engine, "app") - start_time(engine, "proxy") >= 0.06
    wait_for(lambda: "proxy is healthy" in output.of("info"), message="the health event logged")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_health_follows_the_components_healthchecks(engine, run_pod, output):
    running = run_pod({"app": spec(healthcheck={"test": "true", "interval": "1s"})})
    wait_running(output)
    assert running.pod.health()[0] == "starting"
    engine.push_event(engine.by_component("app"), "health_status: healthy")
    wait_for(lambda: running.pod.health()[0] == "healthy", message="healthy")
    state, text = running.pod.health_report().split("\n", 1)
    report = json.loads(text)
    assert state == "healthy" and report["pod"] == "shop_web.1.abc" and report["state"] == "healthy"
    assert [(c["name"], c["status"], c["health"]) for c in report["components"]] == [("app", "running", "healthy")]
    engine.push_event(engine.by_component("app"), "health_status: unhealthy")
    wait_for(lambda: running.pod.health()[0] == "unhealthy", message="unhealthy")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert running.pod.health()[0] == "unhealthy"


def test_a_disabled_healthcheck_is_not_waited_for(engine, run_pod):
    engine.image_healthchecks[BUSYBOX] = ["CMD", "check"]
    running = run_pod(
        {"app": spec(healthcheck={"disable": True}), "web": spec(depends_on={"app": {"condition": "service_healthy"}})}
    )
    wait_for(lambda: engine.calls_to("start_container", "web"), message="web to start")
    assert running.pod.health()[0] == "starting"  # web has the image's healthcheck, not yet healthy
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_components_join_the_pod_and_carry_its_labels(engine, run_pod):
    running = run_pod({"app": spec(environment={"MODE": "test"})}, flags=["-pids=false", "-ipc=false"])
    wait_for(lambda: engine.calls_to("start_container", "app"), message="app to start")
    body = engine.by_component("app").body
    assert body["HostConfig"]["NetworkMode"] == "container:" + "c" * 64
    assert "PidMode" not in body["HostConfig"] and "IpcMode" not in body["HostConfig"]
    assert body["Labels"]["podlike.controller.id"] == "c" * 64
    assert "MODE=test" in body["Env"] and "PODLIKE_COMPONENT_NAME=app" in body["Env"]
    assert engine.calls_to("create_container", "app")[0].args == ("shop_web.1.abc.podlike.app",)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_pod_helpers_come_before_the_components_and_go_after_them(engine, run_pod):
    """With PID or IPC sharing the pod's infra container holds the namespaces: up first, removed last."""
    running = run_pod({"app": spec(), "side": spec()})
    wait_for(lambda: engine.calls_to("start_container", "app"), message="app to start")
    infra = engine.calls_to("start_container", "role:infra")
    assert infra and infra[0].when < start_time(engine, "app")
    app = engine.by_component("app").body["HostConfig"]
    (infra_container,) = [c for c in engine.containers.values() if c.role == "infra"]
    assert app["IpcMode"] == "container:" + infra_container.id
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.present() == []
    assert engine.calls_to("remove_container", "role:infra")[-1].when > engine.calls_to("stop_container", "app")[0].when


def test_engine_warnings_on_create_are_passed_on(engine, run_pod, output):
    engine.script("app", create_warnings=["Your kernel does not support swap limit capabilities."])
    running = run_pod({"app": spec()})
    wait_running(output)
    assert "app: Your kernel does not support swap limit capabilities." in output.of("warn")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
