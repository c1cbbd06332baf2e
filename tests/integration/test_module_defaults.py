# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine connection set once for every module: module_defaults with the action group, and DOCKER_* variables."""

import pytest
from helpers_ansible import run_play

pytestmark = pytest.mark.engine

GROUP = "group/podlike.swarm.podlike"
MISSING_SOCKET = "unix:///nonexistent/podlike.sock"


def test_module_defaults_group_sets_the_connection_of_every_module(tmp_path):
    tasks = [
        {"name": "info", "podlike.swarm.podlike_info": {}, "register": "info", "ignore_errors": True},
        {
            "name": "stack",
            "podlike.swarm.podlike_stack": {"name": "itdefaults", "state": "absent", "validate_certs": False},
            "register": "stack",
            "ignore_errors": True,
        },
        {
            "name": "pod",
            "podlike.swarm.podlike_pod": {"name": "itdefaults", "state": "absent"},
            "register": "pod",
            "ignore_errors": True,
        },
        {
            "name": "debug",
            "podlike.swarm.podlike_debug": {"name": "itdefaults", "image": "podlike/busybox:latest"},
            "register": "debug",
            "ignore_errors": True,
        },
    ]
    play = {"module_defaults": {GROUP: {"docker_host": MISSING_SOCKET, "timeout": 5}}}
    results, process = run_play(tmp_path, tasks, ["info", "stack", "pod", "debug"], play=play)
    for name, result in results.items():
        assert result.get("failed") is True, (name, process.stdout)
        assert "/nonexistent/podlike.sock" in result["msg"], (name, result["msg"])

    # The same play with the engine's socket as the group default: every module reaches the engine.
    play = {"module_defaults": {GROUP: {"docker_host": "unix:///var/run/docker.sock", "tls": False}}}
    results, process = run_play(tmp_path, tasks[:3], ["info", "stack", "pod"], play=play)
    for name, result in results.items():
        assert not result.get("failed"), (name, result.get("msg"), process.stdout)
        assert result["changed"] is False, name
    assert results["info"]["swarm"] is True


def test_environment_variables_are_the_fallback(tmp_path):
    task = {
        "name": "info",
        "podlike.swarm.podlike_info": {},
        "register": "info",
        "ignore_errors": True,
        "environment": {"DOCKER_HOST": MISSING_SOCKET, "DOCKER_TIMEOUT": "5"},
    }
    results, process = run_play(tmp_path, [task], ["info"])
    assert results["info"].get("failed") is True, process.stdout
    assert "/nonexistent/podlike.sock" in results["info"]["msg"]

    # DOCKER_TIMEOUT is read as the timeout option: a value that is no number is refused as one.
    task["environment"] = {"DOCKER_TIMEOUT": "soon"}
    results, process = run_play(tmp_path, [task], ["info"])
    assert results["info"].get("failed") is True, process.stdout
    assert "timeout" in results["info"]["msg"] and "int" in results["info"]["msg"], results["info"]["msg"]


def test_ssh_hosts_are_refused_in_one_line(tmp_path):
    task = {
        "name": "info",
        "podlike.swarm.podlike_info": {"docker_host": "ssh://admin@node"},
        "register": "info",
        "ignore_errors": True,
    }
    results, process = run_play(tmp_path, [task], ["info"])
    assert results["info"].get("failed") is True, process.stdout
    assert "ansible_connection=ssh" in results["info"]["msg"] and "\n" not in results["info"]["msg"]
