"""The controller's start-up work in a forked child: its result or its error handed back, its imports left behind."""

import os
import signal
import subprocess
import sys

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import Apart
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError, StartError, UnexpectedError


def pid_and_value(value):
    return os.getpid(), value


def test_the_result_comes_from_another_process():
    pid, value = Apart(pid_and_value, {"components": ["app", "sidecar"]}).result()
    assert pid != os.getpid()
    assert value == {"components": ["app", "sidecar"]}


def import_and_count(name):
    __import__(name)
    return sorted(sys.modules).count(name)


def test_what_the_child_imports_stays_in_the_child(tmp_path, monkeypatch):
    (tmp_path / "start_only_module.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert Apart(import_and_count, "start_only_module").result() == 1
    assert "start_only_module" not in sys.modules


def fail(error):
    raise error


def test_a_spec_error_is_raised_here_with_its_message_component_key_and_exit_code():
    with pytest.raises(SpecError) as raised:
        Apart(fail, SpecError("must be a list", component="app", key="tmpfs")).result()
    assert str(raised.value) == 'component "app": key "tmpfs": must be a list'
    assert (raised.value.component, raised.value.key, raised.value.exit_code) == ("app", "tmpfs", 2)


def test_an_exit_code_set_on_the_error_and_an_engine_status_survive():
    error = StartError("init component exited with code 7", "init-1")
    error.exit_code = 7
    with pytest.raises(StartError) as raised:
        Apart(fail, error).result()
    assert raised.value.exit_code == 7
    with pytest.raises(DockerError) as raised:
        Apart(fail, DockerError("no such image", 404)).result()
    assert (str(raised.value), raised.value.status) == ("no such image", 404)


class HoldsAProcess(Exception):
    def __init__(self, message):
        super(HoldsAProcess, self).__init__(message)
        self.handler = lambda: None


def test_an_error_that_cannot_be_handed_over_keeps_its_type_and_message():
    with pytest.raises(RuntimeError, match="^HoldsAProcess: lost in transit$"):
        Apart(fail, HoldsAProcess("lost in transit")).result()


def killed():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_child_is_one_line_and_exit_code_1():
    with pytest.raises(UnexpectedError) as raised:
        Apart(killed).result()
    assert str(raised.value) == "unexpected failure: the start-up process ended with no result: killed by signal 9"
    assert raised.value.exit_code == 1


RUNNING_CONTROLLER = """
import sys
from ansible_collections.podlike.swarm.plugins.module_utils.controller import health, main
from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import loads
from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import Pod

client, controller, definition, context = loads(sys.stdin.buffer.read())
pod = Pod(client, controller, definition, context, main.Output())
assert [c.name for c in pod.definition.all_components()] == ["init-1", "app", "side"], pod.definition.components
sys.stdout.write("\\n".join(sorted(sys.modules)))
"""
START_UP_ONLY = (
    "yaml",
    "ansible_collections.podlike.swarm.plugins.module_utils.yaml_text",
    "ansible_collections.podlike.swarm.plugins.module_utils.pod.spec",
    "ansible_collections.podlike.swarm.plugins.module_utils.pod.definition",
    "ansible_collections.podlike.swarm.plugins.module_utils.pod.policy",
    "ansible_collections.podlike.swarm.plugins.module_utils.controller.boot",
    "ansible_collections.podlike.swarm.plugins.module_utils.controller.lookups",
    "copy",
    "shlex",
    "queue",
    "pickle",
    "_pickle",
    # The standard library's heavier modules: the controller uses `_json`, `_socket`, `_signal` and `_thread` alone.
    "threading",
    "functools",
    "collections",
    "re",
    "enum",
    "json",
    "socket",
    "selectors",
    "signal",
)


def test_the_running_controller_reads_its_pod_without_the_start_up_modules():
    """What the start-up process hands on (controller/main.py) loads none of the parsers, the policy or PyYAML."""

    from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import dumps

    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve

    labels = {
        "pod.component.app": "image: busybox\ncommand: sleep 1\nrestart: on-failure:3\ndepends_on: [side]\n"
        "healthcheck:\n  test: [CMD, 'true']\npost_start: [echo, hi]\n",
        "pod.component.side": "image: busybox\nx-podlike-sidecar: true\nenvironment: {A: b}\nvolumes: [data:/data]\n",
        "pod.init.components": "- image: busybox\n  command: 'true'\n",
        "pod.controller.exit-policy": "continue",
    }
    controller = {"Id": "c" * 64, "Name": "/web.1.x", "Config": {"Labels": labels}}
    definition = from_labels(labels)
    context = PodContext(controller, resolve(parse_flags(["-allow-host-path", "/srv"]), definition.settings))
    parts = dumps((DockerClient("unix:///var/run/docker.sock"), controller, definition, context))
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    loaded = subprocess.run(
        [sys.executable, "-S", "-c", RUNNING_CONTROLLER], input=parts, env=environment, capture_output=True, check=True
    ).stdout.decode()
    assert "ansible_collections.podlike.swarm.plugins.module_utils.pod.component" in loaded.split()
    assert [name for name in START_UP_ONLY if name in loaded.split()] == []


def described(value):
    """value as nested builtins: objects as (class, attributes), to compare what a handoff gives back."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [described(item) for item in value])
    if isinstance(value, dict):
        return sorted((repr(key), described(item)) for key, item in value.items())
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(item) for item in value))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value), described(vars(value)))
    return (type(value), value)


def test_the_handoff_gives_back_objects_of_the_same_classes_and_attributes():
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import dumps, loads
    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.copy import CopyList
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve

    labels = {
        "pod.component.app": "image: busybox\ncommand: [sh, -c, 'sleep 1']\nrestart: on-failure:3\n"
        "liveness_probe: {tcp_socket: {port: 80}, interval: 2s}\nulimits: {nofile: {soft: 1024, hard: 2048}}\n",
        "pod.component.side": "image: busybox\nx-podlike-sidecar: true\nenvironment: {A: b}\n",
    }
    controller = {"Id": "c" * 64, "Name": "/web.1.x", "Config": {"Labels": labels}}
    definition = from_labels(labels)
    definition.copies = {"app": CopyList([("/srv/a.conf", "/etc/a.conf")], limit=1024)}
    context = PodContext(controller, resolve(parse_flags([]), definition.settings), volume_names={"data": "web_data"})
    parts = (DockerClient("unix:///var/run/docker.sock", api_version="1.41"), controller, definition, context, {1, "x"})
    back = loads(dumps(parts))
    assert described(back) == described(parts)
    assert back[3].settings.grace_period == context.settings.grace_period
    assert back[0].api_version == "1.41"
    assert isinstance(back[2].copies["app"], CopyList) and back[2].copies["app"].limit == 1024
    # What the parts share they still share, written once: the context's controller is the controller.
    assert back[3].controller is back[1] and back[3].controller is not controller
    assert len(dumps(parts)) < len(dumps(parts[:1] + (dict(controller),) + parts[2:]))


@pytest.mark.parametrize("value", [lambda: 1, [object()], {"socket": open(os.devnull)}])
def test_what_has_no_importable_class_cannot_be_handed_over(value):
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import dumps

    with pytest.raises(TypeError, match="^cannot hand over a "):
        dumps(value)


START_UP = """
import sys
from ansible_collections.podlike.swarm.plugins.module_utils.controller import boot
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve

labels = {"pod.component.app": "image: nginx:1.25\\ncommand: nginx -g daemon\\n", "pod.component.side": "image: busybox\\n"}
definition = from_labels(labels)
settings = resolve(parse_flags([]), definition.settings)
boot.check_policy(None, definition, settings, {}, "runc")
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import ControllerFiles
ControllerFiles.of_this_controller(DockerClient("unix:///var/run/docker.sock"), False)
sys.stdout.write("\\n".join(sorted(sys.modules)))
"""


def test_the_start_up_child_reads_a_flat_pod_without_pyyaml_re_or_enum():
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    loaded = subprocess.run(
        [sys.executable, "-S", "-c", START_UP], env=environment, capture_output=True, check=True, text=True
    ).stdout.split()
    assert [
        name
        for name in ("yaml", "re", "enum", "ansible_collections.podlike.swarm.plugins.module_utils.yaml_text")
        if name in loaded
    ] == []
