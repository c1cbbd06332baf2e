"""Timing from the engine's point of view: its container events, and the API calls a container makes.

Both helpers use the engine's or the host's clock (time.time()); the engine runs on this host, so the
timestamps of events (timeNano) and of API calls compare directly with times taken in this process.
"""

import os
import socket
import threading
import time


class Event:
    """One container event: action, container id and name, labels, and the engine's timestamp in seconds."""

    __slots__ = ("action", "at", "container_id", "labels", "name")

    def __init__(self, raw):
        actor = raw.get("Actor") or {}
        attributes = actor.get("Attributes") or {}
        self.action = raw.get("Action") or raw.get("status") or ""
        self.container_id = actor.get("ID") or raw.get("id")
        self.name = attributes.get("name", "")
        self.labels = attributes
        self.at = raw["timeNano"] / 1e9 if raw.get("timeNano") else time.time()

    def __repr__(self):
        return f"Event({self.action} {self.name} {self.at:.3f})"


class EventWatcher:
    """Records every container event whose container name starts with a prefix, from a background thread."""

    def __init__(self, client, name_prefix="bench"):
        self.client = client
        self.name_prefix = name_prefix
        self.events = []
        self._changed = threading.Condition()
        self._stream = client.events(decode=True, filters={"type": "container"}, since=int(time.time()) - 1)
        self._thread = threading.Thread(target=self._read, name="bench-events", daemon=True)
        self._thread.start()

    def _read(self):
        try:
            for raw in self._stream:
                event = Event(raw)
                if not event.name.startswith(self.name_prefix):
                    continue
                with self._changed:
                    self.events.append(event)
                    self._changed.notify_all()
        except Exception:  # noqa: BLE001 - the stream ends with an error when closed
            return

    def close(self):
        self._stream.close()

    def wait(self, match, count=1, timeout=60.0, after=0.0):
        """The first `count` events after `after` for which match(event) is true; TimeoutError otherwise."""
        deadline = time.time() + timeout
        with self._changed:
            while True:
                found = [e for e in self.events if e.at >= after and match(e)]
                if len(found) >= count:
                    return found[:count]
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise TimeoutError(f"saw {len(found)} of {count} events in {timeout:.0f} s")
                self._changed.wait(min(remaining, 0.5))

    def last_time(self, match, count, timeout=60.0, after=0.0):
        """The timestamp of the count-th matching event: when the last of them happened."""
        return max(e.at for e in self.wait(match, count, timeout, after))

    def events_between(self, after, until):
        """The events seen so far with after <= timestamp <= until."""
        with self._changed:
            return [e for e in self.events if after <= e.at <= until]

    def forget(self, before):
        with self._changed:
            self.events = [e for e in self.events if e.at >= before]


def labelled(action, key, value, role=None):
    """A match for events of containers labelled key=value (and podlike.role=role when given)."""

    def match(event):
        if event.action != action and not event.action.startswith(action + ":"):
            return False
        if event.labels.get(key) != value:
            return False
        return role is None or event.labels.get("podlike.role") == role

    return match


def named(action, name):
    return lambda event: event.action == action and event.name == name


class ApiTimeline:
    """A unix-socket proxy in front of the engine that records when each request of a client is sent.

    Mounted into a container as its DOCKER_HOST, it shows when the process made its first API call and
    what it asked for, in order: the controller's start-up seen from the engine's side.
    """

    def __init__(self, directory, engine_socket="/var/run/docker.sock"):
        self.directory = directory
        self.path = os.path.join(directory, "docker.sock")
        self.engine_socket = engine_socket
        self.requests = []
        self._lock = threading.Lock()
        if os.path.exists(self.path):
            os.unlink(self.path)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        os.chmod(self.path, 0o666)
        self._server.listen(64)
        threading.Thread(target=self._accept, name="bench-proxy", daemon=True).start()

    def close(self):
        self._server.close()
        if os.path.exists(self.path):
            os.unlink(self.path)

    def reset(self):
        with self._lock:
            self.requests = []

    def _accept(self):
        while True:
            try:
                downstream, _address = self._server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.engine_socket)
            except OSError:
                downstream.close()
                continue
            threading.Thread(target=self._pump, args=(downstream, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, downstream, False), daemon=True).start()

    def _pump(self, source, target, requests):
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if requests:
                    self._record(chunk)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _record(self, chunk):
        line = chunk.split(b"\r\n", 1)[0].decode("latin-1")
        method = line.split(" ", 1)[0]
        if method in ("GET", "POST", "PUT", "DELETE", "HEAD"):
            path = line.split(" ")[1] if " " in line else line
            with self._lock:
                self.requests.append((time.time(), method, path.split("?", 1)[0]))
