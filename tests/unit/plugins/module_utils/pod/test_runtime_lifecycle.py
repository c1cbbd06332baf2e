"""A running pod on a scripted engine: restarts and back-off, the exit policy, signals and stopping."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import (
    RESTART_BACKOFF_MAX,
    restart_delay,
)
from fake_engine import wait_for, wait_running

RUNNING = {"image": "busybox:1", "command": "sleep 1000"}


def spec(**extra):
    return dict(RUNNING, **extra)


def exits(engine, name):
    return [c for c in engine.calls if c.method == "exit" and c.target == name]


@pytest.mark.parametrize("restarts, delay", [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (50, 30.0)])
def test_restart_delay_is_at_once_then_doubles_up_to_the_maximum(restarts, delay):
    assert restart_delay(restarts) == delay
    assert restart_delay(restarts) <= RESTART_BACKOFF_MAX


def test_a_failing_component_restarts_at_once_then_with_back_off(engine, run_pod, output, fast_backoff):
    engine.script("app", exits=[1, 1, 1, None])
    running = run_pod({"app": spec(restart="on-failure"), "side": spec()})
    wait_for(lambda: len(engine.calls_to("start_container", "app")) == 4, message="three restarts")
    wait_for(lambda: running.pod.health()[1][0]["restarts"] == 3, message="restart count")
    creates = [c.when for c in engine.calls_to("create_container", "app")]
    died = [c.when for c in exits(engine, "app")]
    # The first restart follows the exit at once (0.0s below), then back-off: 1, 2 steps of fast_backoff.
    assert creates[2] - died[1] >= fast_backoff
    assert creates[3] - died[2] >= 2 * fast_backoff
    assert [line for line in output.of("warn") if line.startswith("app exited")] == [
        "app exited with code 1; restarting in 0.0s (restart 1)",
        "app exited with code 1; restarting in 0.0s (restart 2)",
        "app exited with code 1; restarting in 0.1s (restart 3)",
    ]
    # The other component was left alone, and the pod is healthy again.
    assert len(engine.calls_to("start_container", "side")) == 1
    assert running.pod.health()[0] == "healthy"
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.present() == []


def test_on_failure_with_a_retry_count_gives_up_and_ends_the_pod_with_the_code(engine, run_pod, output, fast_backoff):
    engine.script("app", exits=[4, 4, 4])
    running = run_pod({"app": spec(restart="on-failure:2"), "side": spec()})
    assert running.result() == 4
    assert len(engine.calls_to("start_container", "app")) == 3
    assert "app exited with code 4; stopping the pod" in output.of("warn")
    assert engine.targets("stop_container") == ["side"]
    assert engine.present() == []


def test_restart_always_restarts_a_clean_exit_but_on_failure_does_not(engine, run_pod, fast_backoff):
    engine.script("job", exits=[0, None])
    running = run_pod({"job": spec(restart="always")})
    wait_for(lambda: len(engine.calls_to("start_container", "job")) == 2, message="the restart")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_restart_that_is_due_while_stopping_is_dropped(engine, run_pod, monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils.pod import runtime

    monkeypatch.setattr(runtime, "RESTART_BACKOFF", 5.0)
    engine.script("app", exits=[1, 1])
    running = run_pod({"app": spec(restart="always")})
    wait_for(lambda: running.pod.health()[1][0]["restarts"] == 1 and exits(engine, "app")[1:], message="second exit")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert len(engine.calls_to("create_container", "app")) == 2


def test_exit_policy_exit_ends_the_pod_with_the_component_code_and_stops_the_others(engine, run_pod, output):
    engine.script("app", exits=[5])
    running = run_pod({"db": spec(), "app": spec(depends_on=["db"])})
    assert running.result() == 5
    assert "app exited with code 5; stopping the pod" in output.of("warn")
    assert "stopping the pod (app exited)" in output.of("info")
    assert engine.targets("stop_container") == ["db"]
    assert engine.present() == []


def test_a_clean_exit_of_the_only_component_ends_the_pod_with_0(engine, run_pod):
    engine.script("job", exits=[0])
    running = run_pod({"job": spec()})
    assert running.result() == 0
    assert engine.present() == []


def test_exit_policy_continue_carries_on_until_nothing_runs(engine, run_pod, output):
    engine.script("app", exits=[3])
    running = run_pod({"app": spec(), "web": spec()}, settings={"exit-policy": "continue"})
    wait_for(lambda: "app exited with code 3; the pod carries on without it" in output.of("warn"), message="app")
    assert not running.done()
    assert running.pod.health()[0] == "unhealthy"
    engine.exit(engine.by_component("web"), 0)
    assert running.result() == 1
    assert "stopping the pod (no component left running)" in output.of("info")
    assert engine.present() == []


def test_exit_policy_continue_ends_with_0_when_everything_completed(engine, run_pod):
    engine.script("a", exits=[0])
    engine.script("b", exits=[0], exit_after=0.06)
    running = run_pod({"a": spec(), "b": spec()}, flags=["-exit-policy=continue"])
    assert running.result() == 0


@pytest.mark.parametrize("name", ["HUP", "USR1", "USR2"])
def test_signals_are_forwarded_to_every_running_component(engine, run_pod, output, name):
    running = run_pod({"app": spec(), "web": spec()})
    wait_running(output)
    running.pod.deliver_signal(name)
    wait_for(lambda: len(engine.calls_to("kill_container")) == 2, message="the signal forwarded")
    assert sorted((c.target, c.args[0]) for c in engine.calls_to("kill_container")) == [
        ("app", "SIG" + name),
        ("web", "SIG" + name),
    ]
    assert sorted(line for line in output.of("info") if line.startswith("forwarded")) == [
        "forwarded SIG%s to app" % name,
        "forwarded SIG%s to web" % name,
    ]
    assert not running.done() and engine.calls_to("stop_container") == []
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_forwarded_signal_that_ends_a_component_applies_its_restart_policy(engine, run_pod, output, fast_backoff):
    engine.script("app", signal_exits={"SIGHUP": 0})
    running = run_pod({"app": spec(restart="always")})
    wait_running(output)
    running.pod.deliver_signal("HUP")
    wait_for(lambda: len(engine.calls_to("start_container", "app")) == 2, message="the restart")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_signal_the_engine_cannot_deliver_is_a_warning(engine, run_pod, output):
    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError

    running = run_pod({"app": spec()})
    wait_running(output)
    engine.errors["kill_container"] = DockerError("cannot kill container: not running")
    running.pod.deliver_signal("USR1")
    wait_for(lambda: output.of("warn"), message="the warning")
    assert output.of("warn") == ["could not forward SIGUSR1 to app: cannot kill container: not running"]
    del engine.errors["kill_container"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_int_is_forwarded_then_stops_the_pod(engine, run_pod, output):
    running = run_pod({"app": spec()})
    wait_running(output)
    running.pod.deliver_signal("INT")
    assert running.result() == 0
    assert [(c.target, c.args[0]) for c in engine.calls_to("kill_container") if c.target == "app"] == [
        ("app", "SIGINT")
    ]
    assert "stopping the pod (received SIGINT)" in output.of("info")


def test_term_stops_levels_in_reverse_order_within_the_grace_period(engine, run_pod, output):
    running = run_pod(
        {
            "proxy": spec(**{"x-podlike-sidecar": True}),
            "db": spec(),
            "app": spec(depends_on=["db"], stop_grace_period="2s"),
            "web": spec(depends_on=["app"]),
        },
        settings={"grace-period": "6s"},
    )
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.targets("stop_container") == ["web", "app", "db", "proxy"]
    timeouts = dict((c.target, c.args[0]) for c in engine.calls_to("stop_container"))
    # The pod's grace period less a margin for removal; a component's own stop_grace_period when shorter.
    assert timeouts == {"web": 5, "app": 2, "db": 5, "proxy": 5}
    assert output.of("info")[-2:] == ["stopping the pod (received SIGTERM)", "pod stopped"]
    assert engine.present() == []


def test_a_level_ends_at_its_die_events_without_waiting_for_the_engine_to_answer_its_stop(engine, run_pod, output):
    engine.script("web", stop_answer_delay=0.5)
    engine.script("db", stop_answer_delay=0.5)
    running = run_pod({"db": spec(), "web": spec(depends_on=["db"])})
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    (web_died,), (db_died,) = [[c.when for c in exits(engine, name)] for name in ("web", "db")]
    (db_stop,) = [c.when for c in engine.calls_to("stop_container", "db")]
    assert web_died < db_stop < web_died + 0.4
    (infra_removal,) = [c.when for c in engine.calls_to("remove_container", "role:infra")]
    assert db_died < infra_removal < db_died + 0.4
    assert engine.present() == []


def test_without_the_events_stream_the_engine_s_answers_end_each_level(engine, run_pod, output):
    engine.errors["events"] = DockerError("the events stream is gone")
    running = run_pod({"db": spec(), "app": spec(depends_on=["db"]), "web": spec(depends_on=["app"])})
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.targets("stop_container") == ["web", "app", "db"]
    assert engine.present() == []


def test_grace_period_defaults_to_the_controller_stop_timeout(engine, run_pod, output):
    running = run_pod({"app": spec()}, stop_timeout=4)
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert [c.args[0] for c in engine.calls_to("stop_container", "app")] == [3]
    assert running.pod.grace_period() == 4.0


def test_term_during_start_stops_what_was_started(engine, run_pod):
    engine.script("db", healthy_after=5)
    running = run_pod(
        {"db": spec(healthcheck={"test": "true"}), "app": spec(depends_on={"db": {"condition": "service_healthy"}})}
    )
    wait_for(lambda: engine.calls_to("start_container", "db"), message="db to start")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert engine.calls_to("start_container", "app") == []
    assert engine.present() == []


def test_pre_stop_hook_runs_before_the_stop_and_its_failure_is_a_warning(engine, run_pod, output):
    engine.script("app", exec={"nginx -s quit": (1, "not running\n")})
    running = run_pod({"app": spec(pre_stop="nginx -s quit")})
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    (hook,) = engine.calls_to("exec_run", "app")
    assert hook.when < engine.calls_to("stop_container", "app")[0].when
    assert "app: pre_stop hook nginx -s quit exited with code 1" in output.of("warn")
    assert "app pre_stop | not running" in output.of("component")


def test_post_start_hook_runs_after_the_start(engine, run_pod, output):
    engine.script("app", exec={"touch /ready": (0, "")})
    running = run_pod({"app": spec(post_start=["touch", "/ready"]), "web": spec(depends_on=["app"])})
    wait_for(lambda: engine.calls_to("exec_run", "app"), message="the hook to run")
    (hook,) = engine.calls_to("exec_run", "app")
    # A dependent may start while the hook runs: the component counts as started once the engine started it.
    assert engine.calls_to("start_container", "app")[0].when < hook.when
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_out_of_memory_and_health_events_are_reported(engine, run_pod, output):
    engine.script("app", oom=True)
    running = run_pod({"app": spec()})
    wait_for(lambda: "app was killed: out of memory" in output.of("warn"), message="the oom line")
    engine.push_event(engine.by_component("app"), "health_status: healthy")
    wait_for(lambda: "app is healthy" in output.of("info"), message="the health line")
    engine.push_event("f" * 64, "die", exitCode=1)  # not a container of this pod
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_a_component_killed_by_a_liveness_probe_is_restarted(engine, run_pod, output, fast_backoff):
    engine.script("app", exec={"check": (1, "")})
    probe = {"exec": ["check"], "interval": "10ms", "failure_threshold": 2}
    running = run_pod({"app": spec(restart="always", liveness_probe=probe)})
    wait_for(lambda: len(engine.calls_to("start_container", "app")) >= 2, message="the restart")
    assert "app: liveness probe failed 2 times; killing it" in output.of("warn")
    assert engine.calls_to("kill_container", "app")[0].args == ("KILL",)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_readiness_probe_gates_the_pod_health(engine, run_pod, output):
    answers = {"ready": (1, "")}
    engine.script("app", exec=answers)
    probe = {"exec": ["ready"], "interval": "10ms", "failure_threshold": 1}
    running = run_pod({"app": spec(readiness_probe=probe)})
    wait_for(lambda: len(engine.calls_to("exec_run", "app")) >= 2, message="the probe to run")
    assert running.pod.health()[0] == "starting"
    answers["ready"] = (0, "")
    wait_for(lambda: running.pod.health()[0] == "healthy", message="ready")
    assert "app is ready" in output.of("info")
    answers["ready"] = (1, "")
    wait_for(lambda: running.pod.health()[0] == "unhealthy", message="not ready")
    assert "app is not ready" in output.of("info")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_component_output_is_copied_line_by_line(engine, run_pod, output):
    engine.script("app", logs=b"one\ntwo\nthree")
    running = run_pod({"app": spec()})
    wait_for(lambda: len(output.of("component")) == 3, message="the lines")
    assert output.of("component") == ["app | one", "app | two", "app | three"]
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
