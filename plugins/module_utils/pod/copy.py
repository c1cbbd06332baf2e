# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""pod.copy: files and directories from the controller's filesystem into a component, before it starts.

Which files a definition may copy is controller_files' rule (the pod's mounts, never the controller's
credentials). Only regular files and directories are copied (a device such as /dev/zero or a FIFO would never
end), and a pod copies at most its copy limit in all (-copy-limit), checked at boot and again while reading.
Both walk the source from descriptors opened without following links (os.fwalk), so that what is read is what
was checked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import posixpath
import stat

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import (
    UNRESTRICTED,
    check_kind,
    open_resolved,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import DEFAULT_COPY_LIMIT


class CopyList(list):
    """The (source, target) pairs of one component, with the pod's copy limit they were checked against."""

    def __init__(self, pairs, limit=DEFAULT_COPY_LIMIT):
        super(CopyList, self).__init__(pairs)
        self.limit = limit


def check_copies(copies, limit=DEFAULT_COPY_LIMIT, files=UNRESTRICTED):
    """{component: CopyList} of resolved sources, after checking each against files' rules, its type, and the
    pod's total size against limit."""
    total = 0
    checked = {}
    for name in sorted(copies):
        pairs = []
        for source, target in copies[name]:
            real = files.resolve(source, name, "pod.copy." + name)
            for _name, _path, info, _open in _entries(real, name):
                total += 0 if stat.S_ISDIR(info.st_mode) else info.st_size
            if total > limit:
                raise _error(
                    name,
                    "the pod copies more than %d bytes; start the controller with -copy-limit BYTES to raise it"
                    % limit,
                )
            pairs.append((real, target))
        checked[name] = CopyList(pairs, limit)
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
        for relative, path, info, open_file in _entries(source, component_name):
            entry_path = name if relative == "." else posixpath.join(name, relative)
            if stat.S_ISDIR(info.st_mode):
                tar.addfile(_entry(entry_path, info, directory=True))
            else:
                _add_file(tar, path, open_file, entry_path, component_name, budget)
    return buffer.getvalue()


def _entries(real, component_name):
    """(path relative to the source, full path, lstat result, opener) of the source and, for a directory, of
    everything under it, parents first; SpecError for anything but regular files and directories."""
    key = "pod.copy." + component_name
    descriptor = open_resolved(real, component_name, key)
    try:
        info = os.fstat(descriptor)
        check_kind(real, info.st_mode, component_name, key)
        if not stat.S_ISDIR(info.st_mode):
            yield ".", real, info, lambda: os.dup(descriptor)
            return
        walk = os.fwalk(".", dir_fd=descriptor, follow_symlinks=False, onerror=_unreadable(real, component_name))
        for folder, directories, files, folder_descriptor in walk:
            relative = posixpath.normpath(folder)
            yield relative, posixpath.normpath(posixpath.join(real, relative)), os.fstat(folder_descriptor), None
            directories.sort()
            # fwalk lists a link to a directory among the directories (and does not enter it): refused as a link.
            for entry in sorted(files) + directories:
                path = posixpath.join(real, relative, entry) if relative != "." else posixpath.join(real, entry)
                entry_info = _lstat(entry, folder_descriptor, path, component_name)
                if stat.S_ISDIR(entry_info.st_mode):
                    continue
                check_kind(path, entry_info.st_mode, component_name, key)
                yield (
                    posixpath.normpath(posixpath.join(relative, entry)),
                    path,
                    entry_info,
                    _opener(entry, folder_descriptor),
                )
    finally:
        os.close(descriptor)


def _unreadable(real, component_name):
    """fwalk's onerror: a directory under the source that cannot be read fails the copy instead of being left out."""

    def fail(error):
        raise _error(component_name, "cannot read %s: %s" % (error.filename or real, error.strerror or error))

    return fail


def _lstat(name, folder_descriptor, path, component_name):
    try:
        return os.stat(name, dir_fd=folder_descriptor, follow_symlinks=False)
    except OSError as exc:
        raise _error(component_name, "cannot read %s: %s" % (path, exc.strerror or exc))


def _opener(name, folder_descriptor):
    return lambda: os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW, dir_fd=folder_descriptor)


def _add_file(tar, path, open_file, name, component_name, budget):
    """Read exactly the size the open file reports, so that a file swapped for a device is refused."""
    try:
        descriptor = open_file()
    except (IOError, OSError) as exc:
        raise _error(component_name, "cannot read %s: %s" % (path, exc.strerror or exc))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        check_kind(path, info.st_mode, component_name, "pod.copy." + component_name, directories=False)
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
