"""The controller's command line: dispatch, exit codes, signals, and a whole pod run on the fake engine."""

import os
import signal
import threading

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine import api as engine_api
from ansible_collections.podlike.swarm.plugins.module_utils.host import debug as host_debug
from ansible_collections.podlike.swarm.plugins.module_utils.constants import VERSION
from ansible_collections.podlike.swarm.plugins.module_utils.controller import lookups as lookups_module
from ansible_collections.podlike.swarm.plugins.module_utils.controller import health
from ansible_collections.podlike.swarm.plugins.module_utils.controller import main as controller
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery
from fake_engine import CONTROLLER_ID, controller_container, pod_labels, wait_running

FORWARDED = ("SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGUSR2")


@pytest.fixture
def signal_handlers():
    """run_controller installs signal handlers: put pytest's back afterwards."""
    saved = dict((name, signal.getsignal(getattr(signal, name))) for name in FORWARDED)
    yield
    for name, handler in saved.items():
        signal.signal(getattr(signal, name), handler)


@pytest.fixture
def controller_on_fake_engine(engine, monkeypatch, signal_handlers):
    """run_controller() as in the image, on the fake engine; no health socket or state file on this host."""
    served = []
    monkeypatch.setattr(discovery, "read_candidates", lambda cgroup_text=None: [CONTROLLER_ID])
    monkeypatch.setattr(lookups_module, "DockerClient", lambda timeout=None: engine.client())
    monkeypatch.setattr(health, "serve", lambda pod, output: served.append(("serve", pod)))
    monkeypatch.setattr(health, "publish_state", lambda pod: served.append(("publish", pod)))

    def define(components, **kwargs):
        engine.controller = controller_container(pod_labels(components, **kwargs))
        return served

    return define


def test_version(capsys):
    assert controller.main(["version"]) == 0
    assert capsys.readouterr().out == "podlike.swarm controller %s\n" % VERSION


@pytest.mark.parametrize("flag", ["-h", "--help", "help"])
def test_help_lists_the_commands_and_the_flags(capsys, flag):
    assert controller.main([flag]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: podlike [flags]")
    assert "-exit-policy=X" in out and "-allow-privileged" in out


@pytest.mark.parametrize("command, state, code", [("health", "healthy", 0), ("healthcheck", "starting", 1)])
def test_health_commands_ask_the_running_controller(capsys, monkeypatch, command, state, code):
    monkeypatch.setattr(health, "query", lambda: (state, {"pod": "web", "components": []}))
    assert controller.main([command]) == code
    out = capsys.readouterr().out
    assert out == ("pod web: %s\n" % state if command == "health" else "Healthcheck result: %s\n" % state)


def test_template_renders_a_stack(capsys, tmp_path):
    stack = tmp_path / "stack.yml"
    stack.write_text("version: '3.8'\nservices:\n  web:\n    image: busybox\n")
    assert controller.main(["template", str(stack)]) == 0
    assert "web:" in capsys.readouterr().out


def test_template_of_a_missing_file_is_exit_2(capsys, tmp_path):
    assert controller.main(["template", str(tmp_path / "none.yml")]) == 2
    assert "error" in capsys.readouterr().err


def test_debug_needs_a_pod_and_an_image(capsys):
    assert controller.main(["debug", "web"]) == 2
    assert capsys.readouterr().err == "usage: podlike debug POD IMAGE [COMMAND...]\n"


def test_debug_runs_in_the_pod_and_returns_its_exit_code(capsys, monkeypatch, engine):
    calls = []

    def run_in_pod(client, pod, image, command=None):
        calls.append((pod, image, command))
        return {"stdout": "out\n", "stderr": "err\n", "rc": 4}

    monkeypatch.setattr(engine_api, "DockerClient", lambda *args, **kwargs: engine.client())
    monkeypatch.setattr(host_debug, "run_in_pod", run_in_pod)
    assert controller.main(["debug", "web", "busybox", "ps", "-ef"]) == 4
    assert calls == [("web", "busybox", ["ps", "-ef"])]
    captured = capsys.readouterr()
    assert captured.out == "out\n" and captured.err.endswith("err\n")


def test_debug_of_an_unknown_pod_is_exit_2(capsys, monkeypatch, engine):
    def run_in_pod(client, pod, image, command=None):
        raise PodStateError("no pod named web on this node")

    monkeypatch.setattr(engine_api, "DockerClient", lambda *args, **kwargs: engine.client())
    monkeypatch.setattr(host_debug, "run_in_pod", run_in_pod)
    assert controller.main(["debug", "web", "busybox"]) == 2
    assert capsys.readouterr().err == "podlike debug: error: no pod named web on this node\n"


def test_run_controller_runs_the_pod_to_its_end(engine, output, controller_on_fake_engine):
    engine.script("job", exits=[0])
    served = controller_on_fake_engine({"job": {"image": "busybox", "command": "true"}})
    assert controller.run_controller([], output=output) == 0
    assert [kind for kind, _pod in served] == ["serve", "publish"]
    assert engine.targets("start_container") == ["job"]
    assert engine.present() == []


def test_a_bad_flag_is_exit_2_with_one_line(engine, output, controller_on_fake_engine):
    controller_on_fake_engine({"app": {"image": "busybox"}})
    assert controller.run_controller(["-logz"], output=output) == 2
    assert output.of("error") == ["unknown flag '-logz' (known: %s)" % ", ".join(flag_names())]
    assert engine.calls_to("create_container") == []


def flag_names():
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import flag_names as names

    return names()


def test_a_privileged_component_is_refused_before_anything_is_created(engine, output, controller_on_fake_engine):
    controller_on_fake_engine({"app": {"image": "busybox", "privileged": True}})
    assert controller.run_controller([], output=output) == 2
    (error,) = output.of("error")
    assert error.startswith('component "app": key "privileged": privileged mode is not allowed')
    assert engine.calls_to("create_container") == []


def test_an_engine_that_cannot_be_reached_is_exit_3(engine, output, controller_on_fake_engine):
    controller_on_fake_engine({"app": {"image": "busybox"}})
    engine.errors["inspect_container"] = DockerError("cannot connect to the engine at /var/run/docker.sock")
    assert controller.run_controller([], output=output) == 3
    assert output.of("error") == ["cannot connect to the engine at /var/run/docker.sock"]


def test_an_engine_error_while_running_is_exit_3_and_the_pod_is_removed(engine, output, controller_on_fake_engine):
    engine.script("init-1", create_error=[DockerError("no space left on device", 500)])
    controller_on_fake_engine({"app": {"image": "busybox"}}, init=[{"image": "busybox", "command": "true"}])
    assert controller.run_controller([], output=output) == 3
    (error,) = output.of("error")
    assert "no space left on device" in error
    assert engine.present() == []


@pytest.mark.parametrize("name", ["SIGHUP", "SIGUSR1"])
def test_signals_to_the_controller_reach_the_pod(engine, output, controller_on_fake_engine, name):
    """Real signals to this process: forwarded to the components; TERM then stops the pod with 0."""
    controller_on_fake_engine({"app": {"image": "busybox", "command": "sleep 1000"}})

    def send_signals():
        wait_running(output)
        os.kill(os.getpid(), getattr(signal, name))
        while not engine.calls_to("kill_container", "app"):
            threading.Event().wait(0.005)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=send_signals, daemon=True)
    sender.start()
    assert controller.run_controller([], output=output) == 0
    sender.join(5)
    assert [c.args for c in engine.calls_to("kill_container", "app")] == [(name,)]
    assert "stopping the pod (received SIGTERM)" in output.of("info")


def test_entrypoint_turns_an_unexpected_failure_into_one_line_and_code_70(capsys, monkeypatch):
    exits = []

    def fail(argv=None):
        raise RuntimeError("boom")

    monkeypatch.delenv("PODLIKE_DEBUG", raising=False)
    monkeypatch.setattr(controller, "main", fail)
    monkeypatch.setattr(os, "_exit", exits.append)
    controller.entrypoint()
    assert exits == [70]
    assert capsys.readouterr().err == "podlike: error: unexpected failure: RuntimeError: boom\n"


def test_entrypoint_exits_with_the_code_of_main(monkeypatch):
    exits = []
    monkeypatch.setattr(controller, "main", lambda: 5)
    monkeypatch.setattr(os, "_exit", exits.append)
    controller.entrypoint()
    assert exits == [5]


def test_entrypoint_on_keyboard_interrupt_is_130(monkeypatch):
    exits = []

    def interrupted():
        raise KeyboardInterrupt()

    monkeypatch.setattr(controller, "main", interrupted)
    monkeypatch.setattr(os, "_exit", exits.append)
    controller.entrypoint()
    assert exits == [130]


def test_an_unexpected_failure_is_exit_1_with_one_line(engine, output, controller_on_fake_engine):
    engine.errors["containers"] = RuntimeError("bad answer")
    controller_on_fake_engine({"app": {"image": "busybox"}})
    assert controller.run_controller([], output=output) == 1
    assert output.of("error") == ["unexpected failure: RuntimeError: bad answer"]
    assert engine.present() == []


@pytest.mark.parametrize("error", [DockerError("listing refused", 403), RuntimeError("bad answer")])
def test_a_failed_sweeper_lookup_means_the_pod_has_its_guard(engine, error):
    engine.sweeper("covering")
    assert lookups_module.find_sweeper(engine.client()) == "covering"
    engine.errors["containers"] = error
    assert lookups_module.find_sweeper(engine.client()) is None
