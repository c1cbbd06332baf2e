# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Where the components' cgroups go, and their limits when they cannot go under the controller's.

Decided from the engine (GET /info: CgroupVersion, CgroupDriver, MemoryLimit, CpuCfsQuota) and the
controller's own cgroup, not from how /proc/self/cgroup looks: on cgroup v2 the controller usually runs
in a private cgroup namespace where it reads only ``0::/``. One case is proven without asking the engine:
a cgroup v1 memory hierarchy whose path ends in the container's own ID is where the cgroupfs driver puts a
container (the systemd driver names a ``docker-<ID>.scope``), and that is all nesting needs to know.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

# The engine's own floors: `docker run --memory` refuses less than 6 MiB; --cpus accepts 0.01 and up.
MIN_MEMORY = 6 * 1024 * 1024
MIN_NANO_CPUS = 10**7


class EngineCgroups:
    """The engine's cgroup set-up, from its /info answer."""

    def __init__(self, info):
        info = info or {}
        self.version = str(info.get("CgroupVersion") or "1")
        self.driver = info.get("CgroupDriver") or "cgroupfs"
        self.memory = bool(info.get("MemoryLimit", True))
        self.cpu = bool(info.get("CpuCfsQuota", True)) and bool(info.get("CpuCfsPeriod", True))

    def describe(self):
        return "cgroup v%s (%s driver)" % (self.version, self.driver)


CGROUPFS_V1 = EngineCgroups({"CgroupVersion": "1", "CgroupDriver": "cgroupfs"})


def cgroupfs_v1_path(cgroup_text, container_id=None):
    """The container's path in its cgroup v1 memory hierarchy when it proves the cgroupfs driver, else None.

    cgroup_text: /proc/self/cgroup. The path must end in container_id (None: in an ID the text names).
    """
    ids = [container_id] if container_id else discovery.ids_from_cgroup(cgroup_text)
    for line in cgroup_text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and "memory" in parts[1].split(",") and parts[2].rstrip("/").rpartition("/")[2] in ids:
            return parts[2]
    return None


def nesting(engine, controller_cgroup):
    """(parent for the components, None) when they can live under the controller's cgroup, else (None, why)."""
    if engine.driver == "systemd":
        return None, "the systemd cgroup driver cannot put containers under another container's scope"
    if engine.version == "2":
        # No internal processes: a v2 cgroup that holds the controller cannot also delegate its
        # controllers to the components' cgroups below it.
        return None, "on cgroup v2 the controller's cgroup holds its own process and cannot hold the components'"
    if not controller_cgroup:
        return None, "the controller's cgroup is not visible (private cgroup namespace)"
    return controller_cgroup, None


def split(total, asks, minimum):
    """Shares of `total` for components asking `asks` (None: no limit of their own); the sum is at most total.

    A component whose own limit is below the fair share keeps it; the others share what is left equally.
    """
    shares = [None] * len(asks)
    pending = sorted(range(len(asks)), key=lambda index: (asks[index] is None, asks[index] or 0))
    left = total
    while pending:
        fair = left // len(pending)
        index = pending.pop(0)
        ask = asks[index]
        shares[index] = ask if ask is not None and ask <= fair else fair
        left -= shares[index]
    for share in shares:
        if share < minimum:
            raise SpecError(
                "the pod's limit %d split among %d components gives %d each, below the engine's minimum of %d"
                % (total, len(asks), share, minimum)
            )
    return shares


def component_limits(engine, controller_host, components, asked):
    """{component name: {"Memory": bytes, "NanoCpus": n}} for components not under the controller's cgroup.

    The pod's limits (the controller's Memory and NanoCpus, from its service) are split among the
    components that run together; init components run alone and may use the whole. A limit the engine
    cannot apply (no memory or cpu controller) is not added, so that creating a component is not refused
    for it; a component's own limit is left to the engine. asked: {name: (own Memory, own NanoCpus)}.
    """
    running = [c.name for c in components if not c.init]
    limits = dict((c.name, {}) for c in components)
    for key, supported, minimum, position in (
        ("Memory", engine.memory, MIN_MEMORY, 0),
        ("NanoCpus", engine.cpu, MIN_NANO_CPUS, 1),
    ):
        total = controller_host.get(key) or 0
        if not supported or not total:
            continue
        shares = split(total, [asked[name][position] for name in running], minimum) if running else []
        for name, share in zip(running, shares):
            limits[name][key] = share
        for component in components:
            if component.init:
                own = asked[component.name][position]
                limits[component.name][key] = min(own, total) if own else total
    return limits


def apply_limits(host, limits):
    """Put a component's share of the pod's limits into its HostConfig."""
    host.update(limits or {})
    if host.get("Memory") and host.get("MemorySwap") not in (None, -1) and host["MemorySwap"] < host["Memory"]:
        host.pop("MemorySwap")
    return host


def describe_limits(engine, controller_host):
    """One phrase on what became of the pod's limits."""
    parts = []
    for key, unit, supported in (("Memory", "memory", engine.memory), ("NanoCpus", "CPU", engine.cpu)):
        if not supported:
            parts.append("the engine sets no %s limits (no %s controller)" % (unit, unit.lower()))
        elif controller_host.get(key):
            parts.append("the pod's %s limit is split among the components" % unit)
    return "; ".join(parts) or "the pod has no memory or CPU limit"
