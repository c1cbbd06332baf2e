# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Thread, Lock, Condition and Event as threading has them, on the C module `_thread` alone.

threading imports functools and collections: with pickle's own import of them, 0.7 MB of every pod controller
(controller/apart.py hands the pod over without pickle). Only what the controller uses is here: daemon threads
that can be joined, and waits that end at a timeout or when notified. Signals reach the main thread in a wait
as they do with threading's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import _thread
import sys

Lock = _thread.allocate_lock


def _acquire(lock, timeout):
    """lock.acquire as threading's waits call it: None waits for ever, 0 or less does not wait."""
    if timeout is None:
        return lock.acquire()
    if timeout > 0:
        return lock.acquire(True, timeout)
    return lock.acquire(False)


def _follow_threading_hooks():
    """Give this thread the trace and profile functions threading gives its own (a debugger's, coverage's).

    Only where something imported threading and set them (threading.settrace); never in the controller.
    """
    threading = sys.modules.get("threading")
    if threading is None:
        return
    trace = getattr(threading, "_trace_hook", None)
    profile = getattr(threading, "_profile_hook", None)
    if trace is not None:
        sys.settrace(trace)
    if profile is not None:
        sys.setprofile(profile)


class Thread:
    """A thread running target(*args) once started; join() waits for its end.

    Every thread is a daemon (daemon is kept for threading's signature): the controller ends with os._exit.
    An exception that escapes target goes to sys.unraisablehook; the pod's threads catch their own.
    """

    def __init__(self, target, args=(), name=None, daemon=True):
        self.name = name
        self.daemon = daemon
        self._target = target
        self._args = args
        self._running = Lock()

    def start(self):
        """Start the thread and, as threading does, return once it runs."""
        started = Lock()
        started.acquire()
        self._running.acquire()
        try:
            _thread.start_new_thread(self._run, (started,))
        except BaseException:
            self._running.release()
            raise
        started.acquire()

    def _run(self, started):
        _follow_threading_hooks()
        started.release()
        try:
            self._target(*self._args)
        finally:
            self._running.release()

    def join(self, timeout=None):
        if _acquire(self._running, timeout):
            self._running.release()


class Condition:
    """A lock whose holder may wait() for a notify_all() from another holder (threading.Condition)."""

    def __init__(self, lock=None):
        self._lock = lock if lock is not None else Lock()
        self._waiters = []

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc_info):
        return self._lock.__exit__(*exc_info)

    def wait(self, timeout=None):
        """Release the lock until notified or timeout seconds have passed, then take it again; False at the timeout."""
        waiter = Lock()
        waiter.acquire()
        self._waiters.append(waiter)
        self._lock.release()
        notified = False
        try:
            notified = _acquire(waiter, timeout)
            return notified
        finally:
            self._lock.acquire()
            if not notified and waiter in self._waiters:
                self._waiters.remove(waiter)

    def notify_all(self):
        """Wake every waiter (the caller holds the lock)."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.release()


class Event:
    """A flag threads can wait for (threading.Event)."""

    def __init__(self):
        self._condition = Condition()
        self._flag = False

    def is_set(self):
        return self._flag

    def set(self):
        with self._condition:
            self._flag = True
            self._condition.notify_all()

    def wait(self, timeout=None):
        """True once the flag is set; False when timeout seconds pass first."""
        with self._condition:
            if not self._flag:
                self._condition.wait(timeout)
            return self._flag
