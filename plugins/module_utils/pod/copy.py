# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""pod.copy: files from the controller's filesystem into a component, before it starts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import posixpath
import tarfile

from ansible_collections.podlike.swarm.plugins.module_utils.docker_api import NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError


def file_archive(source, target, component_name, entry_name=None):
    """A tar holding one file (named after the target's basename), with the source's mode and owner."""
    try:
        info = os.stat(source)
        with open(source, "rb") as handle:
            content = handle.read()
    except (IOError, OSError) as exc:
        raise SpecError(
            "cannot read %s: %s" % (source, exc.strerror or exc),
            component=component_name,
            key="pod.copy." + component_name,
        )
    entry = tarfile.TarInfo(entry_name or posixpath.basename(target))
    entry.size = len(content)
    entry.mode = info.st_mode & 0o7777
    entry.uid = info.st_uid
    entry.gid = info.st_gid
    entry.mtime = int(info.st_mtime)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(entry, io.BytesIO(content))
    return buffer.getvalue()


def copy_into(client, container_id, component_name, pairs):
    """Upload each (source, target) file into the created, not yet started, container."""
    for source, target in pairs:
        directory = posixpath.dirname(target) or "/"
        try:
            client.put_archive(container_id, directory, file_archive(source, target, component_name))
        except NotFound:
            # The directory is not in the image: the full path from / makes the engine create it.
            entry_name = posixpath.normpath(target).lstrip("/")
            client.put_archive(container_id, "/", file_archive(source, target, component_name, entry_name))
