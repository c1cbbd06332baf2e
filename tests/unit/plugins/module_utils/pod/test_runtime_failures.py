"""Every way a pod's start or restart can fail: one line naming the component, an exit code, nothing left."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import Conflict, DockerError, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from fake_engine import CONTROLLER_ID, wait_for, wait_running

RUNNING = {"image": "busybox:1", "command": "sleep 1000"}


def spec(**extra):
    return dict(RUNNING, **extra)


def assert_one_error(output, *parts):
    """Exactly one error line, on one line, holding every part."""
    errors = output.of("error")
    assert len(errors) == 1, output.text()
    assert "\n" not in errors[0]
    for part in parts:
        assert part in errors[0], errors[0]
    return errors[0]


def assert_nothing_left(engine):
    assert engine.present() == []
    # What was started was stopped or removed, never left running.
    assert not [c for c in engine.containers.values() if c.state == "running"]


def test_create_refused_for_a_name_in_use(engine, run_pod, output):
    engine.script("app", create_error=[Conflict('Conflict. The container name "/x" is already in use')])
    running = run_pod({"db": spec(), "app": spec(depends_on=["db"])})
    assert running.result() == 3
    error = assert_one_error(output, "is already in use")
    assert error.startswith('component "app": a container named shop_web.1.abc.podlike.app already exists')
    assert engine.calls_to("start_container", "app") == []
    assert_nothing_left(engine)


def test_start_refused_mid_start(engine, run_pod, output):
    engine.script("db", healthy_after=0.03)
    engine.script("app", start_error=[DockerError("driver failed programming external connectivity", 500)])
    running = run_pod(
        {
            "db": spec(healthcheck={"test": "true"}),
            "app": spec(depends_on={"db": {"condition": "service_healthy"}}),
            "web": spec(depends_on=["app"]),
        }
    )
    assert running.result() == 3
    error = assert_one_error(output, "driver failed programming external connectivity")
    assert error.startswith('component "app": ')
    assert engine.calls_to("start_container", "web") == []
    assert engine.targets("stop_container") == ["db"]
    assert_nothing_left(engine)


def test_restart_refused(engine, run_pod, output, fast_backoff):
    engine.script("app", exits=[1], start_error=[None, DockerError("OCI runtime create failed", 500)])
    running = run_pod({"db": spec(), "app": spec(restart="on-failure")})
    assert running.result() == 3
    error = assert_one_error(output, "OCI runtime create failed")
    assert error.startswith('component "app": ')
    assert "stopping the pod (restart of app failed)" in output.of("info")
    assert_nothing_left(engine)


def test_copy_refused(engine, run_pod, output, tmp_path):
    source = tmp_path / "app.conf"
    source.write_text("listen 80\n")
    engine.script("app", copy_error=DockerError("Could not find the file /etc/app in container", 404))
    running = run_pod({"app": spec()}, copies={"app": ["%s:/etc/app/app.conf" % source]})
    assert running.result() == 3
    error = assert_one_error(output, "Could not find the file /etc/app in container")
    assert (
        error == 'component "app": the engine refused the copy into it: Could not find the file /etc/app in container'
    )
    assert engine.calls_to("start_container", "app") == []
    assert_nothing_left(engine)


def test_copy_puts_the_file_in_place_before_the_start(engine, run_pod, output, tmp_path):
    source = tmp_path / "app.conf"
    source.write_text("listen 80\n")
    running = run_pod({"app": spec()}, copies={"app": "%s:/etc/app/app.conf" % source})
    wait_running(output)
    (copy,) = engine.calls_to("put_archive", "app")
    assert copy.args[0] == "/etc/app"
    assert copy.when < engine.calls_to("start_container", "app")[0].when
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_copy_of_a_missing_file_is_a_definition_error_before_anything_is_created(engine, make_pod, tmp_path):
    with pytest.raises(SpecError) as error:
        make_pod({"app": spec()}, copies={"app": "%s:/etc/app.conf" % (tmp_path / "missing")})
    assert str(error.value).startswith('component "app": key "pod.copy.app": cannot read')
    assert_nothing_left(engine)


def test_post_start_hook_failure_ends_the_pod(engine, run_pod, output):
    engine.script("app", exec={"migrate --check": (1, "schema is behind\n")})
    running = run_pod({"app": spec(post_start="migrate --check"), "web": spec()})
    assert running.result() == 3
    assert_one_error(output, 'component "app": post_start hook migrate --check exited with code 1')
    assert "app post_start | schema is behind" in output.of("component")
    assert_nothing_left(engine)


def test_post_start_hook_the_engine_cannot_run_ends_the_pod(engine, run_pod, output):
    engine.script("app", exec={"warm-up": DockerError("container is restarting", 409)})
    running = run_pod({"app": spec(post_start="warm-up")})
    assert running.result() == 3
    assert_one_error(output, 'component "app": ', "post_start")
    assert "container is restarting" in output.text()
    assert_nothing_left(engine)


def test_missing_image_with_pull_policy_never(engine, run_pod, output):
    engine.images_missing.add("private/app:2")
    running = run_pod({"app": {"image": "private/app:2", "pull_policy": "never"}, "db": spec()})
    assert running.result() == 3
    assert_one_error(
        output, 'component "app": key "image": image private/app:2 is not on this node (pull_policy: never)'
    )
    assert engine.calls_to("pull_image") == []
    assert_nothing_left(engine)


def test_missing_image_is_pulled_then_created(engine, run_pod, output):
    engine.images_missing.add("private/app:2")
    running = run_pod({"app": {"image": "private/app:2"}})
    wait_running(output)
    assert [c.args for c in engine.calls_to("pull_image")] == [("private/app:2",)]
    assert "pulling image private/app:2 for app" in output.of("info")
    assert len(engine.calls_to("create_container", "app")) == 2
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_image_that_cannot_be_pulled(engine, run_pod, output):
    engine.images_missing.add("private/app:2")
    engine.pull_errors["private/app:2"] = DockerError("pull access denied for private/app", 403)
    running = run_pod({"app": {"image": "private/app:2"}})
    assert running.result() == 3
    assert_one_error(
        output,
        'component "app": key "image": image private/app:2 is not on this node and could not be pulled',
        "pull access denied",
    )
    assert_nothing_left(engine)


@pytest.mark.parametrize("how", [{"flags": ["-pull"]}, {"component": {"pull_policy": "always"}}])
def test_pull_always_pulls_before_every_create(engine, run_pod, output, how):
    running = run_pod({"app": dict(spec(), **how.get("component", {}))}, flags=how.get("flags", ()))
    wait_running(output)
    (pull,) = engine.calls_to("pull_image")
    assert pull.when < engine.calls_to("create_container", "app")[0].when
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_create_refused_for_another_reason_than_the_image(engine, run_pod, output):
    engine.script("app", create_error=[NotFound("network shop_default not found", 404)])
    running = run_pod({"app": spec()})
    assert running.result() == 3
    assert_one_error(output, 'component "app": ', "network shop_default not found")
    assert engine.calls_to("pull_image") == []
    assert_nothing_left(engine)


def test_waiting_for_an_init_component_fails(engine, run_pod, output):
    engine.script("init-1", exits=[0], wait_error=DockerError("connection reset by peer"))
    running = run_pod({"app": spec()}, init=[spec(command="true")])
    assert running.result() == 3
    assert_one_error(output, 'component "init-1": ', "connection reset by peer")
    assert engine.calls_to("create_container", "app") == []
    assert_nothing_left(engine)


def test_refused_infra_container_ends_the_pod_before_any_component(engine, run_pod, output):
    engine.script("role:infra", create_error=[DockerError("image not known", 500)])
    running = run_pod({"app": spec(), "side": spec()})
    assert running.result() == 3
    assert_one_error(output, "image not known")
    assert engine.calls_to("start_container", "app") == []
    assert_nothing_left(engine)


def test_infra_container_that_cannot_start_ends_the_pod(engine, run_pod, output):
    engine.script("role:infra", start_error=[DockerError("cannot join namespace", 500)])
    running = run_pod({"app": spec(), "side": spec()})
    assert running.result() == 3
    assert_one_error(output, "cannot join namespace")
    assert engine.calls_to("start_container", "app") == []
    assert_nothing_left(engine)


def test_stop_and_remove_failures_are_warnings_and_the_stop_goes_on(engine, run_pod, output):
    engine.script("app", stop_error=DockerError("tried to kill container, but did not receive an exit event"))
    engine.script("db", remove_error=[DockerError("device or resource busy")])
    engine.script("web", remove_error=[Conflict("removal of container is already in progress")])
    running = run_pod({"db": spec(), "app": spec(depends_on=["db"]), "web": spec(depends_on=["app"])})
    wait_running(output)
    engine.exit(engine.by_component("db"), 0)  # a crash the loop handles: the pod stops (exit policy)
    running.result()
    warnings = output.of("warn")
    assert "could not stop app: tried to kill container, but did not receive an exit event" in warnings
    assert engine.targets("stop_container") == ["web", "app"]
    assert [c.args for c in engine.calls_to("wait_container", "web")] == [("removed",)]


def test_leftovers_of_this_controller_and_of_dead_controllers_are_removed(engine, run_pod, output):
    dead, alive = "d" * 64, "a" * 64
    mine = engine.leftover("shop_web.1.abc.podlike.app", "app", CONTROLLER_ID)
    orphan = engine.leftover("old.podlike.app", "app", dead)
    other = engine.leftover("other.podlike.app", "app", alive)
    engine.leftover("other", "controller", "-", container_id=alive)  # the other controller, still running
    guard = engine.leftover("old.podlike._guard", "_guard", dead, state="created", role="guard")
    # Not made by a controller, whatever they claim: no pod and role labels, an owner that is not an ID.
    unlabelled = engine.leftover("plain", "app", dead, role=None)
    not_an_id = engine.leftover("odd.podlike.app", "app", "d" * 12)
    running = run_pod({"app": spec()})
    wait_running(output)
    removed = [c.args for c in engine.calls if c.method == "remove_container"]
    assert mine.state == "removed" and orphan.state == "removed" and guard.state == "removed"
    assert other.state == "running"
    assert unlabelled.state == "running" and not_an_id.state == "running"
    assert "removing leftover container shop_web.1.abc.podlike.app" in output.of("info")
    assert "removing leftover container old.podlike.app" in output.of("info")
    assert removed
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_leftovers_cannot_be_listed(engine, run_pod, output):
    engine.errors["containers"] = DockerError("engine busy")
    running = run_pod({"app": spec()})
    wait_running(output)
    assert "could not look for leftover components: engine busy" in output.of("warn")
    running.pod.deliver_signal("TERM")
    assert running.result() == 0


def test_engine_refuses_a_stop_with_a_container_already_gone(engine, run_pod, output):
    engine.script("app", stop_error=NotFound("No such container"))
    running = run_pod({"app": spec()})
    wait_running(output)
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
    assert not [line for line in output.of("warn") if "could not stop" in line]
    wait_for(lambda: engine.present() == [], message="nothing left")


def test_create_refused_by_the_engine(engine, run_pod, output):
    engine.script("app", create_error=[DockerError("no space left on device", 500)])
    running = run_pod({"db": spec(), "app": spec()})
    assert running.result(timeout=3) == 3
    error = assert_one_error(output, "no space left on device")
    assert error.startswith('component "app": ')
    assert_nothing_left(engine)


def test_an_exception_inside_a_start_thread_ends_the_pod_with_1(engine, run_pod, output):
    engine.errors["inspect_image"] = RuntimeError("bad answer")
    running = run_pod({"app": {"image": "busybox:1"}, "db": spec(healthcheck={"test": "true"})})
    assert running.result(timeout=3) == 1
    assert_one_error(output, "RuntimeError", "bad answer")
    assert_nothing_left(engine)


def test_an_exception_inside_a_running_pod_thread_ends_the_pod_with_1(engine, run_pod, output, fast_backoff):
    engine.script("app", exits=[None, None])
    running = run_pod({"app": spec(restart="always"), "db": spec()})
    wait_running(output)
    engine.errors["logs"] = KeyError("Content-Type")  # the restarted component's log follower fails
    engine.exit(engine.by_component("app"), 1)
    assert running.result(timeout=3) == 1
    assert_one_error(output, "KeyError")
    assert_nothing_left(engine)


PLAIN_VOLUME = {"Name": "data", "Driver": "local", "Options": {}}
ROOT_VOLUME = {"Name": "data", "Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/"}}


class VolumeMadeAgain(dict):
    """The engine's volume `data`: a plain local one at the pod's start, then one binding the host's /."""

    def __init__(self):
        super(VolumeMadeAgain, self).__init__(data=PLAIN_VOLUME)
        self.looks = 0

    def __getitem__(self, name):
        self.looks += 1
        return PLAIN_VOLUME if self.looks == 1 else ROOT_VOLUME


def test_a_named_volume_made_again_to_bind_the_host_is_refused_at_the_restart(engine, run_pod, output, fast_backoff):
    engine.volumes = VolumeMadeAgain()
    engine.script("app", exits=[1, None])
    running = run_pod({"db": spec(), "app": spec(restart="on-failure", volumes=["data:/data"])})
    assert running.result() == 2
    assert_one_error(
        output,
        'component "app": key "volumes": the engine socket /var/run/docker.sock is reachable through host path /;',
        "-allow-privileged",
    )
    assert "stopping the pod (restart of app failed)" in output.of("info")
    assert len(engine.calls_to("create_container", "app")) == 1 and engine.volumes.looks == 2
    assert_nothing_left(engine)


def test_with_leave_the_restart_mounts_the_volume_as_it_is_now(engine, run_pod, output, fast_backoff):
    engine.volumes = VolumeMadeAgain()
    engine.script("app", exits=[1, None])
    running = run_pod(
        {"db": spec(), "app": spec(restart="on-failure", volumes=["data:/data"])}, flags=["-allow-privileged"]
    )
    wait_for(lambda: len(engine.calls_to("start_container", "app")) == 2, message="the restart")
    assert output.of("error") == [] and engine.volumes.looks == 2
    running.pod.deliver_signal("TERM")
    assert running.result() == 0
