# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A small Docker Engine API client on the standard library.

The controller runs once per pod, so it talks to the engine without the Docker SDK: this keeps
its start-up fast and its memory low, and lets modules run on hosts without extra packages.
It honours DOCKER_HOST, DOCKER_API_VERSION, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY.

Without an API version (or with "auto") the client negotiates one as the Docker CLI does: the engine's
own version from an unversioned GET /_ping, capped at the newest version this project was audited
against. One negotiation per process and engine, shared by every client and clone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct
import time

from ansible_collections.podlike.swarm.plugins.module_utils import json_codec as json
from ansible_collections.podlike.swarm.plugins.module_utils import trace
from ansible_collections.podlike.swarm.plugins.module_utils.constants import DOCKER_SOCKET
from ansible_collections.podlike.swarm.plugins.module_utils.engine.transport import (
    Connection,
    ConnectionClosed,
    Timeout,
)
from ansible_collections.podlike.swarm.plugins.module_utils.threads import Lock

DEFAULT_HOST = "unix://" + DOCKER_SOCKET
# Docker 20.10 is the oldest engine the project runs on; Docker 28 (API 1.51) the newest whose API changes
# are audited (docs/controller.md, "Engine API versions"). Newer engines are spoken to in 1.51.
MIN_API_VERSION = "1.41"
MAX_API_VERSION = "1.51"
DEFAULT_TIMEOUT = 60
# What an exec (a hook, a probe) keeps of its output: its last 64 KiB, as a log line is cut in 64 KiB pieces.
EXEC_OUTPUT_LIMIT = 65536
TCP_SCHEMES = ("tcp://", "http://", "https://")
TLS_FILE_KEYS = ("ca_cert", "client_cert", "client_key")
# Characters a path segment or query value keeps as they are (RFC 3986 unreserved).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def unix_socket_path(base_url=None):
    """The path of the engine's unix socket at base_url (default: DOCKER_HOST, else the default host); None for TCP."""
    base_url = base_url or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    if base_url.startswith("unix://"):
        return base_url[len("unix://") :]
    return base_url if base_url.startswith("/") else None


def remove_and_wait(client, container_id, timeout=30):
    """Remove a container by force; when the engine is already removing it, wait up to timeout s for the end.

    A container already gone is not an error; other refusals of the removal are raised.
    """
    try:
        client.remove_container(container_id, force=True)
        return
    except NotFound:
        return
    except Conflict:
        pass
    try:
        client.wait_container(container_id, condition="removed", timeout=timeout)
    except DockerError:
        pass


def quote(text, safe=""):
    """Percent-encode text for a URL path segment or query value.

    urllib.parse would do, but it brings in ipaddress: half a megabyte in every pod controller.
    """
    keep = _UNRESERVED.union(safe.encode("ascii"))
    return "".join(chr(byte) if byte in keep else "%%%02X" % byte for byte in str(text).encode("utf-8"))


def urlencode(params):
    """key=value pairs joined with &, both percent-encoded."""
    return "&".join("%s=%s" % (quote(key), quote(value)) for key, value in params.items())


_negotiated = {}  # base_url -> (api_version, engine_version)
_negotiation_lock = Lock()


class DockerError(Exception):
    """An error answered by the engine, or no answer at all."""

    def __init__(self, message, status=None):
        super(DockerError, self).__init__(message)
        self.status = status


class ExecTimeout(DockerError):
    """An exec still running at the end of its timeout; output: the last of what it wrote until then."""

    def __init__(self, message, output):
        super(ExecTimeout, self).__init__(message)
        self.output = output


class NotFound(DockerError):
    """The engine answered 404."""


class Conflict(DockerError):
    """The engine answered 409."""


class DockerClient:
    """Engine API calls over a unix socket or TCP (optionally TLS)."""

    def __init__(self, base_url=None, api_version=None, timeout=DEFAULT_TIMEOUT, tls=None):
        self.base_url = base_url or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        requested = api_version or os.environ.get("DOCKER_API_VERSION") or "auto"
        self.pinned_api_version = None if requested == "auto" else requested
        self.timeout = timeout
        self.tls = tls if tls is not None else _tls_from_env()
        self.versioned = True
        self._conn = None

    def clone(self, versioned=True):
        """A client to the same engine with its own connection (one per thread).

        versioned=False: its paths carry no API version, and the engine answers in its own. For lookups sent
        before the version is negotiated, whose answers read alike in every version podlike.swarm supports.
        """
        client = DockerClient(self.base_url, self.pinned_api_version, self.timeout, self.tls)
        client.versioned = versioned
        return client

    def __getstate__(self):
        """Pickled without its connection, with the negotiated version: the controller's start-up hands it on."""
        state = dict(self.__dict__, _conn=None)
        state["negotiated"] = _negotiated.get(self.base_url)
        return state

    def __setstate__(self, state):
        negotiated = state.pop("negotiated", None)
        if negotiated is not None:
            with _negotiation_lock:
                _negotiated.setdefault(state["base_url"], negotiated)
        self.__dict__.update(state)

    # API version ------------------------------------------------------------------------------
    @property
    def api_version(self):
        """The version in every request path: the one asked for, else the negotiated one."""
        return self.pinned_api_version or self._negotiation()[0]

    @property
    def engine_version(self):
        """The engine's version from its Server header (negotiated clients only), or None."""
        return None if self.pinned_api_version else self._negotiation()[1]

    def describe_api(self):
        """One phrase for logs: 'API 1.51 (negotiated with Docker 28.5.2)' or 'API 1.41 (as set)'."""
        if self.pinned_api_version:
            return "API %s (as set)" % self.pinned_api_version
        return "API %s (negotiated with Docker %s)" % (self.api_version, self.engine_version or "of unknown version")

    def check_api_version(self):
        """The version every request will carry; one set by hand is sent once (GET /v<version>/_ping), so that an
        engine that no longer speaks it says so before anything else is asked of it."""
        if self.pinned_api_version:
            self.get("/_ping")
        return self.api_version

    def _negotiation(self):
        with _negotiation_lock:
            known = _negotiated.get(self.base_url)
            if known is None:
                known = _negotiated[self.base_url] = self._negotiate()
            return known

    def _negotiate(self):
        """min(engine's API version, MAX_API_VERSION), from one unversioned GET /_ping."""
        resp, _data = self._exchange("GET", "/_ping", None, {"Host": "docker"}, self.timeout)
        engine_api = resp.getheader("Api-Version")
        server = resp.getheader("Server") or ""
        engine_version = server.split("/", 1)[1].split(" ", 1)[0] if server.startswith("Docker/") else None
        if resp.status != 200 or not engine_api:
            raise DockerError(
                "the Docker engine at %s did not tell its API version (GET /_ping answered %s); "
                "set DOCKER_API_VERSION" % (self.base_url, resp.status)
            )
        if version_tuple(engine_api) < version_tuple(MIN_API_VERSION):
            raise DockerError(
                "the Docker engine at %s speaks API %s; podlike.swarm needs %s (Docker 20.10) or newer"
                % (self.base_url, engine_api, MIN_API_VERSION)
            )
        return min(engine_api, MAX_API_VERSION, key=version_tuple), engine_version

    # connection -------------------------------------------------------------------------------
    def _connect(self, timeout):
        url = self.base_url
        socket_path = unix_socket_path(url)
        if socket_path:
            return Connection(socket_path, timeout)
        if url.startswith(TCP_SCHEMES):
            address = tcp_address(url)
            if self.tls or url.startswith("https://"):
                tls = self.tls or {}
                return Connection(address, timeout, _ssl_context(tls), tls.get("hostname") or address[0])
            return Connection(address, timeout)
        raise DockerError("unsupported Docker host %r (use unix:// or tcp://)" % url)

    def _open(self, timeout):
        """A new connection to the engine; DockerError when the URL or the TLS files cannot make one."""
        try:
            return self._connect(timeout)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            tls_files = [path for key, path in sorted((self.tls or {}).items()) if key in TLS_FILE_KEYS and path]
            hint = " (TLS files: %s)" % ", ".join(tls_files) if tls_files and isinstance(exc, OSError) else ""
            raise DockerError("cannot connect to the Docker engine at %s: %s%s" % (self.base_url, exc, hint))

    def _path(self, path, params=None):
        full = "/v%s%s" % (self.api_version, path) if self.versioned else path
        if params:
            clean = dict((k, v) for k, v in params.items() if v is not None)
            for key, value in clean.items():
                if isinstance(value, bool):
                    clean[key] = "1" if value else "0"
                elif isinstance(value, (dict, list)):
                    clean[key] = json.dumps(value)
            full += "?" + urlencode(clean)
        return full

    def request(self, method, path, params=None, body=None, headers=None, timeout=None, stream=False, on_sent=None):
        """Send one request; return the open response when stream, else (status, bytes)."""
        hdrs = {"Host": "docker"}
        if headers:
            hdrs.update(headers)
        payload = body
        if body is not None and not isinstance(body, (bytes, bytearray)):
            payload = json.dumps(body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        url = self._path(path, params)
        if stream:
            conn = self._open(timeout)
            hdrs["Connection"] = "close"
            return self._send(conn, method, url, payload, hdrs, on_sent)
        resp, data = self._exchange(
            method, url, payload, hdrs, timeout if timeout is not None else self.timeout, on_sent
        )
        return resp.status, data

    def _exchange(self, method, url, payload, hdrs, wanted, on_sent=None):
        """One request and its whole answer on the kept-alive connection (opened again once if closed)."""
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._open(wanted)
            elif self._conn.timeout != wanted:
                self._conn.set_timeout(wanted)
            try:
                resp = self._send(self._conn, method, url, payload, hdrs, on_sent)
                data = resp.read()
            except ConnectionClosed:
                self.close()
                if attempt == 2:
                    raise DockerError("the Docker engine at %s closed the connection" % self.base_url)
                continue
            except OSError as exc:  # a Timeout too
                self.close()
                raise DockerError(
                    "no answer from the Docker engine at %s (%s %s): %s%s"
                    % (self.base_url, method, url, exc, self._tls_hint(exc))
                )
            if resp.getheader("Connection", "").lower() == "close" or not resp.complete:
                self.close()
            return resp, data
        raise DockerError("unreachable")  # pragma: no cover

    def _send(self, conn, method, url, payload, hdrs, on_sent=None):
        trace.request(method, url)
        try:
            resp = conn.request(method, url, hdrs, payload, on_sent)
            trace.request(method, url, resp.status)
            return resp
        except ConnectionClosed:
            raise
        except Timeout:
            conn.close()
            raise DockerError("the Docker engine at %s did not answer in time (%s %s)" % (self.base_url, method, url))
        except (FileNotFoundError, ConnectionRefusedError, PermissionError) as exc:
            conn.close()
            raise DockerError("cannot reach the Docker engine at %s: %s" % (self.base_url, exc.strerror or exc))
        except OSError as exc:
            conn.close()
            raise DockerError("cannot reach the Docker engine at %s: %s%s" % (self.base_url, exc, self._tls_hint(exc)))

    def _tls_hint(self, exc):
        """What to check when the engine ended a TLS session that had no client certificate; else ''."""
        kind = type(exc)
        if kind.__module__ != "ssl" or kind.__name__ == "SSLCertVerificationError":
            return ""
        if not self.tls or self.tls.get("client_cert"):
            return ""
        return " (no client certificate was given: set client_cert and client_key, or DOCKER_CERT_PATH)"

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _error(self, status, data):
        """The engine's error; a negotiated version the engine finds too old says so plainly."""
        error = _error(status, data)
        if status == 400 and not self.pinned_api_version and "is too old" in str(error):
            return DockerError(
                "the Docker engine at %s no longer speaks API %s, the newest podlike.swarm supports: %s"
                % (self.base_url, self.api_version, error),
                status,
            )
        return error

    # JSON helpers -----------------------------------------------------------------------------
    def call(self, method, path, params=None, body=None, timeout=None, ok=(200, 201, 204, 304), on_sent=None):
        status, data = self.request(method, path, params=params, body=body, timeout=timeout, on_sent=on_sent)
        if status not in ok:
            raise self._error(status, data)
        if not data:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError:
            return data.decode("utf-8", "replace")

    def get(self, path, params=None, **kwargs):
        return self.call("GET", path, params=params, **kwargs)

    def post(self, path, params=None, body=None, **kwargs):
        return self.call("POST", path, params=params, body=body, **kwargs)

    def delete(self, path, params=None, **kwargs):
        return self.call("DELETE", path, params=params, **kwargs)

    # engine -----------------------------------------------------------------------------------
    def info(self):
        return self.get("/info")

    def version(self):
        return self.get("/version")

    # containers -------------------------------------------------------------------------------
    def containers(self, labels=None, all=True, name=None, ids=None):
        filters = {}
        if labels:
            filters["label"] = labels
        if name:
            filters["name"] = [name]
        if ids:
            filters["id"] = list(ids)
        return self.get("/containers/json", params={"all": all, "filters": filters or None})

    def inspect_container(self, container_id):
        return self.get("/containers/%s/json" % quote(container_id, safe=""))

    def create_container(self, name, config):
        return self.post("/containers/create", params={"name": name}, body=config)

    def start_container(self, container_id, on_sent=None):
        return self.post("/containers/%s/start" % quote(container_id, safe=""), on_sent=on_sent)

    def attach_stdin(self, container_id):
        """Attach to a container's stdin; return the open connection, to close (or die) to close the stdin."""
        conn = self._open(self.timeout)
        url = self._path("/containers/%s/attach" % quote(container_id, safe=""), {"stream": True, "stdin": True})
        resp = self._send(conn, "POST", url, b"", {"Host": "docker", "Upgrade": "tcp", "Connection": "Upgrade"})
        if resp.status not in (101, 200):
            data = resp.read()
            conn.close()
            raise _error(resp.status, data)
        conn.set_timeout(None)
        return conn

    def stop_container(self, container_id, timeout):
        return self.post(
            "/containers/%s/stop" % quote(container_id, safe=""),
            params={"t": int(timeout)},
            timeout=max(int(timeout), 0) + self.timeout,
        )

    def kill_container(self, container_id, signal="KILL"):
        return self.post("/containers/%s/kill" % quote(container_id, safe=""), params={"signal": signal})

    def remove_container(self, container_id, force=True, volumes=False):
        return self.delete("/containers/%s" % quote(container_id, safe=""), params={"force": force, "v": volumes})

    def wait_container(self, container_id, condition="not-running", timeout=None):
        return self.post(
            "/containers/%s/wait" % quote(container_id, safe=""), params={"condition": condition}, timeout=timeout
        )

    def put_archive(self, container_id, path, tar_bytes):
        status, data = self.request(
            "PUT",
            "/containers/%s/archive" % quote(container_id, safe=""),
            params={"path": path},
            body=bytes(tar_bytes),
            headers={"Content-Type": "application/x-tar"},
        )
        if status != 200:
            raise self._error(status, data)

    def exec_run(self, container_id, cmd, timeout=None):
        """Run a command in a container; return (exit_code, the last EXEC_OUTPUT_LIMIT bytes of its output).

        timeout (s) bounds the whole call, however the command writes: a command still running then is a
        DockerError (the command itself goes on in its container, until the container stops).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        created = self.post(
            "/containers/%s/exec" % quote(container_id, safe=""),
            body={"Cmd": cmd, "AttachStdout": True, "AttachStderr": True},
        )
        resp = self.request(
            "POST", "/exec/%s/start" % created["Id"], body={"Detach": False, "Tty": False}, stream=True, timeout=timeout
        )
        output = bytearray()
        try:
            for _stream, chunk in read_frames(resp):
                output += chunk
                del output[:-EXEC_OUTPUT_LIMIT]
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Timeout()
                    resp.connection.set_timeout(left)  # the next read waits no longer than the time left
        except OSError:  # a Timeout too
            raise ExecTimeout(
                "%s did not end within %ss" % (" ".join(cmd)[:200], timeout), output.decode("utf-8", "replace")
            )
        finally:
            resp.close()
        result = self.get("/exec/%s/json" % created["Id"])
        return result.get("ExitCode"), output.decode("utf-8", "replace")

    def logs(self, container_id, follow=True, tail=None, since=None, timeout=None):
        """Open a log stream; read it with read_frames (or read_raw for TTY containers)."""
        return self.request(
            "GET",
            "/containers/%s/logs" % quote(container_id, safe=""),
            params={"follow": follow, "stdout": True, "stderr": True, "tail": tail, "since": since},
            stream=True,
            timeout=timeout,
        )

    def events(self, filters=None, since=None, timeout=None):
        """Open the events stream; iterate with read_json_lines."""
        resp = self.request("GET", "/events", params={"filters": filters, "since": since}, stream=True, timeout=timeout)
        if resp.status != 200:
            raise self._error(resp.status, resp.read())
        return resp

    # images -----------------------------------------------------------------------------------
    def inspect_image(self, name):
        return self.get("/images/%s/json" % quote(name, safe=""))

    def pull_image(self, name, auth_header=None, timeout=600):
        repo, tag = split_image(name)
        headers = {"X-Registry-Auth": auth_header} if auth_header else None
        status, data = self.request(
            "POST", "/images/create", params={"fromImage": repo, "tag": tag}, headers=headers, timeout=timeout
        )
        if status != 200:
            raise self._error(status, data)
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("error"):
                raise DockerError(message["error"])

    # volumes ----------------------------------------------------------------------------------
    def inspect_volume(self, name):
        return self.get("/volumes/%s" % quote(name, safe=""))

    def find_volume(self, name):
        """The engine's inspect of a named volume, or None when there is no such volume (or no name)."""
        if not name:
            return None
        try:
            return self.inspect_volume(name)
        except NotFound:
            return None


def tcp_address(url):
    """(host, port) of a tcp://, http:// or https:// URL (port 2375 when it names none); ValueError for a bad port."""
    hostport = url.split("://", 1)[1].rstrip("/")
    host, _sep, port = hostport.rpartition(":")
    if not host:
        return hostport, 2375
    if not port or any(digit not in "0123456789" for digit in port):
        raise ValueError("port %r is not a number" % port)
    if not 0 < int(port) < 65536:
        raise ValueError("port %s is not between 1 and 65535" % port)
    return host, int(port)


def version_tuple(version):
    """'1.41' -> (1, 41), for comparing API versions."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        raise DockerError("%r is not an API version (expected e.g. 1.44)" % (version,))


def split_image(name):
    """Split an image reference into repository and tag (digests stay in the repository)."""
    if "@" in name:
        return name, None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :]
    return name, "latest"


def read_frames(resp):
    """Yield (stream, bytes) from a multiplexed attach or logs stream (1 stdout, 2 stderr)."""
    while True:
        header = _read_exact(resp, 8)
        if not header:
            return
        stream, size = struct.unpack(">BxxxL", header)
        payload = _read_exact(resp, size)
        if payload is None:
            return
        yield stream, payload


def read_raw(resp):
    """Yield (1, bytes) chunks from a TTY container's log stream, which is not multiplexed."""
    while True:
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(4096)
        if not chunk:
            return
        yield 1, chunk


def event_subject(event):
    """(container ID, action) of an events-stream message; API 1.52 drops the older id and status fields."""
    actor = event.get("Actor") or {}
    return actor.get("ID") or event.get("id"), event.get("Action") or event.get("status") or ""


def read_json_lines(resp):
    """Yield decoded JSON objects from a stream of JSON lines (the events endpoint)."""
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.strip()
        if line:
            try:
                yield json.loads(line.decode("utf-8"))
            except ValueError:
                continue


def _read_exact(resp, size):
    chunks = []
    remaining = size
    while remaining > 0:
        chunk = resp.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks) if chunks else (b"" if size == 0 else None)


def _error(status, data):
    try:
        message = json.loads(data.decode("utf-8")).get("message") or ""
    except (ValueError, AttributeError):
        message = data.decode("utf-8", "replace").strip() if data else ""
    message = message or "HTTP %s" % status
    if status == 404:
        return NotFound(message, status)
    if status == 409:
        return Conflict(message, status)
    return DockerError(message, status)


def _tls_from_env():
    if not os.environ.get("DOCKER_TLS_VERIFY") and not os.environ.get("DOCKER_CERT_PATH"):
        return None
    cert_path = os.environ.get("DOCKER_CERT_PATH") or os.path.expanduser("~/.docker")
    return {
        "ca_cert": os.path.join(cert_path, "ca.pem"),
        "client_cert": os.path.join(cert_path, "cert.pem"),
        "client_key": os.path.join(cert_path, "key.pem"),
        "verify": bool(os.environ.get("DOCKER_TLS_VERIFY")),
    }


def _ssl_context(tls):
    import ssl

    context = ssl.create_default_context(cafile=tls.get("ca_cert") if tls.get("ca_cert") else None)
    if not tls.get("verify", True):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.get("client_cert"):
        context.load_cert_chain(tls["client_cert"], tls.get("client_key"))
    return context
