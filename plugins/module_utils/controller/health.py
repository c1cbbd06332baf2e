# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The pod's health over a unix socket, and its client (`podlike healthcheck`, as rycus86/podlike has it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import _socket
import os
import sys
import time

from ansible_collections.podlike.swarm.plugins.module_utils import json_codec as json
from ansible_collections.podlike.swarm.plugins.module_utils.constants import HEALTH_SOCKET
from ansible_collections.podlike.swarm.plugins.module_utils.threads import Thread

FALLBACK_SOCKET = "/tmp/podlike.health.sock"
# The image's HEALTHCHECK reads this file with the shell: no Python process every interval.
STATE_FILE = "/dev/shm/podlike.health"
# Beside it, when the HEALTHCHECK's start period ends (epoch seconds): the check stops watching a starting pod then.
START_PERIOD_SUFFIX = ".starting-until"


class StateFile:
    """The pod's state in a file for the image's HEALTHCHECK, rewritten only when it changes.

    controller: its inspect answer; the first update also writes when its start period ends, beside the state.
    """

    def __init__(self, path, controller=None):
        self.path = path
        self.last = None
        self._controller = controller

    def update(self, state):
        if self._controller is not None and self.path:
            write_start_period_end(self._controller, self.path + START_PERIOD_SUFFIX)
            self._controller = None
        if state == self.last or not self.path:
            return
        try:
            with open(self.path + ".tmp", "w") as handle:
                handle.write(state + "\n")
            os.replace(self.path + ".tmp", self.path)
            self.last = state
        except OSError:
            pass


def write_start_period_end(controller, path, now=None):
    """Write when the controller's HEALTHCHECK start period ends, from its own (effective) healthcheck; return it.

    A pod still starting then is answered at once, so that the engine's retries count from the end of the start
    period, as they would for any container. No file (None) without a start period or with the check off.
    """
    check = (controller.get("Config") or {}).get("Healthcheck") or {}
    period = check.get("StartPeriod") or 0
    ends = None
    if period > 0 and (check.get("Test") or ["NONE"])[0] != "NONE":
        ends = int((time.time() if now is None else now) + period / 1e9)
    try:
        if ends is None:
            if os.path.exists(path):
                os.unlink(path)
        else:
            with open(path + ".tmp", "w") as handle:
                handle.write("%d\n" % ends)
            os.replace(path + ".tmp", path)
    except OSError:
        return None
    return ends


def publish_state(pod, path=STATE_FILE, interval=0.5):
    """Keep the state file in a thread of its own (when there is no socket thread to do it)."""

    def publish():
        state_file = StateFile(path, pod.controller)
        while True:
            state_file.update(pod.health()[0])
            time.sleep(interval)

    pod_thread(pod, publish, "health-file")


def serve(pod, output, paths=(HEALTH_SOCKET, FALLBACK_SOCKET), state_file=STATE_FILE, interval=0.5):
    """Answer every connection with the pod's state line and a JSON report; the same thread keeps the state file.

    Return the socket's path, or None when no path could be used (then nothing is started).
    """
    for path in paths:
        try:
            if os.path.exists(path):
                os.unlink(path)
            server = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            server.bind(path)
            server.listen(8)
            server.settimeout(interval)
        except OSError:
            continue
        pod_thread(pod, lambda server=server: _accept(server, pod, StateFile(state_file, pod.controller)), "health")
        return path
    output.warn("cannot listen on %s: the pod's HEALTHCHECK will fail" % " or ".join(paths))
    return None


def pod_thread(pod, target, name):
    """A daemon thread whose exception ends the pod in one line with exit code 1, not a traceback."""

    def run():
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - one line and exit code 1, never a dead thread's traceback
            pod.fail_unexpectedly(exc)

    thread = Thread(target=run, name=name)
    thread.start()
    return thread


def _accept(server, pod, state_file):
    while True:
        state_file.update(pod.health()[0])
        try:
            # _socket's own accept: socket.py (selectors, enums) stays out of the controller.
            connection = _socket.socket(fileno=server._accept()[0])
        except _socket.timeout:
            continue
        except OSError:
            return
        try:
            connection.settimeout(None)
            connection.sendall(pod.health_report().encode("utf-8"))
        except OSError:
            pass
        finally:
            connection.close()


def query(paths=(HEALTH_SOCKET, FALLBACK_SOCKET), timeout=3):
    """(state, report dict) from a running controller."""
    last_error = None
    for path in paths:
        client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        client.settimeout(timeout)
        try:
            client.connect(path)
            chunks = []
            while True:
                chunk = client.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError as exc:
            last_error = exc
            continue
        finally:
            client.close()
        text = b"".join(chunks).decode("utf-8", "replace")
        state, _sep, report = text.partition("\n")
        return state.strip(), (json.loads(report) if report.strip() else {})
    raise OSError(str(last_error))


def client_main(verbose=False):
    try:
        state, report = query()
    except (OSError, ValueError) as exc:
        sys.stdout.write("Healthcheck error: %s\n" % exc)
        return 1
    if verbose:
        sys.stdout.write("pod %s: %s\n" % (report.get("pod", "?"), state))
        for component in report.get("components", []):
            sys.stdout.write(
                "  %-20s %-8s health=%-9s restarts=%d image=%s\n"
                % (
                    component["name"],
                    component["status"],
                    component["health"] or "-",
                    component.get("restarts", 0),
                    component.get("image"),
                )
            )
    else:
        sys.stdout.write("Healthcheck result: %s\n" % state)
    return 0 if state == "healthy" else 1
