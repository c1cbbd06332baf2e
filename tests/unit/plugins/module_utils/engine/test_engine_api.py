"""Percent-encoding of paths and queries, as urllib.parse does it (without importing it)."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, quote


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
