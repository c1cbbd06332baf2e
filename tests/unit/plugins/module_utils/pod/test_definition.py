"""Pod definitions from rycus86/podlike-style labels."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_copy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.order import start_levels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve

COMPOSE = """
version: '2.4'
services:
  app:
    image: app:1
    ports: ["8080:8080"]
  proxy:
    image: nginx
    depends_on: [app]
"""


def test_components_init_and_copy_from_labels():
    pod = from_labels(
        {
            "pod.component.app": "image: app:1\ncommand: serve",
            "pod.component.proxy": "image: nginx\ndepends_on: {app: {condition: service_healthy}}",
            "pod.init.components": "- image: migrate\n- image: seed",
            "pod.copy.proxy": "/config/nginx.conf:/etc/nginx/nginx.conf",
            "pod.controller.pids": "false",
            "com.docker.stack.namespace": "shop",
        }
    )
    assert [c.name for c in pod.init_components] == ["init-1", "init-2"]
    assert [c.name for c in pod.components] == ["app", "proxy"]
    assert pod.copies == {"proxy": [("/config/nginx.conf", "/etc/nginx/nginx.conf")]}
    assert pod.settings == {"pids": "false"}
    assert [[c.name for c in level] for level in start_levels(pod.components)] == [["app"], ["proxy"]]


def test_compose_file_label():
    pod = from_labels({"pod.compose.file": "/pod.yml"}, read_file=lambda path: COMPOSE)
    assert [c.name for c in pod.components] == ["app", "proxy"]
    assert "ports" not in pod.component("app").definition


@pytest.mark.parametrize(
    "labels, message",
    [
        ({}, "no components found"),
        ({"pod.component.a": "image: x", "pod.compose.file": "/f"}, "either the pod.component.* labels"),
        ({"pod.component.a": "image: [x"}, 'component "a": key "pod.component.a": not valid YAML'),
        ({"pod.component.a": "image: x\ndepends_on: [b]"}, "depends on 'b', which is not a component"),
        ({"pod.component.a": "image: x", "pod.copy.b": "/x:/y"}, 'component "b": key "pod.copy"'),
        ({"pod.component.a": "image: x", "pod.init.components": "image: y"}, "expected a YAML list"),
    ],
)
def test_refused_labels(labels, message):
    with pytest.raises(SpecError) as error:
        from_labels(labels)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/a:/b", [("/a", "/b")]),
        (["/a:/b", " /c : /d "], [("/a", "/b"), ("/c", "/d")]),
        ({"/a": "/b"}, [("/a", "/b")]),
    ],
)
def test_copy_forms(value, expected):
    assert parse_copy("app", value) == expected


@pytest.mark.parametrize("value", ["/a", "/a:/b:/c", ":/b", 5, [1]])
def test_bad_copy_values(value):
    with pytest.raises(SpecError):
        parse_copy("app", value)


def test_cycle_is_named():
    labels = {
        "pod.component.a": "image: x\ndepends_on: [b]",
        "pod.component.b": "image: x\ndepends_on: [c]",
        "pod.component.c": "image: x\ndepends_on: [a]",
    }
    with pytest.raises(SpecError, match=r"dependency cycle: a -> b -> c -> a"):
        from_labels(labels)


def test_sidecars_start_first():
    pod = from_labels(
        {
            "pod.component.app": "image: x",
            "pod.component.proxy": "image: y\nx-podlike-sidecar: true",
        }
    )
    assert [[c.name for c in level] for level in start_levels(pod.components)] == [["proxy"], ["app"]]


@pytest.mark.parametrize(
    "argv, labels, expected",
    [
        ([], {}, {"pids": True, "ipc": True, "volumes": False, "logs": True, "pull": False}),
        (["-logs", "--pids=false", "-ipc=0"], {}, {"pids": False, "ipc": False, "logs": True}),
        (["-volumes"], {"pids": "no"}, {"volumes": True, "pids": False}),
        (["-pids=true"], {"pids": "false"}, {"pids": True}),
    ],
)
def test_settings_from_flags_and_labels(argv, labels, expected):
    settings = resolve(parse_flags(argv), labels)
    for name, value in expected.items():
        assert getattr(settings, name) is value


@pytest.mark.parametrize("argv", [["false"], ["-nope"], ["-pids=maybe"]])
def test_bad_flags(argv):
    with pytest.raises(SpecError):
        parse_flags(argv)


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            {"pod.component.app": "image: x\ncommand: '%s'" % ("y" * 1024 * 1024)},
            'component "app": key "pod.component.app": the value is larger than 1048576 bytes',
        ),
        (
            {"pod.component.app": "image: x", "pod.copy.app": "- /a:/b\n" * 200000},
            'component "app": key "pod.copy.app": the value is larger than 1048576 bytes',
        ),
        ({"pod.init.components": " " * (1024 * 1024 + 1)}, 'key "pod.init.components": the value is larger than'),
        ({"pod.controller.pids": "é" * (600 * 1024)}, 'key "pod.controller.pids": the value is larger than'),
        (
            {
                "pod.component.app": "image: x\ncommand: [%s]"
                % ", ".join(["&a [x, x, x, x, x, x, x, x, x, x]"] + ["&a [%s]" % ", ".join(["*a"] * 10)] * 8)
            },
            'component "app": key "pod.component.app": not valid YAML: the document has more than 10000 nodes',
        ),
    ],
    ids=["component", "copy", "init", "setting-bytes", "alias-bomb"],
)
def test_oversized_definitions_are_refused_before_parsing(labels, message):
    with pytest.raises(SpecError) as error:
        from_labels(labels)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_an_oversized_compose_file_is_refused(tmp_path):
    compose = tmp_path / "compose.yml"
    compose.write_text("services:\n  app:\n    image: x\n" + "# padding\n" * 120000)
    with pytest.raises(SpecError, match='key "pod.compose.file": .* is larger than 1048576 bytes'):
        from_labels({"pod.compose.file": str(compose)})


def test_a_pod_has_at_most_64_components_init_included():
    labels = dict(("pod.component.c%d" % index, "image: busybox") for index in range(63))
    assert len(from_labels(dict(labels, **{"pod.init.components": "- image: busybox"})).all_components()) == 64
    labels["pod.component.c63"] = "image: busybox"
    with pytest.raises(SpecError) as error:
        from_labels(dict(labels, **{"pod.init.components": "- image: busybox"}))
    assert str(error.value) == "a pod has at most 64 components, init components included; this one has 65"
