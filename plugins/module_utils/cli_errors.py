# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""How a ``podlike`` command ends on an error: ``<command>: error: <message>`` lines on stderr, exit status 2."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ERROR_EXIT = 2


def error_lines(prog, error, each_line=False):
    """``prog: error: message``, the message on one line; with each_line, one line per line of it (findings)."""
    text = str(error)
    messages = text.splitlines() if each_line else [" ".join(text.split())]
    return "".join("%s: error: %s\n" % (prog, message) for message in messages)


def report_error(stderr, prog, error, each_line=False):
    """Write the error's lines to stderr; return the exit status, 2."""
    stderr.write(error_lines(prog, error, each_line))
    return ERROR_EXIT
