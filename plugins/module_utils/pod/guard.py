# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Removal of what a controller made once the controller is gone: the pod's guard and the node's sweeper.

`python3 -I -S guard.py CONTROLLER_ID SOCKET` is a pod's guard, in a container of its own (see
containers.guard_body): it waits for its controller to end, then removes every container the controller made.
It covers what the infra's dead-man's switch cannot: components created but not started yet, and the infra.

`podlike guard --node` is the node's sweeper, one per node (the `swarm` role runs it as a global service): it
removes the containers of every pod on the node whose controller no longer runs, as the engine's events
report controllers ending and containers being created, and in a full sweep at start and every interval. It
covers what no guard can: a guard the engine created for a controller killed before it could start it.

Both decide by one rule (`owner_of`, `controller_gone`): a container is removed only on its own
`podlike.controller.id` label, and only when the container that label names is not running, created, paused
or restarting. Standard library only (`_socket`, json), to stay small in memory: the controller, which imports
this module for `owner_of`, gets the collection's JSON codec instead of json (re and enum).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import _socket
import os
import sys
import time

try:
    from ansible_collections.podlike.swarm.plugins.module_utils.json_codec import dumps, loads
except ImportError:  # the pod's guard, a script run with python3 -I -S
    from json import dumps, loads

# Unversioned paths: the engine answers them in its own API version, whichever that is.
API = ""
LABEL_CONTROLLER_ID = "podlike.controller.id"
LABEL_ROLE = "podlike.role"
LABEL_POD = "podlike.pod"
# The roles of the containers a controller makes (containers.PodContext.own_labels).
POD_ROLES = ("component", "init", "infra", "guard")
# The node sweeper's container carries this role (and no controller's label): controllers find it by it.
SWEEPER_ROLE = "sweeper"
# A controller in one of these states may still act on its containers (a created one has made none yet).
GONE_STATES = ("exited", "dead", "removing")
# A create the controller sent just before it ended is still completed by the engine: keep looking
# until nothing has turned up for this long.
QUIET_SECONDS = 2.0
SWEEP_INTERVAL = 60.0
DEFAULT_SOCKET = "/var/run/docker.sock"
# The controller image's HEALTHCHECK reads this file (controller/health.py writes it for a pod).
HEALTH_FILE = "/dev/shm/podlike.health"
NODE_USAGE = "usage: podlike guard --node [--socket PATH] [--label KEY=VALUE]... [--interval SECONDS]"


def connect(socket_path, method, path, timeout=None):
    """Send one HTTP/1.0 request (the engine then answers without chunks and closes); return the socket."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(socket_path)
        request = "%s %s%s HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n" % (method, API, path)
        sock.sendall(request.encode("ascii"))
    except OSError:
        sock.close()
        raise
    return sock


def call(socket_path, method, path, timeout=None):
    """One request; return (status, body)."""
    sock = connect(socket_path, method, path, timeout)
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    head, _sep, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(None, 2)[1]), body


def quote(text):
    return "".join(c if c.isalnum() or c in "-._~" else "%%%02X" % ord(c) for c in text)


def is_container_id(text):
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def owner_of(labels):
    """The controller a container belongs to, when it carries every label a controller gives; else None.

    A container of another kind (without a pod or a role of the pod core, or with an owner that is not a full
    container ID) is never anyone's leftover. No other label exempts one: a definition could add it to a component.
    """
    owner = labels.get(LABEL_CONTROLLER_ID) or ""
    if not is_container_id(owner) or labels.get(LABEL_ROLE) not in POD_ROLES or not labels.get(LABEL_POD):
        return None
    return owner


def pod_containers(containers):
    """(ID, name, owner) of each container of a pod among `containers` (GET /containers/json entries)."""
    found = []
    for container in containers:
        owner = owner_of(container.get("Labels") or {})
        if owner:
            found.append((container["Id"], (container.get("Names") or ["?"])[0].lstrip("/"), owner))
    return found


def controller_gone(socket_path, controller_id):
    """True when the controller no longer exists or has ended; False when it may still act, or when unsure."""
    status, body = call(socket_path, "GET", "/containers/%s/json" % controller_id, timeout=30)
    if status == 404:
        return True
    if status != 200:
        return False
    return (loads(body.decode("utf-8")).get("State") or {}).get("Status") in GONE_STATES


def labelled(socket_path, labels):
    """Summaries of the containers (any state) carrying every label in labels (KEY or KEY=VALUE)."""
    filters = dumps({"label": list(labels)})
    status, body = call(socket_path, "GET", "/containers/json?all=1&filters=" + quote(filters), timeout=30)
    if status != 200:
        raise OSError("the engine answered %d to a container list" % status)
    return loads(body.decode("utf-8"))


def remove(socket_path, container_id):
    """Remove a container; True when this call removed it (not when it was gone or being removed already)."""
    return call(socket_path, "DELETE", "/containers/%s?force=1" % container_id, timeout=30)[0] < 300


# The pod's guard ----------------------------------------------------------------------------------------
def wait_for_end(socket_path, controller_id):
    """Block until the controller is not running (or gone)."""
    while True:
        try:
            status, _body = call(socket_path, "POST", "/containers/%s/wait?condition=not-running" % controller_id)
            if status in (200, 404):
                return
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(1)


def made_by(socket_path, controller_id, scope=()):
    """Summaries of the containers the controller made (by owner_of), carrying every label of scope too."""
    found = labelled(socket_path, ["%s=%s" % (LABEL_CONTROLLER_ID, controller_id)] + list(scope))
    return [c for c in found if owner_of(c.get("Labels") or {}) == controller_id]


def leftovers(socket_path, controller_id):
    """IDs of the containers the controller made, but for guards."""
    return [c["Id"] for c in made_by(socket_path, controller_id) if c["Labels"][LABEL_ROLE] != "guard"]


def remove_all(socket_path, controller_id, quiet=QUIET_SECONDS):
    last_seen = time.time()
    while time.time() - last_seen < quiet:
        try:
            found = leftovers(socket_path, controller_id)
            for container_id in found:
                remove(socket_path, container_id)
        except (OSError, ValueError, IndexError):
            found = True
        if found:
            last_seen = time.time()
        time.sleep(0.2)


def covering_sweeper(containers):
    """The name of a node sweeper among containers (the engine's running ones) that covers every pod; else None.

    It is labelled podlike.role=sweeper and carries no controller's label (a component always does, so none can
    pose as one), runs `guard --node` without a --label scope, and is healthy: its events stream is connected.
    """
    for container in containers:
        labels = container.get("Labels") or {}
        if labels.get(LABEL_ROLE) != SWEEPER_ROLE or LABEL_CONTROLLER_ID in labels:
            continue
        words = [word.strip("'\"") for word in (container.get("Command") or "").split()]
        if "--node" not in words or "--label" in words or any(w.startswith("--label=") for w in words):
            continue
        if container.get("State") == "running" and "(healthy)" in (container.get("Status") or ""):
            return (container.get("Names") or ["/" + container["Id"][:12]])[0].lstrip("/")
    return None


# The node's sweeper -------------------------------------------------------------------------------------
def event_time(event):
    """An event's time as the events endpoint's `since` takes it (seconds.nanoseconds, exact); None if it has none."""
    nanoseconds = event.get("timeNano")
    return "%d.%09d" % divmod(int(nanoseconds), 10**9) if nanoseconds else None


class Sweeper:
    """Removes the containers of pods whose controller is gone, on one node; never a running guard."""

    def __init__(self, socket_path, scope=(), interval=SWEEP_INTERVAL, log=None, health_file=HEALTH_FILE):
        self.socket_path = socket_path
        self.scope = list(scope)
        self.interval = interval
        self.log = log or _log
        self.health_file = health_file

    def in_scope(self, labels):
        return all(labels.get(key) == value for key, _sep, value in (item.partition("=") for item in self.scope))

    def sweep_all(self):
        """One pass over every container a controller made; return how many were removed."""
        by_owner = {}
        for container in labelled(self.socket_path, [LABEL_CONTROLLER_ID] + self.scope):
            owner = owner_of(container.get("Labels") or {})
            if owner:
                by_owner.setdefault(owner, []).append(container)
        return sum(self._remove_if_gone(owner, found) for owner, found in sorted(by_owner.items()))

    def sweep_owner(self, controller_id):
        """Remove what the controller made, if it is gone; return how many were removed."""
        return self._remove_if_gone(controller_id, made_by(self.socket_path, controller_id, self.scope))

    def _remove_if_gone(self, controller_id, found):
        # Listed before the controller's state is read: a controller seen gone made everything listed before.
        if not found or not controller_gone(self.socket_path, controller_id):
            return 0
        removed = 0
        for container in found:
            if container["Labels"][LABEL_ROLE] == "guard" and container.get("State") == "running":
                continue  # it is removing the same containers, then itself
            if remove(self.socket_path, container["Id"]):
                name = (container.get("Names") or ["/" + container["Id"][:12]])[0].lstrip("/")
                self.log(
                    "removed %s (%s): its controller %s is gone" % (name, container.get("State"), controller_id[:12])
                )
                removed += 1
        return removed

    def on_event(self, event):
        """A controller that ended, or a container created for one that may have ended meanwhile."""
        actor = event.get("Actor") or {}
        container_id, action = actor.get("ID") or event.get("id") or "", event.get("Action") or event.get("status")
        if action in ("die", "destroy") and is_container_id(container_id):
            self.sweep_owner(container_id)
        elif action == "create":
            attributes = actor.get("Attributes") or {}
            owner = owner_of(attributes)
            if owner and self.in_scope(attributes) and controller_gone(self.socket_path, owner):
                self.sweep_owner(owner)

    def events(self, since):
        """Yield the engine's container events from since until the stream is idle for the interval."""
        filters = dumps({"type": ["container"], "event": ["create", "die", "destroy"]})
        path = "/events?since=%s&filters=%s" % (since, quote(filters))
        sock = connect(self.socket_path, "GET", path, timeout=self.interval)
        lines = _lines(sock)
        try:
            status = next(lines, b"").split(None, 2)
            if len(status) < 2 or status[1] != b"200":
                raise OSError("the engine refused the events stream: %s" % b" ".join(status).decode("ascii", "replace"))
            while next(lines, b"").strip():
                pass
            self._health("healthy")
            for line in lines:
                if line.strip():
                    yield loads(line.decode("utf-8"))
        except _socket.timeout:
            return
        finally:
            sock.close()

    def run(self):
        """Sweep, follow the events, sweep again whenever they are idle for the interval; never returns."""
        since = "%.9f" % time.time()
        last_error = None
        while True:
            try:
                self.sweep_all()
                for event in self.events(since):
                    last_error = None
                    since = event_time(event) or since  # the engine sends that event again: sweeps repeat safely
                    self.on_event(event)
            except (OSError, ValueError, KeyError, IndexError, AttributeError) as exc:
                self._health("unhealthy")
                if str(exc) != last_error:
                    self.log("engine: %s; retrying every second" % exc)
                last_error = str(exc)
                time.sleep(1)

    def _health(self, state):
        if not self.health_file:
            return
        try:
            with open(self.health_file + ".tmp", "w") as handle:
                handle.write(state + "\n")
            os.replace(self.health_file + ".tmp", self.health_file)
        except OSError:
            pass


def _lines(sock):
    """The lines (with their newline) a socket receives until it closes."""
    pending = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield line + b"\n"
    if pending:
        yield pending


def _log(line):
    sys.stdout.write("podlike guard: %s\n" % line)
    sys.stdout.flush()


def node_settings(argv, environ):
    """(socket path, scope labels, interval) from `--socket`, `--label`, `--interval`; ValueError if bad."""
    host = environ.get("DOCKER_HOST") or ""
    socket_path = host[len("unix://") :] if host.startswith("unix://") else DEFAULT_SOCKET
    scope, interval = [], SWEEP_INTERVAL
    items = list(argv)
    while items:
        flag = items.pop(0)
        name, has_value, value = flag.partition("=")
        if name not in ("--socket", "--label", "--interval"):
            raise ValueError("unknown argument %s" % flag)
        if not has_value:
            if not items:
                raise ValueError("%s needs a value" % name)
            value = items.pop(0)
        if name == "--socket":
            socket_path = value
        elif name == "--label":
            if not value.partition("=")[0]:
                raise ValueError("--label takes KEY=VALUE, not %r" % value)
            scope.append(value)
        else:
            try:
                interval = float(value)
            except ValueError:
                interval = 0
            if interval <= 0:
                raise ValueError("--interval takes a number of seconds above 0, not %r" % value)
    return socket_path, scope, interval


def node_main(argv, environ=None):
    try:
        socket_path, scope, interval = node_settings(argv, os.environ if environ is None else environ)
    except ValueError as exc:
        sys.stderr.write("podlike guard: error: %s\n%s\n" % (exc, NODE_USAGE))
        return 2
    _log(
        "sweeping the containers of ended controllers on this node (engine %s%s)"
        % (socket_path, ", only " + " ".join(scope) if scope else "")
    )
    Sweeper(socket_path, scope, interval).run()
    return 0


def main(argv):
    if argv[1:2] == ["--node"]:
        return node_main(argv[2:])
    if len(argv) != 3:
        sys.stderr.write("usage: guard.py CONTROLLER_ID SOCKET\n%s\n" % NODE_USAGE)
        return 2
    controller_id, socket_path = argv[1], argv[2]
    wait_for_end(socket_path, controller_id)
    remove_all(socket_path, controller_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
