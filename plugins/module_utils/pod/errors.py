# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Errors of the pod core; their message names the component and the key."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def one_line(text):
    """User text (names, paths, values) inside a message must not break it over lines."""
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


class PodError(Exception):
    """Base class of every error the pod core raises on purpose."""

    exit_code = 3


class SpecError(PodError):
    """A component definition, label or setting that cannot be used as written."""

    exit_code = 2

    def __init__(self, message, component=None, key=None):
        self.component = component
        self.key = key
        self.detail = message
        parts = []
        if component is not None:
            parts.append('component "%s"' % component)
        if key is not None:
            parts.append('key "%s"' % key)
        parts.append(message)
        super(SpecError, self).__init__(one_line(": ".join(parts)))


class StartError(PodError):
    """The engine refused to create or start a component."""

    exit_code = 3

    def __init__(self, message, component=None):
        self.component = component
        prefix = 'component "%s": ' % component if component else ""
        super(StartError, self).__init__(one_line(prefix + message))


class UnexpectedError(PodError):
    """An exception nobody expected, turned into one line and exit code 1; already reported when raised."""

    exit_code = 1
