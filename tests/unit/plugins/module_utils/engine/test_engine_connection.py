"""The engine connection options: names and environment fallbacks as in community.docker, and what they make."""

import pytest
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    EngineOptionError,
    cli_connection,
    client_from_params,
    engine_argument_spec,
    tls_settings,
)

SPEC = engine_argument_spec(env_fallback, name=dict(type="str", required=True))


def validated(monkeypatch, environment, **options):
    """The options as Ansible validates them for a module, with ``environment`` as the module's environment."""
    for variable in ("DOCKER_HOST", "DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_TLS_HOSTNAME", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(variable, raising=False)
    for variable in ("DOCKER_API_VERSION", "DOCKER_TIMEOUT"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    result = ArgumentSpecValidator(SPEC).validate(dict(options, name="x"))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def test_names_and_aliases_are_community_docker_s():
    aliases = {name: set(spec.get("aliases", ())) for name, spec in SPEC.items() if name != "name"}
    assert aliases == {
        "docker_host": {"docker_url"},
        "tls_hostname": set(),
        "api_version": {"docker_api_version"},
        "timeout": set(),
        "ca_path": {"ca_cert", "tls_ca_cert", "cacert_path"},
        "client_cert": {"tls_client_cert", "cert_path"},
        "client_key": {"tls_client_key", "key_path"},
        "tls": set(),
        "validate_certs": {"tls_verify"},
    }


def test_defaults_without_environment(monkeypatch):
    params = validated(monkeypatch, {})
    assert params["docker_host"] == "unix:///var/run/docker.sock"
    assert (params["api_version"], params["timeout"], params["tls"], params["validate_certs"]) == ("auto", 60, 0, 0)
    client = client_from_params(params)
    assert client.base_url == "unix:///var/run/docker.sock" and client.timeout == 60 and not client.tls


def test_environment_fills_what_the_task_does_not_set(monkeypatch):
    environment = {
        "DOCKER_HOST": "tcp://engine:2376",
        "DOCKER_TLS": "1",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_TLS_HOSTNAME": "engine.example.com",
        "DOCKER_API_VERSION": "1.41",
        "DOCKER_TIMEOUT": "7",
    }
    params = validated(monkeypatch, environment)
    assert params["docker_host"] == "tcp://engine:2376" and params["tls_hostname"] == "engine.example.com"
    assert params["tls"] is True and params["validate_certs"] is True
    assert params["api_version"] == "1.41" and params["timeout"] == 7


def test_task_options_win_over_the_environment(monkeypatch):
    params = validated(
        monkeypatch,
        {"DOCKER_HOST": "tcp://engine:2376", "DOCKER_TIMEOUT": "7"},
        docker_url="unix:///run/d.sock",
        timeout=3,
    )
    assert params["docker_host"] == "unix:///run/d.sock" and params["timeout"] == 3


def test_aliases_fill_the_options(monkeypatch):
    params = validated(
        monkeypatch, {}, tls_verify=True, tls_ca_cert="/c/ca.pem", cert_path="/c/cert.pem", key_path="/c/key.pem"
    )
    assert params["validate_certs"] is True
    assert (params["ca_path"], params["client_cert"], params["client_key"]) == (
        "/c/ca.pem",
        "/c/cert.pem",
        "/c/key.pem",
    )


def test_docker_api_version_wins_over_auto(monkeypatch):
    params = validated(monkeypatch, {"DOCKER_API_VERSION": "1.43"})
    assert client_from_params(params).api_version == "1.43"


def test_api_version_auto_negotiates_and_a_pinned_one_is_passed():
    assert client_from_params({"api_version": "auto"}).pinned_api_version is None
    assert client_from_params({"api_version": "1.40"}).api_version == "1.40"
    environment, _flags = cli_connection({"api_version": "auto"})
    assert "DOCKER_API_VERSION" not in environment
    assert cli_connection({"api_version": "1.40"})[0]["DOCKER_API_VERSION"] == "1.40"


def test_tls_settings_with_hostname_and_cert_path(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    assert tls_settings({}) is False
    settings = tls_settings(
        {"validate_certs": True, "tls_hostname": "engine"}, environ={"DOCKER_CERT_PATH": str(tmp_path)}
    )
    assert settings == {
        "ca_cert": str(tmp_path / "ca.pem"),
        "client_cert": str(tmp_path / "cert.pem"),
        "client_key": str(tmp_path / "key.pem"),
        "verify": True,
        "hostname": "engine",
    }
    assert tls_settings({"tls": True, "ca_path": "/own/ca.pem"}, environ={})["verify"] is False


def test_the_cli_gets_the_same_engine(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    params = {
        "docker_host": "tcp://engine:2376",
        "validate_certs": True,
        "ca_path": str(tmp_path / "ca.pem"),
        "client_cert": str(tmp_path / "cert.pem"),
        "client_key": str(tmp_path / "key.pem"),
    }
    environment, flags = cli_connection(params, environ={})
    assert environment == {
        "DOCKER_HOST": "tcp://engine:2376",
        "DOCKER_TLS": "1",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path),
    }
    assert flags == []
    environment, flags = cli_connection(dict(params, ca_path="/elsewhere/root.crt"), environ={})
    assert "DOCKER_CERT_PATH" not in environment
    assert flags == [
        "--tlscacert",
        "/elsewhere/root.crt",
        "--tlscert",
        str(tmp_path / "cert.pem"),
        "--tlskey",
        str(tmp_path / "key.pem"),
    ]
    assert cli_connection({"docker_host": "unix:///run/d.sock"}) == ({"DOCKER_HOST": "unix:///run/d.sock"}, [])


@pytest.mark.parametrize("make", [client_from_params, cli_connection])
def test_ssh_hosts_are_refused_with_the_alternative(make):
    with pytest.raises(EngineOptionError) as error:
        make({"docker_host": "ssh://admin@node"})
    message = str(error.value)
    assert "\n" not in message
    assert "ssh://admin@node" in message and "ansible_connection=ssh" in message
    assert "unix:///var/run/docker.sock" in message
