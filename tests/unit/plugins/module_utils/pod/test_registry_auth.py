"""Registry credentials for component pulls."""

import base64
import json

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.registry_auth import auth_header, registry_host


@pytest.mark.parametrize(
    "image, host",
    [
        ("nginx", "docker.io"),
        ("nginx:1.25", "docker.io"),
        ("rycus86/podlike", "docker.io"),
        ("registry.example.com/g/app:1.0", "registry.example.com"),
        ("localhost:5000/app", "localhost:5000"),
        ("localhost/app", "localhost"),
        ("LOCALHOST/app", "LOCALHOST"),
        ("Evil/app:1", "Evil"),
        ("index.docker.io/library/nginx", "docker.io"),
    ],
)
def test_registry_host(image, host):
    assert registry_host(image) == host


def decode(header):
    return json.loads(base64.urlsafe_b64decode(header.encode("ascii")))


def test_credentials_from_a_config_file(tmp_path):
    config = tmp_path / "config.json"
    auth = base64.b64encode(b"me:s3cret").decode()
    config.write_text(
        json.dumps(
            {
                "auths": {
                    "https://index.docker.io/v1/": {"auth": auth},
                    "registry.example.com": {"username": "ci", "password": "pw"},
                }
            }
        )
    )
    assert decode(auth_header("rycus86/podlike", paths=[str(config)])) == {
        "username": "me",
        "password": "s3cret",
        "serveraddress": "https://index.docker.io/v1/",
    }
    assert decode(auth_header("registry.example.com/app", paths=[str(config)]))["username"] == "ci"
    assert auth_header("other.example.com/app", paths=[str(config)]) is None
    # The engine pulls these from a registry named by their first component: Docker Hub's credentials stay home.
    assert auth_header("LOCALHOST/app", paths=[str(config)]) is None
    assert auth_header("Evil/app", paths=[str(config)]) is None


def test_bad_config_is_ignored_with_a_warning(tmp_path):
    config = tmp_path / "config.json"
    config.write_text("{not json")
    warnings = []
    assert auth_header("nginx", paths=[str(config)], warn=warnings.append) is None
    assert "ignoring registry credentials" in warnings[0]
