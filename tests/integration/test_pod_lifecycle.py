"""Pod lifecycle on the real engine: order, init, sidecars, health, restarts, copy, hooks, limits."""

import datetime
import json

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

pytestmark = pytest.mark.engine


def events(pod, since, until):
    """(action, component) pairs of the pod's component containers, in the engine's order."""
    out = docker(
        "events",
        "--since",
        since,
        "--until",
        until,
        "--format",
        "{{json .}}",
        "--filter",
        "label=podlike.pod=%s" % pod,
        "--filter",
        "type=container",
    )
    pairs = []
    for line in out.splitlines():
        event = json.loads(line)
        name = event["Actor"]["Attributes"].get("podlike.component")
        if event["Action"] in ("start", "die") and event["Actor"]["Attributes"].get("podlike.role") == "component":
            pairs.append((event["Action"], name))
    return pairs


def engine_time():
    return docker("run", "--rm", BUSYBOX, "date", "+%s")


def test_start_order_follows_depends_on_and_stop_order_is_reversed(unique, cleanup):
    pod = unique + "-order"
    cleanup["containers"].append(pod)
    since = engine_time()
    labels = {
        "pod.component.db": component("sleep 300"),
        "pod.component.api": component("sleep 300", depends_on="[db]"),
        "pod.component.web": component("sleep 300", depends_on="{api: {condition: service_started}}"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    docker("stop", pod)
    until = str(int(engine_time()) + 1)
    order = events(pod, since, until)
    assert [name for action, name in order if action == "start"] == ["db", "api", "web"]
    assert [name for action, name in order if action == "die"] == ["web", "api", "db"]


def test_init_output_is_used_by_the_main_component(unique, cleanup):
    pod = unique + "-init"
    volume = unique + "-init"
    cleanup["containers"].append(pod)
    cleanup["volumes"].append(volume)
    init = "- image: %s\n  command: sh -c 'echo prepared-by-init > /work/ready'\n  volumes: ['%s:/work']" % (
        BUSYBOX,
        volume,
    )
    labels = {
        "pod.init.components": init,
        "pod.component.app": component("sh -c 'cat /work/ready; sleep 300'", volumes="['%s:/work']" % volume),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: "app | prepared-by-init" in pod_logs(pod), message="init output read by app")


def test_failing_init_fails_the_pod_with_its_code(unique, cleanup):
    pod = unique + "-initfail"
    cleanup["containers"].append(pod)
    labels = {
        "pod.init.components": "- image: %s\n  command: sh -c 'echo cannot-migrate; exit 5'" % BUSYBOX,
        "pod.component.app": component("sleep 300"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], message="controller exit")
    assert inspect(pod)["State"]["ExitCode"] == 5
    output = pod_logs(pod)
    assert "init-1 | cannot-migrate" in output
    assert 'podlike: error: component "init-1": init component exited with code 5' in output
    assert "starting app" not in output
    assert component_names(pod) == []


def test_sidecar_is_up_and_healthy_before_the_main_component_and_down_after_it(unique, cleanup):
    pod = unique + "-side"
    cleanup["containers"].append(pod)
    since = engine_time()
    sidecar = component(
        "sh -c 'sleep 2; touch /tmp/ready; sleep 300'",
        **{"x-podlike-sidecar": "true", "healthcheck": "{test: 'test -f /tmp/ready', interval: 1s, retries: 30}"},
    )
    labels = {"pod.component.main": component("sleep 300"), "pod.component.proxy": sidecar}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    assert "main waits for proxy (service_healthy)" in pod_logs(pod)
    docker("stop", pod)
    order = events(pod, since, str(int(engine_time()) + 1))
    assert [name for action, name in order if action == "start"] == ["proxy", "main"]
    assert [name for action, name in order if action == "die"] == ["main", "proxy"]


def test_controller_health_follows_component_health(unique, cleanup):
    pod = unique + "-health"
    cleanup["containers"].append(pod)
    check = "{test: 'test ! -f /tmp/broken', interval: 1s, timeout: 1s, retries: 1}"
    labels = {"pod.component.app": component("sleep 300", healthcheck=check)}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)

    def pod_health():
        return docker_result("exec", pod, "podlike", "health").stdout.splitlines()[0].rsplit(" ", 1)[-1]

    wait_until(lambda: pod_health() == "healthy", message="pod healthy")
    docker("exec", pod + ".podlike.app", "touch", "/tmp/broken")
    wait_until(lambda: pod_health() == "unhealthy", message="pod unhealthy")
    assert docker_result("exec", pod, "podlike", "healthcheck").returncode == 1
    docker("exec", pod + ".podlike.app", "rm", "/tmp/broken")
    wait_until(lambda: pod_health() == "healthy", message="pod healthy again")
    # The controller's own HEALTHCHECK (every 3 s) follows.
    wait_until(lambda: inspect(pod)["State"]["Health"]["Status"] == "healthy", message="docker health")


def test_the_image_healthcheck_watches_a_healthy_pod_and_reports_a_change_at_once(unique, cleanup):
    """After a healthy probe, the next one stays (one exec instead of seven) and ends as soon as the pod is not."""
    pod = unique + "-probe"
    cleanup["containers"].append(pod)
    check = "{test: 'test ! -f /tmp/broken', interval: 1s, timeout: 1s, retries: 1}"
    assert run_pod(pod, {"pod.component.app": component("sleep 300", healthcheck=check)}).returncode == 0
    wait_until(lambda: inspect(pod)["State"]["Health"]["Status"] == "healthy", message="docker health")
    watching = wait_until(lambda: "podlike-healthcheck" in docker("top", pod), timeout=10, message="a probe watching")
    assert watching
    docker("exec", pod + ".podlike.app", "touch", "/tmp/broken")
    wait_until(lambda: inspect(pod)["State"]["Health"]["Status"] == "unhealthy", timeout=30, message="unhealthy")
    probes = inspect(pod)["State"]["Health"]["Log"]
    # The probe that was watching ended with the change, some seconds after its start (it began before the break).
    ended = [probe for probe in probes if probe["ExitCode"] == 1 and _seconds(probe) >= 1]
    assert ended, probes
    assert all(_seconds(probe) < 25 for probe in probes), probes
    docker("exec", pod + ".podlike.app", "rm", "/tmp/broken")
    wait_until(lambda: inspect(pod)["State"]["Health"]["Status"] == "healthy", timeout=30, message="healthy again")


def test_a_pod_still_starting_after_the_start_period_turns_unhealthy_within_the_retries(unique, cleanup):
    """The check stops watching a starting pod when the controller's start period ends; the retries count from there."""
    pod = unique + "-stuck"
    cleanup["containers"].append(pod)
    # The component's own check fails, but its 5-minute start period keeps it (and the pod) `starting`.
    check = "{test: 'false', interval: 1s, timeout: 1s, retries: 1, start_period: 300s}"
    timing = ["--health-start-period", "3s", "--health-interval", "1s", "--health-retries", "2"]
    assert run_pod(pod, {"pod.component.app": component("sleep 300", healthcheck=check)}, extra=timing).returncode == 0
    wait_until(lambda: docker_result("exec", pod, "podlike", "health").returncode == 1, message="pod starting")
    started = datetime.datetime.now()
    wait_until(lambda: inspect(pod)["State"]["Health"]["Status"] == "unhealthy", timeout=30, message="unhealthy")
    # Watching the whole 15 s, the first probe alone would have kept the pod `starting` past this.
    assert (datetime.datetime.now() - started).total_seconds() < 12
    assert docker_result("exec", pod, "podlike", "health").stdout.splitlines()[0].endswith("starting")
    probes = inspect(pod)["State"]["Health"]["Log"]
    assert all(_seconds(probe) < 5 for probe in probes), probes


def _seconds(probe):
    """How long one HEALTHCHECK probe of `docker inspect` ran."""

    def at(text):  # 2026-12-02T07:10:00.123456789Z: whole seconds and the fraction, without the nanoseconds
        stamp, fraction = text.rstrip("Z").split("+")[0].split(".")
        return datetime.datetime.fromisoformat(stamp).timestamp() + float("0." + fraction)

    return at(probe["End"]) - at(probe["Start"])


@pytest.mark.parametrize(
    "policy, command, expected_restarts, pod_ends",
    [
        ("on-failure:2", "sh -c 'sleep 0.3; exit 4'", 2, True),
        ("always", "sh -c 'sleep 0.3; exit 0'", 2, False),
        ("no", "sh -c 'sleep 0.3; exit 4'", 0, True),
    ],
)
def test_restart_policies_are_counted(unique, cleanup, policy, command, expected_restarts, pod_ends):
    pod = unique + "-restart"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.keeper": component("sleep 300"),
        "pod.component.flaky": component(command, restart=policy),
    }
    assert run_pod(pod, labels).returncode == 0
    if pod_ends:
        wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=30, message="pod end")
        assert inspect(pod)["State"]["ExitCode"] == 4
        assert pod_logs(pod).count("flaky exited with code 4; restarting") == expected_restarts
    else:
        wait_until(lambda: "(restart %d)" % expected_restarts in pod_logs(pod), timeout=30, message="restarts")
        report = docker_result("exec", pod, "podlike", "health").stdout
        assert "flaky" in report and "restarts=" in report
        assert inspect(pod)["State"]["Running"]


def test_exit_policy_continue_keeps_the_pod(unique, cleanup):
    pod = unique + "-cont"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.keeper": component("sleep 300"),
        "pod.component.oneshot": component("sh -c 'exit 7'"),
        "pod.controller.exit-policy": "continue",
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: "oneshot exited with code 7; the pod carries on" in pod_logs(pod), message="carry on")
    assert inspect(pod)["State"]["Running"]
    assert component_names(pod)  # keeper still there


def test_copied_files_keep_their_mode_and_owner(unique, cleanup):
    pod = unique + "-copy"
    cleanup["containers"].append(pod)
    setup = (
        "printf secret > /podconf/secret.txt && chmod 0600 /podconf/secret.txt && chown 1000:1000 /podconf/secret.txt"
    )
    labels = {
        "pod.component.app": component("sleep 300"),
        "pod.copy.app": "/podconf/secret.txt:/tmp/copied.txt",
    }
    # The controller's entrypoint runs after the file is prepared on a mount of the controller (a tmpfs).
    extra = ["--entrypoint", "sh", "--tmpfs", "/podconf"]
    result = docker_result(
        "run",
        "-d",
        "--name",
        pod,
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock:ro",
        *sum((["--label", "%s=%s" % item] for item in labels.items()), []),
        *extra,
        "podlike/controller:latest",
        "-c",
        setup + " && exec podlike",
    )
    assert result.returncode == 0, result.stderr
    wait_pod_running(pod)
    listing = docker("exec", pod + ".podlike.app", "ls", "-ln", "/tmp/copied.txt").split()
    assert listing[0] == "-rw-------" and listing[2:4] == ["1000", "1000"]
    assert docker("exec", pod + ".podlike.app", "cat", "/tmp/copied.txt") == "secret"


def test_memory_limit_is_enforced(unique, cleanup):
    pod = unique + "-mem"
    cleanup["containers"].append(pod)
    # tail keeps the whole of a newline-free input in memory: it grows until the limit stops it.
    hog = "sh -c 'sleep 1; exec tail /dev/zero'"
    labels = {"pod.component.hog": component(hog, mem_limit="32m", memswap_limit="32m")}
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=60, message="pod end after OOM")
    output = pod_logs(pod)
    assert "hog was killed: out of memory" in output
    assert "hog exited with code 137" in output
    assert inspect(pod)["State"]["ExitCode"] == 137


def test_dependency_cycle_is_refused_with_nothing_created(unique, cleanup):
    pod = unique + "-cycle"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.a": component("sleep 300", depends_on="[c]"),
        "pod.component.b": component("sleep 300", depends_on="[a]"),
        "pod.component.c": component("sleep 300", depends_on="[b]"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: not inspect(pod)["State"]["Running"], message="controller exit")
    assert "dependency cycle: a -> c -> b -> a" in pod_logs(pod)
    assert inspect(pod)["State"]["ExitCode"] == 2
    assert component_names(pod) == []


def test_lifecycle_hooks_run_after_start_and_before_stop(unique, cleanup):
    pod = unique + "-hooks"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.app": component("sleep 300", post_start="echo started-hook", pre_stop="echo stopping-hook"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod)
    assert "app post_start | started-hook" in pod_logs(pod)
    docker("stop", pod)
    assert "app pre_stop | stopping-hook" in pod_logs(pod)


def test_components_know_their_pod(unique, cleanup):
    pod = unique + "-env"
    cleanup["containers"].append(pod)
    assert run_pod(pod, {"pod.component.app": component("sleep 300")}).returncode == 0
    wait_pod_running(pod)
    env = docker("exec", pod + ".podlike.app", "env")
    assert "PODLIKE_POD_NAME=%s" % pod in env
    assert "PODLIKE_COMPONENT_NAME=app" in env


def test_liveness_probe_restarts_and_readiness_feeds_health(unique, cleanup):
    pod = unique + "-probe"
    cleanup["containers"].append(pod)
    web = component(
        "sh -c 'echo ok > /tmp/alive; exec httpd -f -p 8080 -h /tmp'",
        restart="always",
        liveness_probe="{http_get: {path: /alive, port: 8080}, interval: 1s, failure_threshold: 2}",
    )
    late = component(
        "sh -c 'sleep 3; exec httpd -f -p 8081 -h /tmp'",
        readiness_probe="{tcp_socket: {port: 8081}, interval: 1s}",
    )
    assert run_pod(pod, {"pod.component.web": web, "pod.component.late": late}).returncode == 0
    wait_pod_running(pod)

    def pod_health():
        return docker_result("exec", pod, "podlike", "health").stdout.splitlines()[0].rsplit(" ", 1)[-1]

    assert pod_health() == "starting"  # late is not ready yet
    wait_until(lambda: "late is ready" in pod_logs(pod), timeout=20, message="readiness")
    wait_until(lambda: pod_health() == "healthy", message="pod healthy once ready")

    docker("exec", pod + ".podlike.web", "rm", "/tmp/alive")
    wait_until(lambda: "web: liveness probe failed 2 times; killing it" in pod_logs(pod), message="liveness")
    wait_until(lambda: "(restart 1)" in pod_logs(pod), message="restart after liveness failure")
    wait_until(lambda: "restarts=1" in docker_result("exec", pod, "podlike", "health").stdout, message="count")
    wait_until(lambda: pod_health() == "healthy", timeout=30, message="healthy after restart")


def test_a_stop_during_an_init_component_that_never_ends_keeps_to_the_grace_period(unique, cleanup):
    pod = unique + "-initstop"
    cleanup["containers"].append(pod)
    labels = {
        "pod.controller.grace-period": "3s",
        "pod.init.components": "- image: %s\n  command: sleep 300" % BUSYBOX,
        "pod.component.app": component("sleep 300"),
    }
    assert run_pod(pod, labels).returncode == 0
    wait_until(lambda: pod + ".podlike.init-1" in component_names(pod), timeout=30, message="the init running")
    docker("kill", "--signal", "TERM", pod)  # the engine kills nothing after this: the controller must end itself
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=10, message="the pod stopped within its grace")
    assert inspect(pod)["State"]["ExitCode"] == 0, pod_logs(pod)
    assert component_names(pod) == []
