# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Startup, liveness and readiness probes, written in Compose style on a component.

    liveness_probe:
      http_get: {path: /healthz, port: 8080}    # or tcp_socket: {port: 5432}, or exec: [cmd, arg]
      interval: 5s
      timeout: 1s
      initial_delay: 0s
      failure_threshold: 3
      success_threshold: 1

HTTP and TCP probes run in the controller, which shares the pod's network namespace, so 127.0.0.1 is the pod;
command probes run inside the component.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import parse_duration, port_number, shell_words

PROBE_KEYS = ("startup_probe", "liveness_probe", "readiness_probe")
_OPTIONS = (
    "http_get",
    "tcp_socket",
    "exec",
    "interval",
    "timeout",
    "initial_delay",
    "failure_threshold",
    "success_threshold",
)


class Probe:
    """One probe of one component: what to check and how often."""

    def __init__(self, kind, action, target, interval, timeout, initial_delay, failure_threshold, success_threshold):
        self.kind = kind
        self.action = action
        self.target = target
        self.interval = interval
        self.timeout = timeout
        self.initial_delay = initial_delay
        self.failure_threshold = failure_threshold
        self.success_threshold = success_threshold


def parse_probes(name, definition):
    """{kind: Probe} for the probe keys of a component definition."""
    probes = {}
    for key in PROBE_KEYS:
        if definition.get(key) is not None:
            probes[key[: -len("_probe")]] = _parse(name, key, definition[key])
    return probes


def _parse(name, key, spec):
    if not isinstance(spec, dict):
        raise SpecError("expected a mapping with http_get, tcp_socket or exec", component=name, key=key)
    unknown = sorted(set(spec) - set(_OPTIONS))
    if unknown:
        raise SpecError("unknown probe option(s): %s" % ", ".join(unknown), component=name, key=key)
    actions = [option for option in ("http_get", "tcp_socket", "exec") if spec.get(option) is not None]
    if len(actions) != 1:
        raise SpecError("needs exactly one of http_get, tcp_socket, exec", component=name, key=key)
    action = actions[0]
    try:
        target = _target(action, spec[action])
        return Probe(
            key[: -len("_probe")],
            action,
            target,
            parse_duration(spec.get("interval", "10s")),
            parse_duration(spec.get("timeout", "1s")),
            parse_duration(spec.get("initial_delay", "0s")),
            max(1, int(spec.get("failure_threshold", 3))),
            max(1, int(spec.get("success_threshold", 1))),
        )
    except (ValueError, TypeError) as exc:
        raise SpecError(str(exc), component=name, key=key)


def _target(action, value):
    if action == "exec":
        command = shell_words(value.get("command") if isinstance(value, dict) else value)
        if not command:
            raise ValueError("exec needs a command")
        return command
    if not isinstance(value, dict) or value.get("port") is None:
        raise ValueError("%s needs a port" % action)
    port = port_number(value["port"])
    if port is None:
        raise ValueError("port %r is out of range (1-65535)" % (value["port"],))
    host = _host(value.get("host", "127.0.0.1"))
    if action == "tcp_socket":
        return {"host": host, "port": port}
    path = str(value.get("path", "/"))
    if any(not " " < char < "\x7f" for char in path):
        raise ValueError("path %r holds a space, a control character or a character outside ASCII" % path)
    return {"host": host, "port": port, "path": path if path.startswith("/") else "/" + path}


_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:")


def _host(value):
    """An IP address or a host name (Swarm's service names hold `_`), as the probe connects to it."""
    host = str(value)
    labels = host.split(".") if ":" not in host else [host]
    if not host or len(host) > 253 or not _HOST_CHARACTERS.issuperset(host) or not all(0 < len(x) < 64 for x in labels):
        raise ValueError("host %r is not an IP address or a DNS name" % host)
    return host


def check(probe, client, container_id):
    """True when the probe passes now."""
    if probe.action == "tcp_socket":
        import socket  # here only: socket.py (selectors, enums) is 0.3 MB of a controller without TCP probes

        try:
            socket.create_connection((probe.target["host"], probe.target["port"]), timeout=probe.timeout).close()
            return True
        except OSError:  # socket.timeout too
            return False
    if probe.action == "http_get":
        try:
            return 200 <= http_status(probe.target, probe.timeout) < 400
        except (OSError, ValueError):  # socket.timeout too
            return False
    try:
        code, _output = client.exec_run(container_id, probe.target, timeout=probe.timeout + 5)
    except Exception:  # noqa: BLE001 - an engine failure is a failed probe, not a crash
        return False
    return code == 0


def http_request(target):
    """The probe's request: GET of the path, HTTP/1.0, the Host header bracketing an IPv6 address."""
    host = "[%s]" % target["host"] if ":" in target["host"] else target["host"]
    text = "GET %s HTTP/1.0\r\nHost: %s:%d\r\nUser-Agent: podlike-probe\r\n\r\n"
    return (text % (target["path"], host, target["port"])).encode("ascii")


def http_status(target, timeout):
    """The status code of GET target["path"] at target's host and port, all of it within timeout seconds.

    Only the status line is read: an answer trickled, endless or without one cannot hold the probe longer.
    """
    import socket  # here only, as for the TCP probe

    deadline = time.monotonic() + timeout
    with socket.create_connection((target["host"], target["port"]), timeout=timeout) as connection:
        connection.sendall(http_request(target))
        answer = b""
        while b"\n" not in answer and len(answer) < 1024:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no status line within %ss" % timeout)
            connection.settimeout(left)
            piece = connection.recv(1024 - len(answer))
            if not piece:
                break
            answer += piece
    parts = answer.split(b"\n", 1)[0].split()
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise ValueError("not an HTTP answer")
    return int(parts[1])


def run_probes(client, probes, container_id, active, on_readiness, on_failure):
    """Run a component's probes while active() holds.

    on_readiness(ready, failed) reports readiness results; on_failure(kind, count) is called once when a
    startup or liveness probe has failed failure_threshold times in a row, and the loop ends.
    """
    started = time.time()
    due = dict((kind, started + probe.initial_delay) for kind, probe in probes.items())
    failures = dict((kind, 0) for kind in probes)
    successes = dict((kind, 0) for kind in probes)
    startup_done = "startup" not in probes
    while active():
        now = time.time()
        for kind, probe in sorted(probes.items()):
            if due[kind] > now or (kind == "startup") == startup_done:
                continue
            due[kind] = now + probe.interval
            passed = check(probe, client, container_id)
            failures[kind] = 0 if passed else failures[kind] + 1
            successes[kind] = successes[kind] + 1 if passed else 0
            if kind == "startup" and successes[kind] >= probe.success_threshold:
                startup_done = True
            elif kind == "readiness":
                on_readiness(successes[kind] >= probe.success_threshold, failures[kind] >= probe.failure_threshold)
            if kind in ("startup", "liveness") and failures[kind] >= probe.failure_threshold:
                on_failure(kind, failures[kind])
                return
        time.sleep(max(0.05, min(due.values()) - time.time()))
