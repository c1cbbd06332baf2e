# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""podlike_stack with ``kube``: the ConfigMap and Secret data exist only while ``docker stack deploy`` reads them.

The docker CLI is a script that records what it was given and what it found in ``$PODLIKE_KUBE_DATA``; the engine
answers with the services of the last stack that script deployed.
"""

import copy
import json
import os
import stat
import sys
import tempfile

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_STACK_NAMESPACE
from ansible_collections.podlike.swarm.plugins.module_utils.kube.errors import KubeError
from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import data_directory, stack_for_deploy
from ansible_collections.podlike.swarm.plugins.module_utils.stack.apply import apply
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import StackError
from test_kube_stack import CONFIG_MAP, SECRET, deployment

FAKE_DOCKER = """#!{python}
import json, os, stat, sys

record = {{"args": sys.argv[1:], "stdin": sys.stdin.read(), "data_dir": os.environ.get("PODLIKE_KUBE_DATA")}}
directory = record["data_dir"]
if directory:
    record["dir_mode"] = stat.S_IMODE(os.lstat(directory).st_mode)
    record["files"] = {{}}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name)) as handle:
            mode = stat.S_IMODE(os.lstat(os.path.join(directory, name)).st_mode)
            record["files"][name] = [mode, handle.read()]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
sys.exit(int(os.environ.get("FAKE_DOCKER_EXIT", "0")))
"""

PARAMS = dict(
    name="shop",
    state="present",
    compose=None,
    controller_image=None,
    allow_host_paths=[],
    lenient=False,
    wait_timeout=300,
    docker_host="unix:///var/run/docker.sock",
)


class FakeEngine:
    """The stack's services as the last successful ``docker stack deploy`` of the fake CLI left them, and records."""

    def __init__(self, log):
        self.log = log
        self.configs = []

    def deploys(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as handle:
            records = [json.loads(line) for line in handle]
        return [record for record in records if record["args"][:2] == ["stack", "deploy"]]

    def get(self, path, params=None):
        if path == "/configs":
            return copy.deepcopy(self.configs)
        if path != "/services" or os.environ.get("FAKE_DOCKER_EXIT", "0") != "0" or not self.deploys():
            return []
        stack = yaml.safe_load(self.deploys()[-1]["stdin"])
        return [
            {
                "ID": name,
                "Spec": {
                    "Name": "shop_" + name,
                    "Labels": dict(service["deploy"]["labels"], **{LABEL_STACK_NAMESPACE: "shop"}),
                },
            }
            for name, service in stack["services"].items()
        ]

    def post(self, path, params=None, body=None):
        assert path == "/configs/create"
        self.configs.append({"ID": str(len(self.configs)), "Spec": body, "CreatedAt": str(len(self.configs))})

    def delete(self, path, params=None):
        self.configs = [config for config in self.configs if "/configs/" + config["ID"] != path]


@pytest.fixture
def target(tmp_path, monkeypatch):
    """(manifest path, fake docker binary, engine, temporary directory of the target)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    docker = tmp_path / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable))
    docker.chmod(0o755)
    log = tmp_path / "docker.log"
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    mounts = {"volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}
    env = [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}}]
    documents = [
        CONFIG_MAP,
        SECRET,
        deployment(dict(mounts, env=env), volumes=[{"name": "conf", "configMap": {"name": "conf"}}]),
    ]
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))
    return str(manifest), str(docker), FakeEngine(str(log)), temporary


def deploy(target, check_mode=False, docker=None):
    manifest, docker_bin, engine, _temporary = target
    return apply(dict(PARAMS, kube=[manifest]), engine, docker or docker_bin, check_mode, lambda warning: None)


def test_the_data_is_in_a_private_directory_only_while_docker_stack_deploy_runs(target):
    _manifest, _docker, engine, temporary = target
    result = deploy(target)
    assert result["changed"] is True
    (record,) = engine.deploys()
    assert record["dir_mode"] == 0o700 and os.path.dirname(record["data_dir"]) == str(temporary)
    assert {mode for mode, _content in record["files"].values()} == {0o600}
    assert sorted(content for _mode, content in record["files"].values()) == ["PW=s3cret\n", "x=1\n"]
    stack = yaml.safe_load(record["stdin"])
    named = sorted(entry["file"] for section in ("configs", "secrets") for entry in stack[section].values())
    assert named == sorted("${PODLIKE_KUBE_DATA}/" + name for name in record["files"])
    assert os.listdir(temporary) == []


def test_the_data_is_removed_after_a_failed_deploy(target, monkeypatch):
    _manifest, _docker, engine, temporary = target
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "1")
    with pytest.raises(StackError, match="docker stack deploy shop failed"):
        deploy(target)
    assert len(engine.deploys()) == 1 and os.listdir(temporary) == []


def test_the_data_is_removed_when_the_cli_cannot_run(target, tmp_path):
    with pytest.raises(OSError):
        deploy(target, docker=str(tmp_path / "no-docker"))
    assert os.listdir(target[3]) == []


def test_check_mode_writes_nothing(target):
    _manifest, _docker, engine, temporary = target
    result = deploy(target, check_mode=True)
    assert result["changed"] is True and engine.deploys() == []
    assert os.listdir(temporary) == []


def test_a_planted_symlink_in_the_temporary_directory_is_never_followed(target, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    victim.chmod(0o755)
    (victim / "important.conf").write_text("keep")
    planted = target[3] / "podlike-kube"
    planted.mkdir()
    (planted / "shop").symlink_to(victim)
    deploy(target)
    assert os.listdir(victim) == ["important.conf"] and (victim / "important.conf").read_text() == "keep"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o755
    assert os.listdir(planted) == ["shop"]


def test_a_second_identical_run_changes_nothing(target):
    first = deploy(target)
    second = deploy(target)
    assert first["changed"] is True and second["changed"] is False
    assert second["rendered"] == first["rendered"] and second["stack"] == first["stack"]
    assert "${PODLIKE_KUBE_DATA}/env.web.app-" in first["rendered"] and str(target[3]) not in first["rendered"]
    assert len(target[2].deploys()) == 1


def test_translating_writes_nothing_and_gives_the_same_text(target):
    manifest, _docker, _engine, temporary = target
    first_files, second_files = {}, {}
    assert stack_for_deploy([manifest], "shop", first_files) == stack_for_deploy([manifest], "shop", second_files)
    assert first_files == second_files and len(first_files) == 2
    assert os.listdir(temporary) == []


def test_a_data_directory_is_fresh_private_and_removed_whatever_happens(target):
    temporary = target[3]
    with pytest.raises(RuntimeError):
        with data_directory({"a": b"1", "b": b"2"}) as directory:
            assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
            assert sorted(os.listdir(directory)) == ["a", "b"]
            assert {stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) for name in "ab"} == {0o600}
            raise RuntimeError("the deploy failed")
    assert os.listdir(temporary) == []


def test_a_data_directory_that_cannot_be_written_is_one_line(target, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(target[3] / "missing"))
    with pytest.raises(KubeError, match="cannot write the ConfigMap and Secret data for docker stack deploy"):
        with data_directory({"a": b"1"}):
            raise AssertionError("the block ran")
