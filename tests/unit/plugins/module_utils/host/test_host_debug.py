"""The debug container: its command and its place in the pod's namespaces."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import shell_words
from ansible_collections.podlike.swarm.plugins.module_utils.host.debug import debug_config, debug_name


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
    config = debug_config({"Id": "c1", "Name": "/web"}, "busybox", infra_id="i1")
    assert config["HostConfig"] == {"NetworkMode": "container:c1", "PidMode": "container:i1"}
