# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The collection as a Galaxy user gets it: built into a tarball, installed into a fresh collections path, used.

Every module's EXAMPLES run as written, with the engine set once through module_defaults and the action group.
The examples name official images; PODLIKE_EXAMPLE_IMAGES (a JSON mapping, default below) replaces them with the
local test images, so the run needs no registry.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import uuid

import pytest
from collection_build import build_collection, install_collection
from conftest import BUSYBOX, docker
from helpers_ansible import playbook_environment, run_play

pytestmark = pytest.mark.swarm

EXAMPLE_IMAGES = json.loads(os.environ.get("PODLIKE_EXAMPLE_IMAGES") or "{}") or {
    "nginx:1.25-alpine": "podlike/nginx:local",
    "nginx:1.25": "podlike/nginx:local",
    "busybox:1.36": BUSYBOX,
}
GROUP = "group/podlike.swarm.podlike"
ENGINE_DEFAULTS = {GROUP: {"docker_host": "unix:///var/run/docker.sock", "timeout": 120}}
# This host has no IPVS: services use DNS round robin and host-mode ports (see README, Clusters without a routing mesh).
STACK_DEFAULTS = {"podlike.swarm.podlike_stack": {"endpoint_mode": "dnsrr", "publish_mode": "host"}}
EXAMPLE_PODS = ("web", "app")
EXAMPLE_STACKS = ("shop", "probe", "catalog")
EXAMPLE_DIRECTORIES = ("/srv/podlike-app", "/srv/podlike-shop")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collections path holding only podlike.swarm, installed from the tarball built from this tree."""
    workdir = tmp_path_factory.mktemp("galaxy")
    tarball = build_collection(str(workdir))
    collections_path = str(workdir / "collections")
    collection = install_collection(tarball, collections_path)
    assert os.path.isfile(os.path.join(collection, "MANIFEST.json"))
    listed = subprocess.run(
        ["ansible-galaxy", "collection", "list", "podlike.swarm"],
        capture_output=True,
        text=True,
        env=playbook_environment(collections_path),
        check=True,
    ).stdout
    assert collections_path in listed and listed.count("podlike.swarm") == 1, listed
    return collections_path


def examples(collections_path, module):
    """The EXAMPLES of an installed module, split into tasks (text), with the local images."""
    path = os.path.join(collections_path, "ansible_collections/podlike/swarm/plugins/modules/%s.py" % module)
    with open(path) as handle:
        tree = ast.parse(handle.read())
    (text,) = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["EXAMPLES"]
    ]
    for official, local in EXAMPLE_IMAGES.items():
        text = text.replace(official, local)
    return ["- name:" + task for task in re.split(r"^- name:", text.strip(), flags=re.M) if task.strip()]


def playbook_text(tasks, module_defaults):
    """One play on localhost running task texts (kept as written: YAML tags such as !unsafe stay)."""
    play = "- hosts: localhost\n  gather_facts: false\n  module_defaults: %s\n  tasks:\n" % json.dumps(module_defaults)
    return play + "".join("    " + line + "\n" for task in tasks for line in task.splitlines())


@pytest.fixture
def example_resources(cleanup):
    cleanup["containers"].extend(EXAMPLE_PODS)
    cleanup["stacks"].extend(EXAMPLE_STACKS)
    yield
    for directory in EXAMPLE_DIRECTORIES:
        shutil.rmtree(directory, ignore_errors=True)


def test_every_module_example_runs_as_written(installed, tmp_path, example_resources):
    pod, debug, info, stack = (
        examples(installed, name) for name in ("podlike_pod", "podlike_debug", "podlike_info", "podlike_stack")
    )
    # The debug examples reach into the first pod example's pod; the last pod examples stop and remove it.
    tasks = pod[:1] + debug + info + pod[1:] + stack
    playbook = tmp_path / "examples.yml"
    playbook.write_text(playbook_text(tasks, dict(ENGINE_DEFAULTS, **STACK_DEFAULTS)))
    process = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)],
        capture_output=True,
        text=True,
        env=playbook_environment(installed),
        timeout=900,
        check=False,
    )
    assert process.returncode == 0, process.stdout[-6000:] + process.stderr[-3000:]
    recap = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", process.stdout)
    assert recap, process.stdout[-3000:]
    for task in tasks:
        name = task.splitlines()[0][len("- name: ") :]
        assert "TASK [%s]" % name in process.stdout, name
    assert docker("ps", "-aq", "--filter", "name=^web$") == ""
    assert docker("service", "ls", "-q", "--filter", "label=com.docker.stack.namespace=shop") == ""


def test_drift_precedence_check_diff_and_mistakes(installed, tmp_path, cleanup):
    name = "itgal" + uuid.uuid4().hex[:6]
    pod = name + "-pod"
    cleanup["stacks"].append(name)
    cleanup["containers"].append(pod)
    stack_file = tmp_path / "stack.yml"
    stack_file.write_text(
        "version: '3.7'\n"
        "services:\n"
        "  app:\n"
        f"    image: {BUSYBOX}\n"
        "    command: [sleep, '3600']\n"
        "    x-podlike:\n"
        "      templates:\n"
        "        - inline: |\n"
        "            side:\n"
        f"              image: {BUSYBOX}\n"
        "              command: [sh, -c, 'echo {{ .Args.Greeting }} && exec sleep 3600']\n"
        "x-podlike:\n"
        "  args:\n"
        "    Greeting: from-the-file\n"
    )
    stack = {"name": name, "compose": [str(stack_file)], "resolve_image": "never"}
    component = {"image": BUSYBOX, "command": "sleep 3600"}
    tasks = [
        # Deploy-time args override the file's x-podlike args.
        task("precedence", "podlike_stack", dict(stack, args={"Greeting": "from-the-task"}), check=True, diff=True),
        task("file_args", "podlike_stack", stack, check=True),
        task("deployed", "podlike_stack", stack),
        {
            "name": "change the service outside Ansible",
            "ansible.builtin.command": {
                "argv": ["docker", "service", "update", "--detach", "--env-add", "X=1", name + "_app"]
            },
            "changed_when": True,
        },
        task("drift_check", "podlike_stack", stack, check=True, diff=True),
        task("drift", "podlike_stack", stack, diff=True),
        task("drift_again", "podlike_stack", stack),
        task("pod_check", "podlike_pod", {"name": pod, "components": {"c": component}}, check=True, diff=True),
        task("info_check", "podlike_info", {"stack": name}, check=True, diff=True),
        task("debug_check", "podlike_debug", {"name": pod, "image": BUSYBOX, "command": "true"}, check=True),
        task("stack_absent_check", "podlike_stack", {"name": name, "state": "absent"}, check=True, diff=True),
        # The five common mistakes.
        task("wrong_type", "podlike_pod", {"name": pod, "components": {"c": component}, "grace_period": "soon"}),
        task("unknown_option", "podlike_stack", dict(stack, replicas=2)),
        task("missing_required", "podlike_debug", {"name": pod}),
        task("missing_file", "podlike_stack", dict(stack, compose=["/nonexistent/stack.yml"])),
        task("unknown_compose_key", "podlike_pod", {"name": pod, "components": {"c": dict(component, bogus=1)}}),
        task("empty_name", "podlike_pod", {"name": "", "components": {"c": component}}),
    ]
    registers = [t["register"] for t in tasks if "register" in t]
    results, process = run_play(
        tmp_path, tasks, registers, play={"module_defaults": ENGINE_DEFAULTS}, timeout=600, collections_path=installed
    )
    for register in (
        "precedence",
        "file_args",
        "deployed",
        "drift_check",
        "drift",
        "drift_again",
        "pod_check",
        "info_check",
    ):
        assert not results[register].get("failed"), (register, results[register].get("msg"), process.stdout[-3000:])
    assert (
        "from-the-task" in results["precedence"]["rendered"]
        and "from-the-file" not in results["precedence"]["rendered"]
    )
    assert "from-the-file" in results["file_args"]["rendered"]
    assert results["deployed"]["changed"] is True

    assert results["drift_check"]["changed"] is True and results["drift_check"]["plan"]["drift"] == ["app"]
    assert "X=1" in results["drift_check"]["diff"][1]["before"]
    assert results["drift"]["changed"] is True
    assert results["drift_again"]["changed"] is False and results["drift_again"]["plan"]["drift"] == []
    env = json.loads(docker("service", "inspect", name + "_app"))[0]["Spec"]["TaskTemplate"]["ContainerSpec"]
    assert "X=1" not in (env.get("Env") or [])

    assert results["pod_check"]["changed"] is True and "sleep 3600" in results["pod_check"]["diff"]["after"]
    assert docker("ps", "-aq", "--filter", "name=^%s$" % pod) == "", "check mode created the pod"
    assert results["info_check"]["changed"] is False and results["info_check"]["services"]
    assert results["debug_check"].get("skipped") is True, "podlike_debug does not run in check mode"
    assert results["stack_absent_check"]["changed"] is True and results["stack_absent_check"]["diff"]["after"] == ""

    expected = {
        "wrong_type": "grace_period",
        "unknown_option": "Unsupported parameters for (podlike.swarm.podlike_stack) module: replicas",
        "missing_required": "missing required arguments: image",
        "missing_file": "cannot read stack file /nonexistent/stack.yml: No such file or directory",
        "unknown_compose_key": 'component "c": key "bogus": unknown Compose key',
        "empty_name": "name must not be empty",
    }
    for register, message in expected.items():
        result = results[register]
        assert result.get("failed") is True, (register, process.stdout[-2000:])
        assert message in result["msg"] and "\n" not in result["msg"], (register, result["msg"])
        assert not result.get("changed"), register
    assert "int" in results["wrong_type"]["msg"]


def task(register, module, args, check=False, diff=False):
    """A task of a module of the installed collection whose result, failures included, is registered."""
    return {
        "name": register,
        "podlike.swarm." + module: args,
        "register": register,
        "ignore_errors": True,
        "check_mode": check,
        "diff": diff,
    }


def run_playbook(installed, playbook, *options):
    return subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)] + list(options),
        capture_output=True,
        text=True,
        env=playbook_environment(installed),
        timeout=600,
        check=False,
    )


def test_stack_role_requires_its_name_and_changes_nothing_in_check_mode(installed, tmp_path, cleanup):
    name = "itrole" + uuid.uuid4().hex[:6]
    cleanup["stacks"].append(name)
    compose = [{"version": "3.7", "services": {"app": {"image": BUSYBOX, "command": ["sleep", "3600"]}}}]
    role_vars = {"stack_compose": compose, "stack_resolve_image": "never", "stack_endpoint_mode": "dnsrr"}
    play = {"hosts": "localhost", "gather_facts": False, "module_defaults": ENGINE_DEFAULTS}

    playbook = tmp_path / "no-name.yml"
    playbook.write_text(
        json.dumps(
            [dict(play, tasks=[{"ansible.builtin.include_role": {"name": "podlike.swarm.stack"}, "vars": role_vars}])]
        )
    )
    process = run_playbook(installed, playbook)
    assert process.returncode != 0, process.stdout
    assert "missing required arguments: stack_name" in process.stdout, process.stdout[-3000:]

    playbook = tmp_path / "check.yml"
    role_vars = dict(role_vars, stack_name=name)
    playbook.write_text(
        json.dumps(
            [dict(play, tasks=[{"ansible.builtin.include_role": {"name": "podlike.swarm.stack"}, "vars": role_vars}])]
        )
    )
    process = run_playbook(installed, playbook, "--check", "--diff")
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    assert re.search(r"localhost\s+: ok=\d+\s+changed=1\s+unreachable=0\s+failed=0", process.stdout), process.stdout
    assert docker("service", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={name}") == ""


def test_the_readme_playbook_runs(installed, tmp_path, cleanup):
    """The README's playbook for Galaxy users, on localhost, with the local images and its own directory."""
    cleanup["containers"].append("web")
    cleanup["stacks"].append("shop")
    with open(os.path.join(installed, "ansible_collections/podlike/swarm/README.md")) as handle:
        readme = handle.read()
    start = readme.index("- name: Pods and stacks on a Swarm manager")
    text = readme[start : readme.index("```", start)]
    text = text.replace("hosts: swarm_managers[0]", "hosts: localhost\n  gather_facts: false")
    text = text.replace("/srv/shop", "/srv/podlike-readme")
    for official, local in EXAMPLE_IMAGES.items():
        text = text.replace(official, local)
    text = text.replace(
        "        wait: true\n", "        wait: true\n        resolve_image: never\n        endpoint_mode: dnsrr\n"
    )
    playbook = tmp_path / "readme.yml"
    playbook.write_text(text)
    try:
        process = run_playbook(installed, playbook)
    finally:
        shutil.rmtree("/srv/podlike-readme", ignore_errors=True)
    assert process.returncode == 0, process.stdout[-5000:] + process.stderr[-2000:]
    assert re.search(r"localhost\s+: ok=6\s+changed=4\s+unreachable=0\s+failed=0", process.stdout), process.stdout
