# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""pod.copy: files and directories from the controller's filesystem into a component, before it starts.

Only regular files and directories are copied (a device such as /dev/zero or a FIFO would never end), and
a pod copies at most its copy limit in all (-copy-limit), checked at boot and again while reading.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import posixpath
import stat

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import DEFAULT_COPY_LIMIT

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


class CopyList(list):
    """The (source, target) pairs of one component, with the pod's copy limit they were checked against."""

    def __init__(self, pairs, limit=DEFAULT_COPY_LIMIT):
        super(CopyList, self).__init__(pairs)
        self.limit = limit


def check_copies(copies, limit=DEFAULT_COPY_LIMIT):
    """{component: CopyList} after checking every source's type and the pod's total size against limit."""
    total = 0
    checked = {}
    for name in sorted(copies):
        for source, _target in copies[name]:
            total += _measure(source, name)
            if total > limit:
                raise _error(
                    name,
                    "the pod copies more than %d bytes; start the controller with -copy-limit BYTES to raise it"
                    % limit,
                )
        checked[name] = CopyList(copies[name], limit)
    return checked


def copy_into(client, container_id, component_name, pairs):
    """Upload each (source, target) into the created, not yet started, container."""
    budget = [getattr(pairs, "limit", DEFAULT_COPY_LIMIT)]
    for source, target in pairs:
        directory = posixpath.dirname(target) or "/"
        left = budget[0]
        try:
            client.put_archive(container_id, directory, archive(source, target, component_name, budget))
        except NotFound:
            # The directory is not in the image: the full path from / makes the engine create it.
            budget[0] = left
            entry_name = posixpath.normpath(target).lstrip("/")
            client.put_archive(container_id, "/", archive(source, target, component_name, budget, entry_name))


def archive(source, target, component_name, budget=None, entry_name=None):
    """A tar of source named after the target's basename (or entry_name); budget is a one-item list of bytes left."""
    budget = budget if budget is not None else [DEFAULT_COPY_LIMIT]
    buffer = io.BytesIO()
    name = entry_name or posixpath.basename(target.rstrip("/")) or "."
    import tarfile  # only pods that copy need it, with shutil, bz2 and lzma: about 1 MB of the controller's memory

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = _stat(source, component_name)
        if stat.S_ISDIR(info.st_mode):
            _add_directory(tar, source, name, component_name, budget)
        else:
            _add_file(tar, source, name, component_name, budget)
    return buffer.getvalue()


def _add_directory(tar, source, name, component_name, budget):
    for root, directories, files in os.walk(source, followlinks=False):
        relative = os.path.relpath(root, source)
        prefix = name if relative == "." else posixpath.join(name, relative.replace(os.sep, "/"))
        tar.addfile(_entry(prefix, os.lstat(root), directory=True))
        for entry in sorted(directories) + sorted(files):
            path = os.path.join(root, entry)
            mode = _stat(path, component_name, follow=False).st_mode
            if stat.S_ISDIR(mode):
                continue
            _check_kind(path, mode, component_name)
            _add_file(tar, path, posixpath.join(prefix, entry), component_name, budget)


def _add_file(tar, path, name, component_name, budget):
    """Read exactly the size the open file reports, so that a file swapped for a device is refused."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_NOFOLLOW", 0))
    except (IOError, OSError) as exc:
        raise _error(component_name, "cannot read %s: %s" % (path, exc.strerror or exc))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_kind(path, info.st_mode, component_name)
        if info.st_size > budget[0]:
            raise _error(
                component_name,
                "%s makes the pod copy more than its limit; start the controller with -copy-limit BYTES to raise it"
                % path,
            )
        budget[0] -= info.st_size
        content = handle.read(info.st_size)
    entry = _entry(name, info)
    entry.size = len(content)
    tar.addfile(entry, io.BytesIO(content))


def _measure(source, component_name):
    """Bytes a source holds; SpecError when it or anything under it is not a regular file or directory."""
    info = _stat(source, component_name)
    if not stat.S_ISDIR(info.st_mode):
        _check_kind(source, info.st_mode, component_name)
        return info.st_size
    total = 0
    for root, directories, files in os.walk(source, followlinks=False):
        for entry in directories + files:
            path = os.path.join(root, entry)
            mode = _stat(path, component_name, follow=False).st_mode
            if stat.S_ISDIR(mode):
                continue
            _check_kind(path, mode, component_name)
            total += os.lstat(path).st_size
    return total


def _stat(path, component_name, follow=True):
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (IOError, OSError) as exc:
        raise _error(component_name, "cannot read %s: %s" % (path, exc.strerror or exc))


def _check_kind(path, mode, component_name):
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = next((text for test, text in _KINDS if test(mode)), "not a regular file")
    raise _error(component_name, "%s is %s: only regular files and directories are copied" % (path, kind))


def _entry(name, info, directory=False):
    import tarfile

    entry = tarfile.TarInfo(name)
    entry.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    entry.mode = info.st_mode & 0o7777
    entry.uid = info.st_uid
    entry.gid = info.st_gid
    entry.mtime = int(info.st_mtime)
    return entry


def _error(component_name, message):
    return SpecError(message, component=component_name, key="pod.copy." + component_name)
