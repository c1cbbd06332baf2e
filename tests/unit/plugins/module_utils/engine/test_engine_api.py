"""Percent-encoding of paths and queries, as urllib.parse does it (without importing it)."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, quote, unix_socket_path


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("podlike/busybox:latest", "podlike%2Fbusybox%3Alatest"),
        ("a b&c=d", "a%20b%26c%3Dd"),
        ("é%", "%C3%A9%25"),
        ("Az09-._~", "Az09-._~"),
    ],
)
def test_quote(text, encoded):
    assert quote(text) == encoded


def test_query_of_a_request():
    path = DockerClient(api_version="1.41")._path("/containers/json", {"all": True, "filters": {"label": ["a=b"]}})
    assert path == "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%20%5B%22a%3Db%22%5D%7D"


@pytest.mark.parametrize(
    "docker_host, base_url, path",
    [
        ("unix:///custom/engine.sock", None, "/custom/engine.sock"),
        (None, None, "/var/run/docker.sock"),
        ("tcp://127.0.0.1:2375", None, None),
        (None, "/run/docker.sock", "/run/docker.sock"),
        (None, "https://engine:2376", None),
    ],
)
def test_the_unix_socket_follows_the_url_else_docker_host(monkeypatch, docker_host, base_url, path):
    if docker_host:
        monkeypatch.setenv("DOCKER_HOST", docker_host)
    else:
        monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert unix_socket_path(base_url) == path
