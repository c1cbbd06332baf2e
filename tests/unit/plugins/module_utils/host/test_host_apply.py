"""podlike_pod's work (host.apply) with a fake engine: check mode acts on nothing and tells the truth."""

import ast
import json
import pathlib

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.host.apply import apply, desired


class FakeEngine:
    """Answers inspect and list calls; any call that would change the host fails the test."""

    def __init__(self, containers=None):
        self.by_name = containers or {}

    def inspect_container(self, name):
        if name not in self.by_name:
            raise NotFound("no such container")
        return self.by_name[name]

    def containers(self, labels=None, all=True, name=None):
        return []

    def exec_run(self, container_id, cmd, timeout=None):
        return 0, ""

    def __getattr__(self, name):
        raise AssertionError("check mode called %s" % name)


# podlike_pod's options as Ansible hands them over when the task sets none (the module's argument spec).
POD_OPTION_DEFAULTS = dict.fromkeys(
    ("components", "compose_file", "init_components", "copy", "volumes", "share_pid", "share_ipc", "share_volumes"),
)
POD_OPTION_DEFAULTS.update(
    dict.fromkeys(("published_ports", "networks", "labels", "restart_policy")),
    state="present",
    grace_period=10,
    pull="missing",
    recreate=False,
    wait=True,
    wait_timeout=60,
    controller_image="podlike/controller:latest",
)


POD_MODULE = pathlib.Path(__file__).resolve().parents[5] / "plugins" / "modules" / "podlike_pod.py"


def module_option_defaults():
    """{option: default} of podlike_pod's ARGUMENT_SPEC, read from the module's source (tests never import modules)."""
    for node in ast.parse(POD_MODULE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["ARGUMENT_SPEC"]:
            return {
                spec.arg: ast.literal_eval(option.value)
                for spec in node.value.keywords
                for option in spec.value.keywords
                if option.arg == "default"
            }
    raise AssertionError("no ARGUMENT_SPEC in %s" % POD_MODULE)


def test_the_defaults_here_are_the_modules():
    defaults = module_option_defaults()
    assert {option: value for option, value in POD_OPTION_DEFAULTS.items() if value is not None} == {
        option: value for option, value in defaults.items() if option in POD_OPTION_DEFAULTS
    }


def params(**overrides):
    values = dict(POD_OPTION_DEFAULTS, name="web", components={"server": {"image": "busybox", "command": "httpd -f"}})
    values.update(overrides)
    return values


def existing(**overrides):
    _definition, labels, _digest, _parsed = desired(params(**overrides))
    return {
        "Id": "c1",
        "Name": "/web",
        "Config": {"Labels": labels, "Image": "podlike/controller:latest"},
        "State": {"Running": True, "Status": "running"},
    }


def test_check_mode_create():
    result = apply(params(), FakeEngine(), check_mode=True)
    assert result["changed"] and result["actions"] == ["create", "start"]
    assert result["pod"]["components"][0]["container"] == "web.podlike.server"
    assert result["diff"]["before"] == "" and "httpd -f" in result["diff"]["after"]


def test_check_mode_lists_the_components_as_the_controller_reads_them(tmp_path):
    """Init components and a Compose file's services too, with their images, from the component model."""
    compose = tmp_path / "compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1\n    ports: ['80:80']\n  app:\n    image: demo:2\n")
    options = params(components=None, compose_file=str(compose), init_components=[{"image": "busybox"}])
    planned = apply(options, FakeEngine(), check_mode=True)["pod"]["components"]
    assert [(entry["name"], entry["role"], entry["image"]) for entry in planned] == [
        ("app", "component", "demo:2"),
        ("web", "component", "nginx:1"),
        ("init-1", "init", "busybox"),
    ]


def test_same_definition_is_unchanged():
    result = apply(params(), FakeEngine({"web": existing()}), check_mode=True)
    assert not result["changed"] and result["actions"] == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_changed_component_recreates_with_a_diff():
    engine = FakeEngine({"web": existing()})
    result = apply(params(components={"server": {"image": "busybox", "command": "httpd -f -p 81"}}), engine, True)
    assert result["actions"] == ["remove", "create", "start"]
    assert "-p 81" in result["diff"]["after"] and "-p 81" not in result["diff"]["before"]


def test_bad_component_fails_before_the_engine_is_asked():
    with pytest.raises(SpecError, match='component "server": key "ports"'):
        apply(params(components={"server": {"image": "busybox", "ports": ["80"]}}), FakeEngine(), check_mode=False)


def test_foreign_container_with_the_name():
    engine = FakeEngine({"web": {"Id": "x", "Config": {"Labels": {}}, "State": {"Running": True}}})
    with pytest.raises(PodStateError, match="not a pod controller"):
        apply(params(), engine, check_mode=True)


def test_compose_file_content_is_part_of_the_digest(tmp_path):
    compose = tmp_path / "pod.yml"
    compose.write_text("services:\n  app:\n    image: busybox\n")
    first = desired(params(components=None, compose_file=str(compose)))[2]
    compose.write_text('services:\n  app:\n    image: busybox\n    command: "true"\n')
    assert desired(params(components=None, compose_file=str(compose)))[2] != first
    with pytest.raises(SpecError, match="compose_file"):
        desired(params(components=None, compose_file=str(tmp_path / "missing.yml")))


def test_a_pod_name_holding_the_container_name_separator_is_refused():
    with pytest.raises(SpecError) as error:
        desired(params(name="web.podlike.b"))
    assert str(error.value).startswith("key \"name\": a pod's name holds no 'podlike' between dots")


def test_a_change_of_the_compose_file_alone_shows_in_the_diff(tmp_path):
    compose = tmp_path / "pod.yml"
    compose.write_text("services:\n  app:\n    image: busybox:1.36\n")
    engine = FakeEngine({"web": existing(components=None, compose_file=str(compose))})
    compose.write_text("services:\n  app:\n    image: busybox:1.37\n")
    result = apply(params(components=None, compose_file=str(compose)), engine, check_mode=True)
    assert result["actions"] == ["remove", "create", "start"]
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before != after and "compose_file_sha256: " in before and "compose_file_sha256: " in after
    assert apply(params(components=None, compose_file=str(compose)), engine, check_mode=True)["diff"]["after"] == after


def test_a_controller_recorded_without_the_compose_digest_shows_no_change_when_its_digest_matches(tmp_path):
    compose = tmp_path / "pod.yml"
    compose.write_text("services:\n  app:\n    image: busybox:1.36\n")
    controller = existing(components=None, compose_file=str(compose))
    recorded = json.loads(controller["Config"]["Labels"]["podlike.definition"])
    del recorded["compose_file_sha256"]
    controller["Config"]["Labels"]["podlike.definition"] = json.dumps(recorded)
    result = apply(params(components=None, compose_file=str(compose)), FakeEngine({"web": controller}), True)
    assert not result["changed"] and result["diff"]["before"] == result["diff"]["after"]


@pytest.mark.parametrize(
    "options, message",
    [
        (
            {"grace_period": -5},
            'key "grace_period": -5 is negative; give the seconds the components get to stop (0 or more)',
        ),
        (
            {"copy": {"server": 5}},
            'component "server": key "copy": expected \'src:dst\', a list of them or a mapping, got 5',
        ),
        (
            {"copy": {"server": ["/a", 7]}},
            'component "server": key "copy": \'/a\' is not of the form /source:/target, got ["/a", 7]',
        ),
        ({"copy": {"db": ["/a:/b"]}}, 'component "db": key "copy": names no component of this pod'),
    ],
)
def test_pod_options_are_named_as_the_task_writes_them(options, message):
    with pytest.raises(SpecError) as error:
        desired(params(**options))
    assert str(error.value) == message


def test_a_grace_period_of_zero_is_allowed():
    _definition, labels, _digest, _parsed = desired(params(grace_period=0))
    assert labels["pod.controller.grace-period"] == "0s"
