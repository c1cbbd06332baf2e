# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""PODLIKE_TRACE=1: the controller prints the time of each start-up phase since its process started.

Lines go to stderr as `podlike: trace: <ms> <phase>`. When the variable is unset the only cost is the
environment lookup at import. The process's start time comes from /proc/self/stat, in clock ticks
(10 ms), so the offsets can be up to 10 ms late; the differences between lines are exact.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

ENABLED = bool(os.environ.get("PODLIKE_TRACE"))
_started = None


def mark(phase):
    """Print `phase` with the milliseconds since the process started, when tracing is on."""
    if ENABLED:
        _write(phase)


def request(method, path, status=None):
    """Mark an engine API request being sent (status None) or its answer."""
    if ENABLED:
        _write("%s %s %s" % ("->" if status is None else "<- %s" % status, method, short_path(path)))


def short_path(path):
    """/v1.41/containers/<64 hex>/start?x=y -> /containers/<12 hex>/start, keeping a create's name."""
    route, _sep, query = path.partition("?")
    if route.startswith("/v") and "/" in route[1:]:
        route = route[route.index("/", 1) :]
    parts = [part[:12] if len(part) == 64 else part for part in route.split("/")]
    names = [pair for pair in query.split("&") if pair.startswith("name=")]
    return "/".join(parts) + ("?" + names[0] if names else "")


def _write(phase):
    import time

    now = time.clock_gettime(time.CLOCK_BOOTTIME)
    line = "podlike: trace: %7.1f %s\n" % ((now - _process_start()) * 1000.0, phase)
    os.write(2, line.encode("utf-8", "replace"))


def _process_start():
    """Seconds since boot at which this process started (field 22 of /proc/self/stat)."""
    global _started
    if _started is None:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        _started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return _started
