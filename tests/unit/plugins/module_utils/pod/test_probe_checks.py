"""HTTP and TCP probes against a local server: the status they read, and one deadline for the whole check."""

import socket
import threading
import time

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.probes import Probe, check, http_request, parse_probes


def serve(answer):
    """A one-connection server on 127.0.0.1 writing `answer` (bytes, or a function of the connection); its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def run():
        connection, _address = server.accept()
        connection.recv(4096)
        try:
            answer(connection) if callable(answer) else connection.sendall(answer)
        except OSError:
            pass
        connection.close()
        server.close()

    threading.Thread(target=run, daemon=True).start()
    return server.getsockname()[1]


def http_probe(port, timeout=1.0):
    target = {"host": "127.0.0.1", "port": port, "path": "/healthz"}
    return Probe("liveness", "http_get", target, 1.0, timeout, 0.0, 3, 1)


@pytest.mark.parametrize(
    "answer, passed",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", True),
        (b"HTTP/1.0 302 Found\r\n\r\n", True),
        (b"HTTP/1.1 503 Service Unavailable\r\n\r\n", False),
        (b"SSH-2.0-OpenSSH\r\n", False),
        (b"", False),
        (b"HTTP/1.1 200 OK\r\n" + b"X: " + b"y" * 10**6 + b"\r\n\r\n", True),
    ],
    ids=["ok", "redirect", "unavailable", "not-http", "closed", "huge-headers"],
)
def test_the_status_line_decides(answer, passed):
    assert check(http_probe(serve(answer)), None, None) is passed


def test_an_answer_trickled_ends_the_check_at_its_timeout():
    def trickle(connection):
        for char in b"HTTP/1.1 200 OK\r\n":
            connection.sendall(bytes([char]))
            time.sleep(0.2)

    started = time.monotonic()
    assert check(http_probe(serve(trickle), timeout=1.0), None, None) is False
    assert time.monotonic() - started < 1.5


def test_a_tcp_probe_passes_when_the_port_accepts():
    port = serve(b"")
    assert check(Probe("readiness", "tcp_socket", {"host": "127.0.0.1", "port": port}, 1, 1, 0, 3, 1), None, None)


@pytest.mark.parametrize(
    "host, header",
    [("127.0.0.1", b"Host: 127.0.0.1:8080"), ("::1", b"Host: [::1]:8080"), ("shop_db", b"Host: shop_db:8080")],
)
def test_the_request_names_the_host_as_http_writes_it(host, header):
    probe = parse_probes("web", {"liveness_probe": {"http_get": {"port": 8080, "host": host, "path": "/up"}}})
    request = http_request(probe["liveness"].target)
    assert request.startswith(b"GET /up HTTP/1.0\r\n") and header + b"\r\n" in request
