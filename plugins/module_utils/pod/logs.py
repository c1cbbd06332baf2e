# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Component output copied to the controller's, one line at a time, prefixed with the component name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError, read_frames, read_raw

# A line longer than this is passed on in pieces of this size, as the engine's json-file driver stores it (16 KiB
# pieces): a component writing without newlines must not fill the controller's memory.
MAX_LINE = 64 * 1024


def copy_logs(client, container_id, name, tty, output):
    """Follow a container's output until it ends; lines split across frames are joined."""
    try:
        stream = client.logs(container_id, follow=True, timeout=None)
        if stream.status != 200:
            return
        pending = {1: b"", 2: b""}
        for channel, chunk in read_raw(stream) if tty else read_frames(stream):
            channel = 2 if channel == 2 else 1
            lines = (pending[channel] + chunk).split(b"\n")
            rest = lines.pop()
            while len(rest) > MAX_LINE:
                lines.append(rest[:MAX_LINE])
                rest = rest[MAX_LINE:]
            pending[channel] = rest
            for line in lines:
                output.component_line(name, line, channel)
        for channel, rest in pending.items():
            if rest:
                output.component_line(name, rest, channel)
    except (DockerError, OSError, ValueError):
        return
    finally:
        client.close()


def print_last_lines(client, container_id, name, output, count=10):
    """The last lines of a container that has stopped, for when its output was not streamed."""
    try:
        stream = client.logs(container_id, follow=False, tail=count, timeout=10)
        for channel, chunk in read_frames(stream):
            for line in chunk.rstrip(b"\n").split(b"\n"):
                output.component_line(name, line, channel)
    except (DockerError, OSError, ValueError):
        return
