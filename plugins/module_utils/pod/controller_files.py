# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's files a pod definition names: `env_file`, `pod.compose.file` and the sources of `pod.copy`.

The definition is untrusted (docs/security.md) and the controller's filesystem holds what it must keep: the
engine's socket and TLS files, registry credentials, its image and /proc. So a definition reads only what was
mounted on the controller for the pod (a volume, a bind, a Swarm config or secret), never the controller's
credentials, unless the operator started it with -allow-privileged; and, in every case, only regular files (and
directories, for pod.copy) within a size. The rules are decided on the path with its links resolved; the file is
then opened from / one component at a time without following links, so that a path changed into a link after the
check (by a component writing to a shared volume) is refused, not followed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import unix_socket_path
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

# The largest env_file or Compose file read: a definition is text a person writes, not data.
MAX_TEXT = 1024 * 1024
# Mounts that are the kernel's or the engine's own, never the pod's material.
KERNEL_FILESYSTEMS = frozenset(
    "proc sysfs cgroup cgroup2 devpts mqueue devtmpfs securityfs debugfs tracefs bpf pstore configfs fusectl "
    "hugetlbfs binfmt_misc".split()
)
KERNEL_TREES = ("/proc", "/sys", "/dev")
ENGINE_FILES = ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
LEAVE = "; start the controller with -allow-privileged to permit it"
_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


class ControllerFiles:
    """What a definition may read here: files under roots (the pod's mounts), none of the credentials.

    unrestricted (-allow-privileged) lifts both rules; the file kinds and sizes are checked in any case.
    """

    def __init__(self, roots=(), credentials=(), unrestricted=False):
        self.roots = sorted(roots)
        self.credentials = sorted(credentials)
        self.unrestricted = unrestricted

    @classmethod
    def of_this_controller(cls, client, unrestricted):
        return cls(pod_mount_points(read_mountinfo()), controller_credentials(client), unrestricted)

    def resolve(self, path, component=None, key=None):
        """The path with its links resolved, once the rules allow it; SpecError naming the component and key."""
        real = os.path.realpath(os.path.expanduser(path))
        if self.unrestricted:
            return real
        if not any(under(real, root) for root in self.roots):
            shown = path if real == path else "%s (%s)" % (path, real)
            raise SpecError(
                "%s is not in a volume, bind mount, config or secret mounted on the controller: a pod reads no "
                "other file of the controller's%s" % (shown, LEAVE),
                component=component,
                key=key,
            )
        for credential in self.credentials:
            if under(real, credential) or under(credential, real):
                raise SpecError(
                    "%s holds %s, the controller's own credentials%s" % (path, credential, LEAVE),
                    component=component,
                    key=key,
                )
        return real

    def read_text(self, path, component=None, key=None, limit=MAX_TEXT):
        """The text of a regular file the rules allow, of at most limit bytes."""
        real = self.resolve(path, component, key)
        descriptor = open_resolved(real, component, key)
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            check_kind(path, info.st_mode, component, key, directories=False)
            if info.st_size > limit:
                raise SpecError("%s is larger than %d bytes" % (path, limit), component=component, key=key)
            return handle.read(info.st_size).decode("utf-8", "replace")


UNRESTRICTED = ControllerFiles(unrestricted=True)


def read_mountinfo():
    with open("/proc/self/mountinfo") as handle:
        return handle.read()


def under(path, prefix):
    """Whether path is prefix or inside it, comparing whole path components (the policy's rule too)."""
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def open_resolved(real, component=None, key=None):
    """A descriptor of the resolved path, opened from / without following a link at any component."""
    parts = [part for part in real.split("/") if part]
    folder = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        current = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
        for part in parts[:-1]:
            try:
                following = os.open(part, folder, dir_fd=current)
            finally:
                os.close(current)
            current = following
        if not parts:
            return current
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
        try:
            return os.open(parts[-1], flags, dir_fd=current)
        finally:
            os.close(current)
    except OSError as exc:
        raise SpecError("cannot read %s: %s" % (real, exc.strerror or exc), component=component, key=key)


def check_kind(path, mode, component=None, key=None, directories=True):
    if stat.S_ISREG(mode) or (directories and stat.S_ISDIR(mode)):
        return
    kind = next((text for test, text in _KINDS if test(mode)), "not a regular file")
    if stat.S_ISDIR(mode):
        kind = "a directory"
    only = "regular files and directories are copied" if directories else "a regular file is read"
    raise SpecError("%s is %s: only %s" % (path, kind, only), component=component, key=key)


def mount_points(mountinfo):
    """Every mount point of /proc/self/mountinfo."""
    points = set()
    for line in mountinfo.splitlines():
        fields = line.partition(" - ")[0].split(" ")
        if len(fields) >= 5:
            points.add(_unescape(fields[4]))
    return sorted(points)


def pod_mount_points(mountinfo):
    """The mount points of /proc/self/mountinfo that hold the pod's material: not /, the kernel's or the engine's."""
    points = set()
    for line in mountinfo.splitlines():
        fields, _sep, tail = line.partition(" - ")
        fields = fields.split(" ")
        if len(fields) < 5 or not tail:
            continue
        point = _unescape(fields[4])
        filesystem = tail.split(" ", 1)[0]
        if point == "/" or point in ENGINE_FILES or filesystem in KERNEL_FILESYSTEMS:
            continue
        if any(under(point, tree) for tree in KERNEL_TREES):
            continue
        points.add(point)
    return sorted(points)


def controller_credentials(client):
    """The resolved paths of what lets the controller reach the engine or a registry."""
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.registry_auth import config_paths  # start-up only

    paths = [unix_socket_path(client.base_url)] + config_paths()
    paths += [value for name, value in sorted((client.tls or {}).items()) if name != "verify"]
    return sorted(set(os.path.realpath(path) for path in paths if isinstance(path, str) and path.startswith("/")))


def _unescape(text):
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040)."""
    if "\\" not in text:
        return text
    parts = text.split("\\")
    out = [parts[0]]
    for part in parts[1:]:
        code = part[:3]
        if len(code) == 3 and all(digit in "01234567" for digit in code):
            out.append(chr(int(code, 8)) + part[3:])
        else:
            out.append("\\" + part)
    return "".join(out)
