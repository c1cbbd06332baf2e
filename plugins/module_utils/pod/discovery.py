# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""How the controller finds its own container ID, on cgroup v1 and cgroup v2 hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

_HEX = frozenset("0123456789abcdef")
_ID_LENGTH = 64
# The engine bind-mounts /etc/hostname, /etc/hosts and /etc/resolv.conf from <data-root>/containers/<id>/.
_MOUNTED_FILES = ("hostname", "hosts", "resolv.conf")
# String scans, not regular expressions: `re` is 2 ms of the controller's start before its first engine call.


def _id_at(text, start):
    """The container ID (64 lowercase hex digits) starting at text[start], or None."""
    candidate = text[start : start + _ID_LENGTH]
    if len(candidate) == _ID_LENGTH and _HEX.issuperset(candidate):
        return candidate
    return None


def _ids_after(text, prefix):
    """(position, ID, the position after it) for each ID right after an occurrence of prefix, leftmost first."""
    found = []
    position = text.find(prefix)
    while position >= 0:
        start = position + len(prefix)
        container_id = _id_at(text, start)
        if container_id:
            found.append((start, container_id, start + _ID_LENGTH))
        position = text.find(prefix, position + 1)
    return found


def _id_in_cgroup_path(path):
    """The ID a cgroup path names: systemd's (/docker-<id>.scope), cgroupfs' (/docker/<id>), other runtimes'
    (a path element ending [/-]<id>[.scope]); in that order of trust, leftmost first."""
    for _start, container_id, end in _ids_after(path, "/docker-"):
        if path.startswith(".scope", end):
            return container_id
    for _start, container_id, end in _ids_after(path, "/docker/"):
        if _element_ends(path, end):
            return container_id
    for _start, container_id, end in sorted(_ids_after(path, "/") + _ids_after(path, "-")):
        if _element_ends(path, end + len(".scope") if path.startswith(".scope", end) else end):
            return container_id
    return None


def _element_ends(path, position):
    """True when a path element ends at position: the path's end or a slash."""
    return position == len(path) or path.startswith("/", position)


def ids_from_cgroup(text):
    """Container IDs named in /proc/self/cgroup (v1 hierarchies, or v2 without a private cgroupns)."""
    found = []
    for line in text.splitlines():
        container_id = _id_in_cgroup_path(line.split(":", 2)[-1])
        if container_id and container_id not in found:
            found.append(container_id)
    return found


def ids_from_mountinfo(text):
    """Container IDs named in /proc/self/mountinfo; works on cgroup v2 with a private cgroupns."""
    found = []
    for _start, container_id, end in _ids_after(text, "/containers/"):
        if text.startswith("/", end) and text.startswith(_MOUNTED_FILES, end + 1) and container_id not in found:
            found.append(container_id)
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
    hostname = (hostname or "").strip()
    if len(hostname) == 12 and _HEX.issuperset(hostname):
        candidates.append(hostname)
    unique = []
    for candidate in candidates:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def read_candidates(cgroup_text=None):
    """Candidates from this process's /proc files (cgroup_text: /proc/self/cgroup, when already read) and hostname."""
    cgroup_text = read_own_cgroup() if cgroup_text is None else cgroup_text
    return candidate_ids(cgroup_text, _read("/proc/self/mountinfo"), os.uname()[1])


def read_own_cgroup():
    """This process's /proc/self/cgroup ("" where it cannot be read)."""
    return _read("/proc/self/cgroup")


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""
