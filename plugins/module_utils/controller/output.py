# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's output: its own lines and its components' lines, one event per line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.podlike.swarm.plugins.module_utils.threads import Lock

# Bytes that may start a control character: C0 but tab, DEL, and 0xc2, which in UTF-8 leads the C1 controls.
_CONTROL_LEADS = bytes(range(0, 9)) + bytes(range(10, 32)) + b"\x7f\xc2"


class Output:
    """Writes whole lines to stdout/stderr; safe to call from several threads."""

    def __init__(self, stdout_fd=1, stderr_fd=2):
        self.stdout_fd = stdout_fd
        self.stderr_fd = stderr_fd
        self._lock = Lock()

    def _write(self, fd, text):
        data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
        with self._lock:
            try:
                os.write(fd, data)
            except OSError:
                pass

    def info(self, message):
        self._write(self.stdout_fd, "podlike: %s\n" % message)

    def warn(self, message):
        self._write(self.stderr_fd, "podlike: warning: %s\n" % message)

    def error(self, message):
        self._write(self.stderr_fd, "podlike: error: %s\n" % message)

    def component_line(self, name, line, channel=1):
        """A component's output line, prefixed with its name; its stderr goes to stderr."""
        fd = self.stderr_fd if channel == 2 else self.stdout_fd
        self._write(fd, name.encode("utf-8") + b" | " + printable(line.rstrip(b"\r")) + b"\n")


def printable(line):
    """line with its control characters but tab written as \\xNN: a component's output can neither move the
    cursor or erase a line in a terminal nor start a line that passes for the controller's own."""
    if len(line.translate(None, _CONTROL_LEADS)) == len(line):
        return line
    text = line.decode("utf-8", "surrogateescape")
    escaped = "".join(
        "\\x%02x" % ord(char) if (char < " " and char != "\t") or "\x7f" <= char <= "\x9f" else char for char in text
    )
    return escaped.encode("utf-8", "surrogateescape")
