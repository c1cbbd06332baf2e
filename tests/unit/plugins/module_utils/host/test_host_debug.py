"""The debug container: its command and its place in the pod's namespaces."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import shell_words
from ansible_collections.podlike.swarm.plugins.module_utils.host.debug import (
    DebugOptionError,
    debug_config,
    debug_name,
    pid_holder,
)


@pytest.mark.parametrize(
    "command, expected",
    [
        ("wget -qO- http://127.0.0.1:80/", ["wget", "-qO-", "http://127.0.0.1:80/"]),
        ("sh -c 'ps; ls'", ["sh", "-c", "ps; ls"]),
        (["echo", 1], ["echo", "1"]),
        (None, None),
    ],
)
def test_shell_words(command, expected):
    assert shell_words(command) == expected


def test_debug_container_joins_the_pod():
    config = debug_config({"Id": "c1", "Name": "/web"}, "busybox", "ps", environment={"B": 2, "A": 1})
    assert config["HostConfig"] == {"NetworkMode": "container:c1", "PidMode": "container:c1"}
    assert config["Cmd"] == ["ps"] and "Entrypoint" not in config
    assert config["Env"] == ["A=1", "B=2"] and config["Labels"] == {"podlike.debug": "web"}
    assert "PidMode" not in debug_config({"Id": "c1", "Name": "/web"}, "busybox", share_pid=False)["HostConfig"]


def test_debug_name():
    assert debug_name("web", "abc") == "web.podlike.debug-abc"
    assert debug_name("web").startswith("web.podlike.debug-")


def test_debug_container_joins_the_pods_infra_for_its_processes():
    config = debug_config({"Id": "c1", "Name": "/web"}, "busybox", pid_holder_id="i1")
    assert config["HostConfig"] == {"NetworkMode": "container:c1", "PidMode": "container:i1"}


class ListingClient:
    """containers(labels=...) from a fixed list of (labels, id), as the engine lists them; counts the calls."""

    def __init__(self, containers):
        self._containers = containers
        self.calls = 0

    def containers(self, labels=()):
        self.calls += 1
        return [
            {"Id": cid, "Labels": dict(label.split("=", 1) for label in own)}
            for own, cid in self._containers
            if all(label in own for label in labels)
        ]


@pytest.mark.parametrize(
    "containers, holder",
    [
        (
            [
                ({"podlike.controller.id=c1", "podlike.role=infra"}, "i1"),
                ({"podlike.controller.id=c1", "podlike.role=component"}, "a"),
            ],
            "i1",
        ),
        ([({"podlike.controller.id=c1", "podlike.role=component"}, "a")], "a"),  # a lone component, no infra
        (
            [
                ({"podlike.controller.id=c1", "podlike.role=component"}, "a"),
                ({"podlike.controller.id=c1", "podlike.role=component"}, "b"),
            ],
            None,
        ),
        ([({"podlike.controller.id=c2", "podlike.role=component"}, "x")], None),  # another pod's
    ],
)
def test_pid_holder_is_the_infra_else_a_lone_component(containers, holder):
    client = ListingClient(containers)
    assert pid_holder(client, {"Id": "c1"}) == holder
    assert client.calls == 1


@pytest.mark.parametrize(
    "options, message",
    [
        ({"command": "sh -c 'unterminated"}, "command: No closing quotation"),
        ({"command": {"a": 1}}, "command: expected a string or a list of strings"),
        ({"entrypoint": 5}, "entrypoint: expected a string or a list of strings"),
    ],
    ids=["unclosed-quote", "command-mapping", "entrypoint-number"],
)
def test_a_command_that_cannot_be_used_is_named_in_one_line(options, message):
    with pytest.raises(DebugOptionError) as raised:
        debug_config({"Id": "c1", "Name": "/web"}, "busybox", **options)
    assert str(raised.value) == message
