"""The tarball `ansible-galaxy collection build` makes holds what users need and nothing a test run left."""

import fnmatch

import pytest
from collection_build import build_collection, tarball_files

# Top-level entries of the tarball; anything else is a build_ignore that is missing.
SHIPPED = {
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.rst",
    "requirements.txt",
    "bindep.txt",
    "meta",
    "plugins",
    "roles",
    "docs",
    "images",
    "changelogs",
    "tests",
}
NEVER = (
    "*.pyc",
    "*__pycache__*",
    "*.tar.gz",
    ".*",
    "*/.*",
    "Makefile",
    "pyproject.toml",
    "pytest.ini",
    "requirements-dev.txt",
    "scripts/*",
    "benchmarks/*",
    "tests/unit/*",
    "tests/integration/*",
    "tests/soak/*",
    "tests/output/*",
    "roles/*/molecule/*",
    "images/busybox/*",
    "changelogs/fragments/*",
)
NEEDED = (
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "requirements.txt",
    "bindep.txt",
    "plugins/doc_fragments/docker_engine.py",
    "plugins/modules/podlike_stack.py",
    "plugins/module_utils/engine/connection.py",
    "roles/stack/meta/argument_specs.yml",
    "roles/controller_image/tasks/main.yml",
    "images/controller/Dockerfile",
    "images/controller/podlike",
    "images/controller/podlike-healthcheck",
    "docs/templates.md",
    "tests/sanity/ignore-2.19.txt",
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tarball_files(build_collection(str(tmp_path_factory.mktemp("build"))))


def test_the_tarball_holds_what_users_need(files):
    missing = [path for path in NEEDED if path not in files]
    assert not missing, missing
    assert {path.split("/")[0] for path in files} == SHIPPED


def test_the_tarball_holds_nothing_of_the_build_and_test_tools(files):
    unwanted = [path for path in files if any(fnmatch.fnmatch(path, pattern) for pattern in NEVER)]
    assert not unwanted, unwanted
    assert {path for path in files if path.startswith("images/")} == {
        "images/controller/Dockerfile",
        "images/controller/podlike",
        "images/controller/podlike-healthcheck",
    }
