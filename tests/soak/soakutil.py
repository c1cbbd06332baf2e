"""Helpers of the soak tests: the docker CLI against one node, and checks for orphans and half-started pods."""

import json
import os
import subprocess
import time

from waiting import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "multinode.sh")
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
NODES = (1, 2, 3)
CONTROLLER_IMAGE = "podlike/controller:latest"
BUSYBOX = "podlike/busybox:latest"
# Inside each node's mount namespace this path is that node's own engine socket (see multinode.sh).
NODE_SOCKET = "/run/podlike-node/docker.sock"
SOCKET_MOUNT = "type=bind,source=%s,target=/var/run/docker.sock,readonly" % NODE_SOCKET
SOCKET_VOLUME = "%s:/var/run/docker.sock:ro" % NODE_SOCKET
LABEL_CONTROLLER_ID = "podlike.controller.id"
LABEL_ROLE = "podlike.role"

ENABLED = os.environ.get("PODLIKE_SOAK") == "1"
SKIP_REASON = (
    "soak tests run only with PODLIKE_SOAK=1 (make soak): they build a three-node Swarm with "
    "scripts/multinode.sh (root, network namespaces, three extra dockerd) and take several minutes"
)


def socket(node):
    return "unix:///run/docker-pl-node%d.sock" % node


def dk(node, *args, check=True, timeout=120, input=None):
    """The docker CLI against node N's engine; stdout stripped."""
    result = subprocess.run(
        ["docker", "-H", socket(node)] + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            "docker -H node%d %s failed (%d): %s" % (node, " ".join(map(str, args)), result.returncode, result.stderr)
        )
    return result.stdout.strip()


def multinode(*args, timeout=600):
    result = subprocess.run([SCRIPT] + list(args), capture_output=True, text=True, timeout=timeout, check=False)
    print(result.stdout, end="")
    if result.returncode != 0:
        raise AssertionError("multinode.sh %s failed: %s%s" % (" ".join(args), result.stdout, result.stderr))
    return result.stdout


def lines(text):
    return [line for line in text.splitlines() if line.strip()]


def running_ids(node):
    return set(lines(dk(node, "ps", "-q", "--no-trunc")))


def components(node, *filters):
    """[(id, name, controller id, state)] of the component containers (all states) on node."""
    args = ["ps", "-a", "--no-trunc", "--filter", "label=%s" % LABEL_CONTROLLER_ID]
    for item in filters:
        args += ["--filter", item]
    args += ["--format", '{{.ID}}\t{{.Names}}\t{{.Label "%s"}}\t{{.State}}' % LABEL_CONTROLLER_ID]
    return [tuple(line.split("\t")) for line in lines(dk(node, *args))]


def orphans(nodes=NODES):
    """Components, on the given nodes, whose controller is not a running container of the same node."""
    found = []
    for node in nodes:
        alive = running_ids(node)
        for _cid, name, owner, state in components(node):
            if owner not in alive:
                found.append("node%d:%s(%s, controller %s)" % (node, name, state, owner[:12]))
    return found


def controllers(node, service):
    """{id: name} of the running controller containers of a Swarm service on node."""
    out = dk(
        node,
        "ps",
        "--no-trunc",
        "--filter",
        "label=com.docker.swarm.service.name=%s" % service,
        "--format",
        "{{.ID}}\t{{.Names}}",
    )
    return dict(line.split("\t") for line in lines(out))


def running_components(node, controller_id):
    """Names (the part after '.podlike.') of the running components of one controller (role component)."""
    out = dk(
        node,
        "ps",
        "--filter",
        "label=%s=%s" % (LABEL_CONTROLLER_ID, controller_id),
        "--filter",
        "label=%s=component" % LABEL_ROLE,
        "--format",
        "{{.Names}}",
    )
    return sorted(name.split(".podlike.", 1)[1] for name in lines(out) if ".podlike." in name)


def pods_complete(service, names, nodes=NODES):
    """{node: [controller ids]} where every running controller has all its components running,
    or None when some running controller lacks one."""
    expected = sorted(set(names))
    placed = {}
    for node in nodes:
        for cid in controllers(node, service):
            if running_components(node, cid) != expected:
                return None
            placed.setdefault(node, []).append(cid)
    return placed


def count(placed):
    return sum(len(v) for v in (placed or {}).values())


def pod_labels(names, extra=None, command="sleep 3600", flag="--container-label"):
    """Label arguments for components named names (busybox running command); extra: {name: yaml lines}."""
    args = []
    for name in names:
        definition = "image: %s\ncommand: %s\n" % (BUSYBOX, command)
        if extra and name in extra:
            definition = "image: %s\n%s" % (BUSYBOX, extra[name])
        args += [flag, "pod.component.%s=%s" % (name, definition)]
    return args


def create_service(name, names, replicas=3, stop_grace="2s", extra_args=()):
    args = [
        "service",
        "create",
        "-d",
        "--no-resolve-image",
        "--name",
        name,
        "--replicas",
        replicas,
        "--stop-grace-period",
        stop_grace,
        "--restart-condition",
        "any",
        "--restart-delay",
        "1s",
        "--mount",
        SOCKET_MOUNT,
    ]
    args += pod_labels(names) + list(extra_args) + [CONTROLLER_IMAGE]
    return dk(1, *args)


def remove_service(name):
    dk(1, "service", "rm", name, check=False)
    wait_until(
        lambda: not any(controllers(n, name) for n in NODES) and not orphans(),
        timeout=90,
        message="service %s and its components gone" % name,
    )


class Results:
    """Figures of the soak run, written to results.json after every test."""

    def __init__(self):
        self.data = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "tests": {}}

    def record(self, test, **figures):
        self.data["tests"].setdefault(test, {}).update(figures)
        self.write()

    def write(self):
        with open(RESULTS, "w") as handle:
            json.dump(self.data, handle, indent=2, sort_keys=True)
            handle.write("\n")


def daemon_ready(node):
    """node's engine answers and the manager sees it Ready."""
    result = subprocess.run(
        ["docker", "-H", socket(node), "info", "--format", "{{.Swarm.LocalNodeState}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or result.stdout.strip() != "active":
        return False
    status = dk(1, "node", "ls", "--format", "{{.Hostname}} {{.Status}}")
    return ("pl-node%d Ready" % node) in status


def wait_pods(service, names, replicas, nodes=NODES, timeout=120, spread=False):
    """Wait for replicas complete pods of service on nodes; return {node: [controller ids]}."""

    def check():
        placed = pods_complete(service, names, nodes)
        if count(placed) != replicas:
            return None
        if spread and len(placed) != replicas:
            return None
        return placed

    return wait_until(check, timeout=timeout, interval=0.5, message="%d complete pods of %s" % (replicas, service))


def restore_node(node):
    """Make sure node's dockerd runs and is Ready again (after a test that stopped it)."""
    if not daemon_ready(node):
        multinode("start", str(node))
        wait_until(lambda: daemon_ready(node), timeout=120, interval=1, message="node%d Ready" % node)
