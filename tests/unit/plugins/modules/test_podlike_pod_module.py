"""podlike_pod's work function with a fake engine: check mode acts on nothing and tells the truth."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.docker_api import NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.host_pod import PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.modules.podlike_pod import ARGUMENT_SPEC, desired, run


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


def params(**overrides):
    values = {key: spec.get("default") for key, spec in ARGUMENT_SPEC.items()}
    values.update(name="web", components={"server": {"image": "busybox", "command": "httpd -f"}})
    values.update(overrides)
    return values


def existing(**overrides):
    _definition, labels, _digest = desired(params(**overrides))
    return {
        "Id": "c1",
        "Name": "/web",
        "Config": {"Labels": labels, "Image": "podlike/controller:latest"},
        "State": {"Running": True, "Status": "running"},
    }


def test_check_mode_create():
    result = run(params(), FakeEngine(), check_mode=True)
    assert result["changed"] and result["actions"] == ["create", "start"]
    assert result["pod"]["components"][0]["container"] == "web.podlike.server"
    assert result["diff"]["before"] == "" and "httpd -f" in result["diff"]["after"]


def test_same_definition_is_unchanged():
    result = run(params(), FakeEngine({"web": existing()}), check_mode=True)
    assert not result["changed"] and result["actions"] == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_changed_component_recreates_with_a_diff():
    engine = FakeEngine({"web": existing()})
    result = run(params(components={"server": {"image": "busybox", "command": "httpd -f -p 81"}}), engine, True)
    assert result["actions"] == ["remove", "create", "start"]
    assert "-p 81" in result["diff"]["after"] and "-p 81" not in result["diff"]["before"]


def test_bad_component_fails_before_the_engine_is_asked():
    with pytest.raises(SpecError, match='component "server": key "ports"'):
        run(params(components={"server": {"image": "busybox", "ports": ["80"]}}), FakeEngine(), check_mode=False)


def test_foreign_container_with_the_name():
    engine = FakeEngine({"web": {"Id": "x", "Config": {"Labels": {}}, "State": {"Running": True}}})
    with pytest.raises(PodStateError, match="not a pod controller"):
        run(params(), engine, check_mode=True)


def test_compose_file_content_is_part_of_the_digest(tmp_path):
    compose = tmp_path / "pod.yml"
    compose.write_text("services:\n  app:\n    image: busybox\n")
    first = desired(params(components=None, compose_file=str(compose)))[2]
    compose.write_text('services:\n  app:\n    image: busybox\n    command: "true"\n')
    assert desired(params(components=None, compose_file=str(compose)))[2] != first
    with pytest.raises(SpecError, match="compose_file"):
        desired(params(components=None, compose_file=str(tmp_path / "missing.yml")))
