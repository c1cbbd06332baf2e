# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""How the controller finds its own container ID, on cgroup v1 and cgroup v2 hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_ID = r"([0-9a-f]{64})"
# cgroupfs (/docker/<id>), systemd (docker-<id>.scope), and other runtimes that end the path with the ID.
_CGROUP_PATTERNS = (
    re.compile(r"/docker-" + _ID + r"\.scope"),
    re.compile(r"/docker/" + _ID + r"(?:/|$)"),
    re.compile(r"[/-]" + _ID + r"(?:\.scope)?(?:/|$)"),
)
# The engine bind-mounts /etc/hostname, /etc/hosts and /etc/resolv.conf from <data-root>/containers/<id>/.
_MOUNTINFO = re.compile(r"/containers/" + _ID + r"/(?:hostname|hosts|resolv\.conf)")


def ids_from_cgroup(text):
    """Container IDs named in /proc/self/cgroup (v1 hierarchies, or v2 without a private cgroupns)."""
    found = []
    for line in text.splitlines():
        path = line.split(":", 2)[-1]
        for pattern in _CGROUP_PATTERNS:
            match = pattern.search(path)
            if match:
                if match.group(1) not in found:
                    found.append(match.group(1))
                break
    return found


def ids_from_mountinfo(text):
    """Container IDs named in /proc/self/mountinfo; works on cgroup v2 with a private cgroupns."""
    found = []
    for match in _MOUNTINFO.finditer(text):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


def cgroup_path(text, container_id):
    """The cgroup path of the container in /proc/self/cgroup (v1 memory hierarchy first), or None."""
    best = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or container_id not in parts[2]:
            continue
        if "memory" in parts[1].split(","):
            return parts[2]
        best = best or parts[2]
    return best


def candidate_ids(cgroup_text, mountinfo_text, hostname):
    """Container ID candidates in order of trust; the hostname (a short ID by default) comes last."""
    candidates = ids_from_cgroup(cgroup_text) + ids_from_mountinfo(mountinfo_text)
    if hostname and re.match(r"^[0-9a-f]{12}$", hostname.strip()):
        candidates.append(hostname.strip())
    unique = []
    for candidate in candidates:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def read_candidates():
    """Candidates from this process's /proc files and hostname."""
    import socket

    return candidate_ids(_read("/proc/self/cgroup"), _read("/proc/self/mountinfo"), socket.gethostname())


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""
