"""The Docker host options and the client they make."""

from ansible_collections.podlike.swarm.plugins.module_utils.engine_client import client_from_params, tls_settings


def test_defaults_follow_the_environment():
    client = client_from_params({"api_version": "auto", "timeout": 5}, environ={"DOCKER_HOST": "tcp://h:2375"})
    assert client.base_url == "tcp://h:2375" and client.timeout == 5
    assert client.pinned_api_version is None and client.tls is None  # negotiated at the first call


def test_options_win_over_the_environment():
    params = {"docker_host": "unix:///run/d.sock", "api_version": "1.40", "tls": True, "ca_path": "/ca.pem"}
    client = client_from_params(params, environ={"DOCKER_HOST": "tcp://h:2375", "DOCKER_API_VERSION": "1.39"})
    assert client.base_url == "unix:///run/d.sock" and client.api_version == "1.40"
    assert client.tls == {"ca_cert": "/ca.pem", "client_cert": None, "client_key": None, "verify": False}


def test_docker_api_version_wins_over_auto():
    client = client_from_params({"api_version": "auto"}, environ={"DOCKER_API_VERSION": "1.43"})
    assert client.api_version == "1.43"


def test_tls_only_when_asked():
    assert tls_settings({}) is None
    assert tls_settings({"validate_certs": True})["verify"] is True
