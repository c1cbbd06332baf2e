"""The engine client: percent-encoding as urllib.parse does it (without importing it), connections and their errors."""

import ssl

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    Conflict,
    DockerClient,
    DockerError,
    NotFound,
    quote,
    remove_and_wait,
    tcp_address,
    unix_socket_path,
)


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


def test_an_unversioned_clone_sends_bare_paths_and_negotiates_nothing(monkeypatch):
    client = DockerClient("unix:///nowhere.sock")
    monkeypatch.setattr(DockerClient, "_negotiate", lambda self: pytest.fail("negotiated"))
    clone = client.clone(versioned=False)
    assert clone._path("/info") == "/info" and clone.base_url == client.base_url
    assert client.clone().versioned and not clone.versioned


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


class RemovingClient:
    """Answers a removal with the given error and records the calls."""

    def __init__(self, error=None):
        self.error = error
        self.calls = []

    def remove_container(self, container_id, force=True):
        self.calls.append(("remove", container_id, force))
        if self.error:
            raise self.error

    def wait_container(self, container_id, condition="not-running", timeout=None):
        self.calls.append(("wait", container_id, condition))
        raise NotFound("no such container")


@pytest.mark.parametrize(
    "error, calls",
    [
        (None, [("remove", "c1", True)]),
        (NotFound("no such container"), [("remove", "c1", True)]),
        (Conflict("removal already in progress"), [("remove", "c1", True), ("wait", "c1", "removed")]),
    ],
)
def test_remove_and_wait_waits_only_for_a_removal_in_progress(error, calls):
    client = RemovingClient(error)
    remove_and_wait(client, "c1")
    assert client.calls == calls


def test_remove_and_wait_raises_other_refusals():
    with pytest.raises(DockerError, match="device busy"):
        remove_and_wait(RemovingClient(DockerError("device busy")), "c1")


@pytest.mark.parametrize(
    "tls, error, hinted",
    [
        ({"verify": True}, ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), True),
        ({"verify": True}, ssl.SSLError(1, "tlsv13 alert certificate required"), True),
        ({"verify": True, "client_cert": "cert.pem"}, ssl.SSLEOFError(8, "EOF"), False),
        ({"verify": True}, ssl.SSLCertVerificationError(1, "certificate verify failed"), False),
        ({"verify": True}, ConnectionResetError(104, "Connection reset by peer"), False),
        (False, ssl.SSLEOFError(8, "EOF"), False),
    ],
)
def test_a_tls_session_the_engine_ended_without_a_client_certificate_says_so(tls, error, hinted):
    client = DockerClient("tcp://127.0.0.1:2376", tls=tls)
    assert ("no client certificate was given" in client._tls_hint(error)) is hinted


def test_a_version_set_by_hand_is_tried_once_with_a_versioned_ping(monkeypatch):
    sent = []
    client = DockerClient("unix:///nowhere.sock", api_version="1.41")
    monkeypatch.setattr(DockerClient, "call", lambda self, method, path, **kwargs: sent.append(self._path(path)))
    assert client.check_api_version() == "1.41" and sent == ["/v1.41/_ping"]


@pytest.mark.parametrize(
    "url, address",
    [
        ("tcp://engine:2376", ("engine", 2376)),
        ("https://engine:2376/", ("engine", 2376)),
        ("tcp://engine", ("engine", 2375)),
    ],
)
def test_tcp_address(url, address):
    assert tcp_address(url) == address


@pytest.mark.parametrize(
    "url, message",
    [
        ("tcp://engine:abc", "port 'abc' is not a number"),
        ("tcp://engine:", "port '' is not a number"),
        ("tcp://engine:0", "port 0 is not between 1 and 65535"),
        ("tcp://engine:65536", "port 65536 is not between 1 and 65535"),
    ],
)
def test_tcp_address_refuses_a_bad_port(url, message):
    with pytest.raises(ValueError, match="^%s$" % message):
        tcp_address(url)


@pytest.mark.parametrize(
    "url, tls, message",
    [
        ("tcp://127.0.0.1:abc", False, "port 'abc' is not a number"),
        (
            "tcp://127.0.0.1:2376",
            {"ca_cert": "/nonexistent/ca.pem", "verify": True},
            "(TLS files: /nonexistent/ca.pem)",
        ),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.info(),
        lambda client: client.logs("web"),
        lambda client: client.attach_stdin("web"),
    ],
    ids=["request", "stream", "attach"],
)
def test_a_connection_that_cannot_be_made_is_a_docker_error(url, tls, message, call):
    """A bad port or TLS file is the engine client's DockerError, as the modules and the controller expect."""
    client = DockerClient(url, api_version="1.41", tls=tls)
    with pytest.raises(DockerError) as error:
        call(client)
    assert str(error.value).startswith("cannot connect to the Docker engine at %s: " % url)
    assert message in str(error.value)
