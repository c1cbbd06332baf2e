# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's output: its own lines and its components' lines, one event per line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.podlike.swarm.plugins.module_utils.threads import Lock


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
        self._write(fd, name.encode("utf-8") + b" | " + line.rstrip(b"\r") + b"\n")
