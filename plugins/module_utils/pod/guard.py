# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The pod's guard: waits for its controller to end, then removes every container the controller made.

Run as `python3 -I -S guard.py CONTROLLER_ID SOCKET` in a container of its own (see containers.guard_body).
It covers what the infra's dead-man's switch cannot: components created but not started yet, and the infra
itself, when the controller is killed. Standard library only (socket, json), to stay small in memory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import sys
import time

# Unversioned paths: the engine answers them in its own API version, whichever that is.
API = ""
LABEL_CONTROLLER_ID = "podlike.controller.id"
LABEL_ROLE = "podlike.role"
# A create the controller sent just before it ended is still completed by the engine: keep looking
# until nothing has turned up for this long.
QUIET_SECONDS = 2.0


def call(socket_path, method, path, timeout=None):
    """One HTTP/1.0 request (the engine then answers without chunks and closes); return (status, body)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(socket_path)
        request = "%s %s%s HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n" % (method, API, path)
        sock.sendall(request.encode("ascii"))
        chunks = []
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


def leftovers(socket_path, controller_id):
    """IDs of the containers labelled with the controller, but for guards."""
    filters = json.dumps({"label": ["%s=%s" % (LABEL_CONTROLLER_ID, controller_id)]})
    status, body = call(socket_path, "GET", "/containers/json?all=1&filters=" + quote(filters), timeout=30)
    if status != 200:
        return []
    return [c["Id"] for c in json.loads(body.decode("utf-8")) if (c.get("Labels") or {}).get(LABEL_ROLE) != "guard"]


def remove_all(socket_path, controller_id, quiet=QUIET_SECONDS):
    last_seen = time.time()
    while time.time() - last_seen < quiet:
        try:
            found = leftovers(socket_path, controller_id)
            for container_id in found:
                call(socket_path, "DELETE", "/containers/%s?force=1" % container_id, timeout=30)
        except (OSError, ValueError, IndexError):
            found = True
        if found:
            last_seen = time.time()
        time.sleep(0.2)


def main(argv):
    controller_id, socket_path = argv[1], argv[2]
    wait_for_end(socket_path, controller_id)
    remove_all(socket_path, controller_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
