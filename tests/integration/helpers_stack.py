# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Run podlike.swarm.podlike_stack through ansible-playbook and read what it returned."""

import json
import os
import subprocess
import sys

import yaml

COLLECTIONS_PATH = os.environ.get("ANSIBLE_COLLECTIONS_PATH", f"/tmp/podlike-collections-{os.getuid()}")


def run_stack_task(tmp_path, options, check=False, diff=False, environment=None):
    """Run one podlike_stack task (with ``environment`` for the module); return (its result, the process)."""
    result_file = tmp_path / "result.json"
    if result_file.exists():
        result_file.unlink()
    playbook = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "podlike_stack",
                    "podlike.swarm.podlike_stack": options,
                    "register": "stack_result",
                    "ignore_errors": True,
                    "environment": environment or {},
                },
                {
                    "name": "keep the result",
                    "ansible.builtin.copy": {
                        "content": "{{ stack_result | to_json }}",
                        "dest": str(result_file),
                    },
                    "check_mode": False,
                    "diff": False,
                },
            ],
        }
    ]
    playbook_file = tmp_path / "playbook.yml"
    playbook_file.write_text(yaml.safe_dump(playbook))
    inventory = tmp_path / "inventory"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    command = ["ansible-playbook", "-i", str(inventory), str(playbook_file)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    process_environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1")
    process = subprocess.run(command, capture_output=True, text=True, env=process_environment, timeout=600, check=False)
    assert result_file.exists(), f"ansible-playbook did not run the task:\n{process.stdout}\n{process.stderr}"
    return json.loads(result_file.read_text()), process


def write_stack(path, stack):
    """Write a stack file; templates stay literal text, ansible never sees them."""
    path.write_text(yaml.safe_dump(stack, sort_keys=False))
    return str(path)
