# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's start-up work done in a child process, so that the running controller never holds it.

Reading the definition needs PyYAML, the component parser's garbage, the policy and the cgroup checks:
about 2 MB that a controller would otherwise keep for its whole life (CPython rarely returns freed
memory). A child forked before any thread exists does that work and hands back the result; the
controller, which never imported any of it, then runs the pod. Nothing is created before the handoff.

The result travels in marshal's format (built in, and loaded by every interpreter), its objects as their class
and attributes: pickle's C module imports functools and collections, which with threading's are 0.7 MB of the
controller (it runs on `threads`, not threading).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import marshal
import os
import sys

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import UnexpectedError


class Apart:
    """function(*args) running in a forked child; result() waits for its result or raises what it raised.

    The result and the exception are plain values and objects of module-level classes (see dumps); the classes
    are imported here when the result is read.
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
    try:
        try:
            payload = dumps((True, function(*args)))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which reports it as it would its own
            try:
                payload = dumps((False, exc))
            except Exception:  # noqa: BLE001 - an exception that cannot be handed over: its type and message
                payload = dumps((False, RuntimeError("%s: %s" % (type(exc).__name__, exc))))
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


# The handoff's format ---------------------------------------------------------------------------------------
_PLAIN = (str, bytes, int, float, bool, type(None))
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement, not by C code
# Every tuple is tagged, so that an object's encoding cannot be mistaken for one.
_TUPLE, _OBJECT, _EXCEPTION, _CONTAINER = "tuple", "object", "exception", "container"


def dumps(value):
    """value in marshal's format; objects of module-level classes as (class, attributes); TypeError otherwise.

    An object met twice (the controller's container, in the context too) is written once: loads gives one object.
    """
    return marshal.dumps(_Plain().plain(value))


def loads(data):
    """The value dumps wrote; the objects' classes are imported (or taken from sys.modules)."""
    return _Value().value(marshal.loads(data))


class _Plain:
    """The plain form of a value, each container or object converted once (marshal then writes it once)."""

    def __init__(self):
        self.seen = {}  # id -> (the original, kept alive so that its id is not reused; its plain form)

    def plain(self, value):
        kind = type(value)
        if kind in _PLAIN:
            return value
        known = self.seen.get(id(value))
        if known is not None:
            return known[1]
        plain = self._convert(value, kind)
        self.seen[id(value)] = (value, plain)
        return plain

    def _convert(self, value, kind):
        plain = self.plain
        if kind is dict or kind is list:
            return _each(value, kind, plain)
        if kind in (tuple, set, frozenset):
            items = tuple(plain(item) for item in value)
            return (_TUPLE, items) if kind is tuple else kind(items)
        base = _builtin_base(kind)
        if not hasattr(value, "__dict__") or base not in (object, list, dict) or _importable(kind) is not kind:
            raise TypeError("cannot hand over a %s" % kind.__name__)
        if base is not object:  # a list or dict with attributes of its own
            return (_CONTAINER, kind.__module__, kind.__qualname__, plain(base(value)), plain(vars(value)))
        if isinstance(value, BaseException):
            return (_EXCEPTION, kind.__module__, kind.__qualname__, plain(value.args), plain(vars(value)))
        getstate = next((vars(k)["__getstate__"] for k in kind.__mro__[:-1] if "__getstate__" in vars(k)), None)
        return (_OBJECT, kind.__module__, kind.__qualname__, plain(getstate(value) if getstate else vars(value)))


class _Value:
    """The value of a plain form; a part marshal read once (written once) becomes one value."""

    def __init__(self):
        self.made = {}  # id of a plain part (alive in the loaded whole) -> its value

    def value(self, plain):
        kind = type(plain)
        if kind not in (list, dict, tuple, set, frozenset):
            return plain
        made = self.made.get(id(plain))
        if made is None:
            made = self.made[id(plain)] = self._convert(plain, kind)
        return made

    def _convert(self, plain, kind):
        value = self.value
        if kind is dict or kind is list:
            return _each(plain, kind, value)
        if kind is not tuple:
            return kind(value(item) for item in plain)
        if plain[0] == _TUPLE:
            return tuple(value(item) for item in plain[1])
        cls = _class(plain[1], plain[2])
        if plain[0] == _EXCEPTION:
            args = value(plain[3])
            error = cls.__new__(cls, *args)
            error.args = args
            error.__dict__.update(value(plain[4]))
            return error
        instance = cls.__new__(cls)
        if plain[0] == _CONTAINER:
            items = value(plain[3])
            (list.extend if isinstance(items, list) else dict.update)(instance, items)
            instance.__dict__.update(value(plain[4]))
            return instance
        state = value(plain[3])
        setstate = getattr(cls, "__setstate__", None)
        if setstate is not None:
            setstate(instance, state)
        else:
            instance.__dict__.update(state)
        return instance


def _each(container, kind, convert):
    """A dict or list of the same items, each converted but the plain ones (most are: strings and numbers)."""
    if kind is dict:
        return dict(
            (key if type(key) in _PLAIN else convert(key), item if type(item) in _PLAIN else convert(item))
            for key, item in container.items()
        )
    return [item if type(item) in _PLAIN else convert(item) for item in container]


def _builtin_base(kind):
    """The class made by C code that kind derives from: object when its attributes are all its state (exceptions
    hold theirs in args and attributes too)."""
    if issubclass(kind, BaseException):
        return object
    return next(base for base in kind.__mro__ if not base.__flags__ & _HEAP_TYPE)


def _importable(kind):
    """The class found by kind's module and name (None when there is none): what _value will find."""
    try:
        return _class(kind.__module__, kind.__qualname__)
    except (ImportError, AttributeError):
        return None


def _class(module_name, qualname):
    if module_name not in sys.modules:
        __import__(module_name)
    found = sys.modules[module_name]
    for name in qualname.split("."):
        found = getattr(found, name)
    return found
