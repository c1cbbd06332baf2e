"""The engine connection options: names and environment fallbacks as in community.docker, and what they make."""

import datetime

import pytest
from ansible.module_utils.basic import env_fallback, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    EngineOptionError,
    cli_connection,
    client_from_params,
    engine_argument_spec,
    tls_settings,
)
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import module_client

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


def test_an_explicit_auto_negotiates_even_with_docker_api_version_set(monkeypatch):
    params = validated(monkeypatch, {"DOCKER_API_VERSION": "1.43"}, api_version="auto")
    assert params["api_version"] == "auto"
    assert client_from_params(params).pinned_api_version is None
    assert "DOCKER_API_VERSION" not in cli_connection(params)[0]
    # The controller builds its client without options: the variable still pins it there.
    assert DockerClient().pinned_api_version == "1.43"


class FailingModule:
    """The part of AnsibleModule that module_client uses; fail_json raises as Ansible's exits."""

    def __init__(self, **params):
        self.params = params

    def fail_json(self, msg, **_):
        raise SystemExit(msg)


def fail_message(**options):
    """The one line a module fails with for these connection options (every module builds its client this way)."""
    with pytest.raises(SystemExit) as failed:
        module_client(FailingModule(name="x", **options), missing_required_lib, client_from_params)
    message = str(failed.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "options, message",
    [
        ({"docker_host": "tcp://127.0.0.1:abc"}, "docker_host: tcp://127.0.0.1:abc: port 'abc' is not a number"),
        ({"docker_host": "tcp://127.0.0.1:"}, "docker_host: tcp://127.0.0.1:: port '' is not a number"),
        (
            {"docker_host": "https://engine:70000/"},
            "docker_host: https://engine:70000/: port 70000 is not between 1 and 65535",
        ),
        (
            {"docker_host": "npipe:////./pipe/docker"},
            "docker_host: npipe:////./pipe/docker: not a unix://, tcp://, http:// or https:// URL",
        ),
        ({"docker_host": "unix://"}, "docker_host: unix://: names no socket path"),
        ({"api_version": "latest"}, "api_version: 'latest' is not an API version (auto, or one such as 1.44)"),
        ({"timeout": -1}, "timeout: -1 is negative; give the seconds to wait for the engine"),
    ],
)
def test_an_unusable_engine_option_fails_in_one_line_naming_it(options, message):
    assert fail_message(**options) == message


@pytest.mark.parametrize("docker_host", ["unix:///run/d.sock", "/run/d.sock", "tcp://engine", "tcp://engine:2376/"])
def test_usable_engine_urls_pass(docker_host):
    assert client_from_params({"docker_host": docker_host}).base_url == docker_host


def write_pem(path, *parts):
    path.write_bytes(b"".join(parts))
    return str(path)


@pytest.fixture
def tls_files(tmp_path):
    """{name: path} of PEM files: a certificate, its key, another key, its key encrypted, and a file of text."""
    crypto = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "podlike-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )

    def key_pem(private_key, encryption=None):
        return private_key.private_bytes(
            crypto.Encoding.PEM, crypto.PrivateFormat.PKCS8, encryption or crypto.NoEncryption()
        )

    cert_pem = certificate.public_bytes(crypto.Encoding.PEM)
    return {
        "cert": write_pem(tmp_path / "cert.pem", cert_pem),
        "key": write_pem(tmp_path / "key.pem", key_pem(key)),
        "cert_and_key": write_pem(tmp_path / "both.pem", cert_pem, key_pem(key)),
        "other_key": write_pem(tmp_path / "other.pem", key_pem(other_key)),
        "encrypted_key": write_pem(tmp_path / "encrypted.pem", key_pem(key, crypto.BestAvailableEncryption(b"pw"))),
        "text": write_pem(tmp_path / "text.pem", b"not a certificate\n"),
        "directory": str(tmp_path),
        "missing": str(tmp_path / "missing.pem"),
    }


@pytest.mark.parametrize(
    "files, message",
    [
        ({"ca_path": "missing"}, "ca_path: {missing}: no such file"),
        ({"ca_path": "directory"}, "ca_path: {directory}: is a directory"),
        ({"ca_path": "text"}, "ca_path: {text}: holds no PEM certificate"),
        ({"client_cert": "missing", "client_key": "key"}, "client_cert: {missing}: no such file"),
        ({"client_cert": "key", "client_key": "key"}, "client_cert: {key}: holds no PEM certificate"),
        ({"client_cert": "cert"}, "client_cert: {cert}: holds no private key; set client_key"),
        ({"client_cert": "cert", "client_key": "missing"}, "client_key: {missing}: no such file"),
        ({"client_cert": "cert", "client_key": "text"}, "client_key: {text}: holds no PEM private key"),
        (
            {"client_cert": "cert", "client_key": "other_key"},
            "client_key: {other_key}: is not the key of client_cert {cert}",
        ),
        (
            {"client_cert": "cert", "client_key": "encrypted_key"},
            "client_key: {encrypted_key}: the key is encrypted; give one without a passphrase",
        ),
    ],
)
def test_an_unusable_tls_file_fails_in_one_line_naming_the_option(monkeypatch, tls_files, files, message):
    monkeypatch.delenv("DOCKER_CERT_PATH", raising=False)
    options = {option: tls_files[name] for option, name in files.items()}
    assert fail_message(docker_host="tcp://engine:2376", validate_certs=True, **options) == message.format(**tls_files)


def test_usable_tls_files_make_a_client(tls_files):
    client = client_from_params(
        {
            "docker_host": "tcp://engine:2376",
            "tls": True,
            "ca_path": tls_files["cert"],
            "client_cert": tls_files["cert_and_key"],
        },
        environ={},
    )
    assert client.tls["client_cert"] == tls_files["cert_and_key"] and client.tls["client_key"] is None
    client = client_from_params(
        {"validate_certs": True, "client_cert": tls_files["cert"], "client_key": tls_files["key"]}, environ={}
    )
    assert client.tls["verify"] is True


def test_tls_files_are_not_read_without_tls(tls_files):
    """The files only matter with tls or validate_certs; without, they are not used and not checked."""
    assert client_from_params({"ca_path": tls_files["missing"]}).tls is False
