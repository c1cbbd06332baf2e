"""Templating figures: render_stack in-process, and podlike_stack on an unchanged stack through ansible-playbook."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_ROOT = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or f"/tmp/podlike-collections-{os.getuid()}"
# The play's recap: its one task ran and changed nothing.
UNCHANGED_RECAP = re.compile(r"\bok=1\s+changed=0\s+unreachable=0\s+failed=0\b")
COMPONENT_IMAGE = os.environ.get("PODLIKE_TEST_BUSYBOX", "podlike/busybox:latest")

APP_TEMPLATE = {
    "inline": textwrap.dedent(
        """\
        app:
          image: {{ .Service.Image }}
          command: {{ .Service.Command }}
          environment:
            SERVICE: "{{ .Service.Name }}"
            PORT: "{{ .Args.Port }}"
        """
    )
}
SIDECAR_TEMPLATE = {
    "inline": textwrap.dedent(
        """\
        proxy:
          image: {{ .Args.ProxyImage }}
          command: httpd -f -p {{ .Args.Port }}
          depends_on: [app]
          healthcheck:
            test: ["CMD", "true"]
            interval: 5s
        """
    )
}


def templated_stack(count):
    services = {}
    for index in range(count):
        services[f"svc{index:03d}"] = {
            "image": COMPONENT_IMAGE,
            "command": "sleep 300",
            "deploy": {"replicas": 0},
            "x-podlike": {
                "transformer": APP_TEMPLATE,
                "templates": [SIDECAR_TEMPLATE],
                "args": {"Port": 8000 + index, "ProxyImage": COMPONENT_IMAGE},
            },
        }
    return {"version": "3.7", "services": services}


def _render():
    sys.path.insert(0, COLLECTIONS_ROOT)
    from ansible_collections.podlike.swarm.plugins.module_utils.template.render import (
        render_stack,
    )

    return render_stack


def render_seconds(count=500):
    """Seconds render_stack takes for `count` templated services (the stack built beforehand)."""
    render_stack = _render()
    stack = templated_stack(count)
    started = time.perf_counter()
    rendered = render_stack([stack], workdir=REPO, endpoint_mode="dnsrr")
    elapsed = time.perf_counter() - started
    if len(rendered["services"]) != count:
        raise AssertionError(f"rendered {len(rendered['services'])} services, expected {count}")
    return elapsed


def baseline_render_seconds(count=500):
    """The irreducible part of the same work: each component's definition written as a YAML label."""
    stack = templated_stack(count)
    started = time.perf_counter()
    output = {}
    for name, service in stack["services"].items():
        args = service["x-podlike"]["args"]
        app = {
            "image": service["image"],
            "command": service["command"],
            "environment": {"SERVICE": name, "PORT": str(args["Port"])},
        }
        proxy = {
            "image": args["ProxyImage"],
            "command": f"httpd -f -p {args['Port']}",
            "depends_on": ["app"],
            "healthcheck": {"test": ["CMD", "true"], "interval": "5s"},
        }
        output[name] = {
            "image": "podlike/controller:latest",
            "labels": {
                "pod.component.app": yaml.safe_dump(app, default_flow_style=False),
                "pod.component.proxy": yaml.safe_dump(proxy, default_flow_style=False),
            },
            "deploy": {"replicas": 0, "endpoint_mode": "dnsrr"},
        }
    yaml.safe_dump({"version": "3.7", "services": output})
    return time.perf_counter() - started


def _task_seconds(report_dir):
    """The time of the one task of a play's junit report (ansible's own clock, task start to result), else None."""
    from xml.etree import ElementTree

    times = []
    for filename in os.listdir(report_dir):
        for case in ElementTree.parse(os.path.join(report_dir, filename)).iter("testcase"):
            times.append(float(case.get("time")))
    return times[0] if len(times) == 1 else None


class AnsibleStack:
    """A 20-service stack deployed once with podlike_stack; then timed re-runs, which must change nothing.

    Every playbook is one play on localhost with the same settings (no facts, the interpreter given); the module's
    and the baseline's have one task each. Two more plays measure the floor both sides stand on: the play
    without tasks (``ansible-playbook``'s own start) and the play with one ``ansible.builtin.ping`` task (a module
    that does nothing, packed, sent and run).
    """

    def __init__(self, name, count=20):
        self.name = name
        self.plain_name = name + "-plain"
        self.directory = tempfile.mkdtemp(prefix="bench-ansible-")
        with open(os.path.join(self.directory, "stack.yml"), "w") as handle:
            yaml.safe_dump(templated_stack(count), handle)
        rendered = _render()([templated_stack(count)], workdir=REPO, endpoint_mode="dnsrr")
        with open(os.path.join(self.directory, "rendered.yml"), "w") as handle:
            yaml.safe_dump(rendered, handle)
        self._playbook("module.yml", self._module_task())
        self._playbook("plain.yml", self._plain_task())
        self._playbook("remove.yml", self._remove_tasks())
        self._playbook("empty.yml", "")
        self._playbook("ping.yml", "- name: ping\n  ansible.builtin.ping:\n")

    def _module_task(self):
        return textwrap.dedent(
            f"""\
            - name: podlike_stack
              podlike.swarm.podlike_stack:
                name: {self.name}
                compose: ["{self.directory}/stack.yml"]
                endpoint_mode: dnsrr
                resolve_image: never
            """
        )

    def _plain_task(self):
        return textwrap.dedent(
            f"""\
            - name: docker stack deploy
              ansible.builtin.command: >-
                docker stack deploy --resolve-image never -c {self.directory}/rendered.yml {self.plain_name}
              changed_when: false
            """
        )

    def _remove_tasks(self):
        return textwrap.dedent(
            f"""\
            - name: remove
              podlike.swarm.podlike_stack:
                name: {self.name}
                state: absent
            - name: remove plain
              ansible.builtin.command: docker stack rm {self.plain_name}
              changed_when: false
            """
        )

    def _playbook(self, filename, tasks):
        body = "\n" + textwrap.indent(tasks, "    ") if tasks else " []\n"
        text = "- hosts: localhost\n  gather_facts: false\n  tasks:" + body
        with open(os.path.join(self.directory, filename), "w") as handle:
            handle.write(text)

    def run(self, filename):
        """(seconds ansible-playbook takes, its output, seconds of its one task as the junit callback times it)."""
        report_dir = tempfile.mkdtemp(prefix="junit-", dir=self.directory)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_COLLECTIONS_PATHS=COLLECTIONS_ROOT)
        env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        env.update(ANSIBLE_CALLBACKS_ENABLED="ansible.builtin.junit", JUNIT_OUTPUT_DIR=report_dir)
        started = time.perf_counter()
        result = subprocess.run(
            ["ansible-playbook", "-i", "localhost,", "-c", "local", os.path.join(self.directory, filename)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=600,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"ansible-playbook {filename} failed: {(result.stdout + result.stderr)[-2000:]}")
        return elapsed, result.stdout, _task_seconds(report_dir)

    def unchanged_seconds(self):
        """(seconds of the whole play, seconds of the podlike_stack task) of a run that changes nothing."""
        elapsed, output, task = self.run("module.yml")
        if not UNCHANGED_RECAP.search(output):
            raise RuntimeError(f"podlike_stack reported a change on an unchanged stack: {output[-500:]}")
        return elapsed, task

    def remove(self):
        try:
            self.run("remove.yml")
        except (RuntimeError, subprocess.TimeoutExpired):
            subprocess.run(["docker", "stack", "rm", self.name, self.plain_name], capture_output=True, check=False)
        shutil.rmtree(self.directory, ignore_errors=True)
