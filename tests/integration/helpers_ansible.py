"""Run one podlike.swarm module task through ansible-playbook and read back its registered result."""

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


def run_task(tmp_path, module, args, check=False, diff=False, timeout=300):
    """Run `module` with `args` on localhost; return its registered result (failures included)."""
    ensure_collection_link()
    out = tmp_path / ("result-%s.json" % uuid.uuid4().hex[:8])
    playbook = tmp_path / ("play-%s.yml" % uuid.uuid4().hex[:8])
    task = {
        "name": "module under test",
        "podlike.swarm." + module: args,
        "register": "result",
        "ignore_errors": True,
        "check_mode": check,
        "diff": diff,
    }
    save = {"ansible.builtin.copy": {"content": "{{ result | to_json }}", "dest": str(out)}, "check_mode": False}
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [task, save]}]))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT,
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
    )
    completed = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=str(tmp_path),
        check=False,
    )
    if not out.exists():
        raise AssertionError(
            "ansible-playbook did not run the task (%d):\n%s\n%s"
            % (completed.returncode, completed.stdout[-3000:], completed.stderr[-3000:])
        )
    return json.loads(out.read_text())
