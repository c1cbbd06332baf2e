"""API version negotiation: the engine's version capped at the newest audited one, once per process."""

import pickle

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine import api as engine_api
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    DockerClient,
    DockerError,
    event_subject,
    version_tuple,
)

JSON_OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"Version":"1"}'

TOO_OLD = (
    b'{"message":"client version 1.51 is too old. Minimum supported API version is 1.52, '
    b'please upgrade your client to a newer version"}'
)


def ping(api_version, server="Docker/28.5.2 (linux)"):
    return (
        "HTTP/1.1 200 OK\r\nApi-Version: %s\r\nServer: %s\r\nContent-Length: 2\r\n\r\nOK" % (api_version, server)
    ).encode()


@pytest.fixture(autouse=True)
def fresh_negotiation(monkeypatch):
    monkeypatch.setattr(engine_api, "_negotiated", {})
    monkeypatch.delenv("DOCKER_API_VERSION", raising=False)


def negotiating_client(server):
    return DockerClient(base_url="unix://" + server.path, timeout=5)


@pytest.mark.parametrize(
    "engine_api, spoken",
    [("1.41", "1.41"), ("1.44", "1.44"), ("1.51", "1.51"), ("1.52", "1.51"), ("1.60", "1.51"), ("2.0", "1.51")],
)
def test_the_engine_version_up_to_the_newest_audited(engine, engine_api, spoken):
    server = engine([ping(engine_api), JSON_OK])
    client = negotiating_client(server)
    assert client.version() == {"Version": "1"}
    assert [line for line, _body in server.requests] == ["GET /_ping HTTP/1.1", "GET /v%s/version HTTP/1.1" % spoken]
    assert client.api_version == spoken and client.engine_version == "28.5.2"
    assert server.connections == 1


def test_one_negotiation_per_process_shared_by_clones_and_new_clients(engine):
    server = engine([ping("1.47"), JSON_OK, JSON_OK, JSON_OK])
    client = negotiating_client(server)
    for each in (client, client.clone(), negotiating_client(server)):
        each.version()
        each.close()  # the canned engine serves one connection at a time
    assert [line for line, _body in server.requests].count("GET /_ping HTTP/1.1") == 1
    assert server.requests[-1][0] == "GET /v1.47/version HTTP/1.1"


def test_a_pickled_client_carries_its_negotiation_and_not_its_connection(engine, monkeypatch):
    """The controller's start-up process hands its client on: the controller speaks without a new /_ping."""
    server = engine([ping("1.47"), JSON_OK, JSON_OK])
    client = negotiating_client(server)
    client.version()
    data = pickle.dumps(client)
    client.close()
    monkeypatch.setattr(engine_api, "_negotiated", {})
    handed_on = pickle.loads(data)
    assert handed_on.version() == {"Version": "1"}
    assert [line for line, _body in server.requests] == [
        "GET /_ping HTTP/1.1",
        "GET /v1.47/version HTTP/1.1",
        "GET /v1.47/version HTTP/1.1",
    ]
    assert handed_on.describe_api() == "API 1.47 (negotiated with Docker 28.5.2)"


def test_an_explicit_version_wins_and_is_not_negotiated(engine, monkeypatch):
    server = engine([JSON_OK, JSON_OK])
    DockerClient(base_url="unix://" + server.path, api_version="1.43", timeout=5).version()
    monkeypatch.setenv("DOCKER_API_VERSION", "1.44")
    negotiating_client(server).version()
    assert [line for line, _body in server.requests] == ["GET /v1.43/version HTTP/1.1", "GET /v1.44/version HTTP/1.1"]


def test_an_engine_older_than_docker_20_10_is_refused(engine):
    server = engine([ping("1.40", "Docker/19.03.15 (linux)")])
    with pytest.raises(DockerError, match=r"speaks API 1\.40; podlike.swarm needs 1\.41 \(Docker 20\.10\) or newer"):
        negotiating_client(server).info()


def test_an_engine_whose_minimum_is_above_the_newest_audited_says_so(engine):
    server = engine(
        [ping("1.60"), b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(TOO_OLD), TOO_OLD)]
    )
    with pytest.raises(DockerError) as raised:
        negotiating_client(server).info()
    message = str(raised.value)
    assert "no longer speaks API 1.51, the newest podlike.swarm supports" in message
    assert "Minimum supported API version is 1.52" in message and "\n" not in message


def test_an_explicit_version_gets_the_engine_own_message(engine):
    too_old = TOO_OLD.replace(b"1.51", b"1.41")
    server = engine([b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(too_old), too_old)])
    with pytest.raises(DockerError, match=r"^client version 1\.41 is too old\. Minimum supported API version is 1\.52"):
        DockerClient(base_url="unix://" + server.path, api_version="1.41", timeout=5).info()


def test_versions_compare_as_numbers():
    assert version_tuple("1.9") < version_tuple("1.41") < version_tuple("1.100")
    with pytest.raises(DockerError, match="not an API version"):
        version_tuple("latest")


@pytest.mark.parametrize(
    "event",
    [
        {"Type": "container", "Action": "die", "Actor": {"ID": "abc", "Attributes": {}}},  # API 1.52 and later
        {"status": "die", "id": "abc", "from": "busybox", "Type": "container", "Action": "die", "Actor": {"ID": "abc"}},
        {"status": "die", "id": "abc"},  # engines before API 1.22
    ],
)
def test_events_name_their_container_with_or_without_the_old_fields(event):
    assert event_subject(event) == ("abc", "die")
