# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's start-up work done in a child process, so that the running controller never holds it.

Reading the definition needs PyYAML, the component parser's garbage, the policy and the cgroup checks:
about 2 MB that a controller would otherwise keep for its whole life (CPython rarely returns freed
memory). A child forked before any thread exists does that work and hands back the pickled result; the
controller, which never imported any of it, then runs the pod. Nothing is created before the handoff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

try:
    # The C unpickler alone: pickle.py adds its pure-Python twin, 0.3 MB the controller does not need.
    from _pickle import loads
except ImportError:  # pragma: no cover - CPython always has it
    from pickle import loads

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import UnexpectedError


class Apart:
    """function(*args) running in a forked child; result() waits for its result or raises what it raised.

    The result and the exception must pickle; the classes they use are imported here when unpickled.
    Start it before any thread: a fork copies only the calling thread (and no lock another one holds).
    """

    def __init__(self, function, *args):
        read_fd, write_fd = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_fd)
            _child(write_fd, function, args)
        os.close(write_fd)
        self._read_fd = read_fd

    def result(self):
        try:
            data = _read_all(self._read_fd)
        finally:
            os.close(self._read_fd)
            _pid, status = os.waitpid(self._pid, 0)
        if not data:
            raise UnexpectedError("unexpected failure: the start-up process ended with no result: %s" % _ended(status))
        succeeded, value = loads(data)
        if succeeded:
            return value
        raise value


def _child(write_fd, function, args):  # pragma: no cover - runs in the forked child
    import pickle

    try:
        try:
            payload = pickle.dumps((True, function(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which reports it as it would its own
            try:
                payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that does not pickle: its type and message
                payload = pickle.dumps((False, RuntimeError("%s: %s" % (type(exc).__name__, exc))))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _ended(status):
    if os.WIFSIGNALED(status):
        return "killed by signal %d" % os.WTERMSIG(status)
    return "exit code %d" % os.WEXITSTATUS(status)
