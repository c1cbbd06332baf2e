"""Run podlike.swarm module tasks through ansible-playbook and read back their registered results."""

import json
import os
import subprocess
import sys
import uuid

import yaml

COLLECTIONS_ROOT = os.environ.get("COLLECTIONS_ROOT") or "/tmp/podlike-collections-%d" % os.getuid()
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ensure_collection_link():
    link = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "podlike", "swarm")
    if os.path.realpath(link) != REPO:
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(REPO, link)


def playbook_environment(collections_path=None):
    """ansible-playbook's environment: the collection under test, this Python on localhost, plain output.

    With ``collections_path`` (an installed collection), Ansible's home is a fresh one beside it, so that only
    that collection can be found.
    """
    environment = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=collections_path or COLLECTIONS_ROOT,
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
    )
    if collections_path:
        environment["ANSIBLE_HOME"] = os.path.join(collections_path, ".ansible-home")
    return environment


def run_play(tmp_path, tasks, registers, play=None, check=False, diff=False, timeout=300, collections_path=None):
    """Run ``tasks`` on localhost; return ({register: result}, the process).

    Tasks register their results (with ignore_errors, so that failures can be asserted on); a last task writes
    the named registers to a file. ``play`` adds play keywords (module_defaults, vars).
    """
    if collections_path is None:
        ensure_collection_link()
    out = tmp_path / ("results-%s.json" % uuid.uuid4().hex[:8])
    playbook = tmp_path / ("play-%s.yml" % uuid.uuid4().hex[:8])
    save = {
        "name": "keep the results",
        "ansible.builtin.copy": {
            "content": "{{ {%s} | to_json }}"
            % ", ".join("'%s': %s | default({})" % (name, name) for name in registers),
            "dest": str(out),
        },
        "check_mode": False,
        "diff": False,
    }
    play_doc = dict({"hosts": "localhost", "gather_facts": False}, **(play or {}))
    play_doc["tasks"] = list(tasks) + [save]
    playbook.write_text(yaml.safe_dump([play_doc], sort_keys=False))
    command = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)]
    command += ["--check"] if check else []
    command += ["--diff"] if diff else []
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=playbook_environment(collections_path),
        timeout=timeout,
        cwd=str(tmp_path),
        check=False,
    )
    if not out.exists():
        raise AssertionError(
            "ansible-playbook did not run the tasks (%d):\n%s\n%s"
            % (completed.returncode, completed.stdout[-3000:], completed.stderr[-3000:])
        )
    return json.loads(out.read_text()), completed


def run_task(tmp_path, module, args, check=False, diff=False, timeout=300):
    """Run `module` with `args` on localhost; return its registered result, failures included."""
    task = {
        "name": "module under test",
        "podlike.swarm." + module: args,
        "register": "result",
        "ignore_errors": True,
        "check_mode": check,
        "diff": diff,
    }
    results, _process = run_play(tmp_path, [task], ["result"], timeout=timeout)
    return results["result"]


def run_ok(tmp_path, module, args, check=False, diff=False, timeout=300):
    """run_task for a task expected to succeed: a failure fails the test with the module's message."""
    result = run_task(tmp_path, module, args, check=check, diff=diff, timeout=timeout)
    assert not result.get("failed"), "%s failed: %s" % (module, result.get("msg"))
    return result
