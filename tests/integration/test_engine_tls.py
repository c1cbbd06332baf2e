# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine over TCP with TLS, as a remote node's engine is reached: the engine client, the modules and the
docker CLI that podlike_stack runs, against an endpoint in front of the real engine that requires client
certificates. A certificate from another CA and a missing client certificate are refused, each in one line.
"""

import ssl
import subprocess
import uuid

import pytest
from conftest import BUSYBOX, containers, docker, wait_until
from helpers_ansible import run_task
from helpers_engine import ENGINE_SOCKET, EngineEndpoint
from helpers_stack import run_stack_ok, write_stack

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import client_from_params

pytestmark = pytest.mark.swarm

LEAF_EXTENSIONS = (
    "basicConstraints=CA:FALSE\n"
    "authorityKeyIdentifier=keyid,issuer\n"
    "subjectKeyIdentifier=hash\n"
    "keyUsage=critical,digitalSignature,keyEncipherment\n"
)


def openssl(directory, *args):
    subprocess.run(["openssl"] + list(args), cwd=str(directory), check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    openssl(
        directory,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=" + name,
        "-keyout",
        name + "-key.pem",
        "-out",
        name + ".pem",
    )


def make_leaf(directory, ca, name, extensions):
    (directory / (name + ".ext")).write_text(LEAF_EXTENSIONS + extensions)
    openssl(
        directory,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=" + name,
        "-keyout",
        name + "-key.pem",
        "-out",
        name + ".csr",
    )
    openssl(
        directory,
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + "-key.pem",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".pem",
    )


def tls_endpoint(directory):
    """An EngineEndpoint on 127.0.0.1 with TLS, client certificates of the test CA required."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(directory / "ca.pem"))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(str(directory / "server.pem"), str(directory / "server-key.pem"))
    return EngineEndpoint(context=context)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    make_ca(directory, "ca")
    make_ca(directory, "other-ca")
    make_leaf(directory, "ca", "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    make_leaf(directory, "ca", "client", "extendedKeyUsage=clientAuth\n")
    # The docker CLI's names, in one directory (DOCKER_CERT_PATH).
    client_dir = directory / "client"
    client_dir.mkdir()
    for source, target in (("ca.pem", "ca.pem"), ("client.pem", "cert.pem"), ("client-key.pem", "key.pem")):
        (client_dir / target).write_bytes((directory / source).read_bytes())
    return directory


@pytest.fixture(scope="module")
def endpoint(certificates):
    served = tls_endpoint(certificates)
    yield served
    served.close()


def tls_options(endpoint, certificates, **changes):
    options = {
        "docker_host": endpoint.url,
        "validate_certs": True,
        "ca_path": str(certificates / "client" / "ca.pem"),
        "client_cert": str(certificates / "client" / "cert.pem"),
        "client_key": str(certificates / "client" / "key.pem"),
        "timeout": 20,
    }
    options.update(changes)
    return dict((key, value) for key, value in options.items() if value is not None)


def test_the_engine_client_reaches_the_engine_over_tls(endpoint, certificates):
    client = client_from_params(tls_options(endpoint, certificates))
    try:
        over_tls = client.info()
    finally:
        client.close()
    assert over_tls["ID"] == docker("info", "--format", "{{.ID}}").strip()


@pytest.mark.parametrize(
    "changes, refused_by",
    [
        # The attacker's endpoint: a certificate the given CA did not sign.
        ({"ca_path": "other-ca.pem"}, "certificate verify failed"),
        # No client certificate: the engine's endpoint refuses the connection.
        ({"client_cert": None, "client_key": None}, "no client certificate was given: set client_cert"),
    ],
)
def test_a_certificate_that_does_not_verify_is_refused_in_one_line(endpoint, certificates, changes, refused_by):
    changes = dict((key, str(certificates / value) if value else None) for key, value in changes.items())
    client = client_from_params(tls_options(endpoint, certificates, **changes))
    with pytest.raises(DockerError) as error:
        client.info()
    client.close()
    message = str(error.value)
    assert "\n" not in message and endpoint.url.split("//")[1] in message, message
    assert refused_by in message, message


def test_without_verification_the_same_endpoint_is_reached(endpoint, certificates):
    """What validate_certs guards against: the other CA's trust, unverified, reaches the engine."""
    client = client_from_params(
        tls_options(endpoint, certificates, validate_certs=False, tls=True, ca_path=str(certificates / "other-ca.pem"))
    )
    try:
        assert client.info()["ID"]
    finally:
        client.close()


def test_modules_and_the_docker_cli_work_over_tls(tmp_path, endpoint, certificates, cleanup):
    info = run_task(tmp_path, "podlike_info", tls_options(endpoint, certificates))
    assert not info.get("failed"), info.get("msg")
    refused = run_task(
        tmp_path, "podlike_info", tls_options(endpoint, certificates, ca_path=str(certificates / "other-ca.pem"))
    )
    assert refused.get("failed") is True and "certificate verify failed" in refused["msg"], refused

    name = "ittls" + uuid.uuid4().hex[:8]
    cleanup["stacks"].append(name)
    stack = {
        "version": "3.7",
        "services": {
            "web": {
                "image": "podlike/controller:latest",
                "volumes": ["%s:%s:ro" % (ENGINE_SOCKET, ENGINE_SOCKET)],
                "labels": {"pod.component.app": "image: %s\ncommand: [sleep, '300']\n" % BUSYBOX},
            }
        },
    }
    options = dict(
        tls_options(endpoint, certificates),
        name=name,
        compose=[write_stack(tmp_path / "stack.yml", stack)],
        resolve_image="never",
        endpoint_mode="dnsrr",
        wait=True,
        wait_timeout=120,
    )
    deployed, _process = run_stack_ok(tmp_path, options)
    assert deployed["changed"] is True
    wait_until(
        lambda: containers("label=podlike.stack=" + name, "label=podlike.component=app", "status=running"),
        timeout=60,
        message="the component of the pod deployed over TLS",
    )
    removed, _process = run_stack_ok(tmp_path, dict(options, state="absent"))
    assert removed["changed"] is True
    assert docker("stack", "ls", "--format", "{{.Name}}").split().count(name) == 0
    assert endpoint.refused, "the endpoint saw no refused handshake"
