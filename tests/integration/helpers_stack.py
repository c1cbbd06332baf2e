# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Run podlike.swarm.podlike_stack through ansible-playbook and read what it returned."""

import yaml
from helpers_ansible import run_play


def run_stack_task(tmp_path, options, check=False, diff=False, environment=None):
    """Run one podlike_stack task (with ``environment`` for the module); return (its result, the process)."""
    task = {
        "name": "podlike_stack",
        "podlike.swarm.podlike_stack": options,
        "register": "stack_result",
        "ignore_errors": True,
        "environment": environment or {},
    }
    results, process = run_play(tmp_path, [task], ["stack_result"], check=check, diff=diff, timeout=600)
    return results["stack_result"], process


def run_stack_ok(tmp_path, options, check=False, diff=False, environment=None):
    """run_stack_task for a task expected to succeed: a failure fails the test with the module's message."""
    result, process = run_stack_task(tmp_path, options, check=check, diff=diff, environment=environment)
    assert not result.get("failed"), "podlike_stack failed: %s\n%s" % (result.get("msg"), process.stdout[-2000:])
    return result, process


def write_stack(path, stack):
    """Write a stack file; templates stay literal text, ansible never sees them."""
    path.write_text(yaml.safe_dump(stack, sort_keys=False))
    return str(path)
