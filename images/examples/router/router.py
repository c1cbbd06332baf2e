"""mesh-router: the local proxy of a pod in the service-mesh examples.

Requests from outside the pod (the published port, other pods' routers) go to the app on 127.0.0.1; requests
from the app itself (http://127.0.0.1:<port>/<service>/<path>) go to one task of <service>, found by Swarm DNS
(``tasks.<service>``), and reach that task's own router. Every hop gets a B3 span (X-B3-TraceId, X-B3-SpanId,
X-B3-ParentSpanId) that is reported to a Zipkin-compatible collector (POST /api/v2/spans, JSON v2), and, when
STATSD_ADDRESS is set, a request counter and timer are sent there as DogStatsD lines (tags: service,
direction, target, code).

Settings (environment): SERVICE_NAME (required), LISTEN_PORT (80), APP_PORT (5000), PEER_PORT (LISTEN_PORT),
ZIPKIN_URL (http://zipkin:9411/api/v2/spans, empty to disable), STATSD_ADDRESS (host:port, optional).
"""

import http.client
import http.server
import json
import os
import queue
import random
import secrets
import socket
import sys
import threading
import time
import urllib.request

SERVICE = os.environ["SERVICE_NAME"]
LISTEN_PORT = int(os.environ.get("LISTEN_PORT", "80"))
APP_PORT = int(os.environ.get("APP_PORT", "5000"))
PEER_PORT = int(os.environ.get("PEER_PORT", str(LISTEN_PORT)))
ZIPKIN_URL = os.environ.get("ZIPKIN_URL", "http://zipkin:9411/api/v2/spans")
STATSD_ADDRESS = os.environ.get("STATSD_ADDRESS", "")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
B3_HEADERS = ("x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled")

spans = queue.Queue()


def log(message):
    print("router %s: %s" % (SERVICE, message), flush=True)


def new_id(size=8):
    return secrets.token_hex(size)


def resolve(service):
    """The addresses of the service's running tasks, shuffled: Swarm DNS is the service catalog."""
    addresses = set()
    for name in ("tasks." + service, service):
        try:
            found = socket.getaddrinfo(name, PEER_PORT, socket.AF_INET, socket.SOCK_STREAM)
            addresses.update(info[4][0] for info in found)
        except socket.gaierror:
            continue
        if addresses:
            break
    addresses = list(addresses)
    random.shuffle(addresses)
    return addresses


def report_spans():
    """Send finished spans to the collector in small batches, off the request path."""
    while True:
        batch = [spans.get()]
        time.sleep(0.2)
        while not spans.empty() and len(batch) < 100:
            batch.append(spans.get())
        if not ZIPKIN_URL:
            continue
        request = urllib.request.Request(
            ZIPKIN_URL, data=json.dumps(batch).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except OSError as exc:
            log("cannot report %d spans to %s: %s" % (len(batch), ZIPKIN_URL, exc))


def send_statsd(lines):
    if not STATSD_ADDRESS:
        return
    host, _sep, port = STATSD_ADDRESS.rpartition(":")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto("\n".join(lines).encode(), (host, int(port)))


class Router(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def route(self):
        from_app = self.client_address[0].startswith("127.")
        segments = self.path.lstrip("/").split("/", 1)
        target = segments[0].split("?", 1)[0]
        if from_app and target and target != SERVICE:
            self.forward(kind="CLIENT", target=target, path=self.path, addresses=resolve(target), port=PEER_PORT)
            return
        path = self.path
        if target == SERVICE:
            path = "/" + (segments[1] if len(segments) > 1 else "")
        self.forward(kind="SERVER", target=SERVICE, path=path, addresses=["127.0.0.1"], port=APP_PORT)

    def forward(self, kind, target, path, addresses, port):
        trace_id = self.headers.get("X-B3-TraceId") or new_id(16)
        parent_id = self.headers.get("X-B3-SpanId")
        span_id = new_id()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS | set(B3_HEADERS)}
        headers.update({"X-B3-TraceId": trace_id, "X-B3-SpanId": span_id, "X-B3-Sampled": "1"})
        if parent_id:
            headers["X-B3-ParentSpanId"] = parent_id
        headers["X-Forwarded-For"] = self.client_address[0]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        started = time.time()
        status, reply_headers, reply = self.call(addresses, port, path, headers, body)
        duration = time.time() - started
        self.send_response(status)
        for key, value in reply_headers:
            if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)
        span = {
            "traceId": trace_id,
            "id": span_id,
            "name": "%s %s" % (self.command.lower(), path.split("?", 1)[0]),
            "kind": kind,
            "timestamp": int(started * 1e6),
            "duration": max(1, int(duration * 1e6)),
            "localEndpoint": {"serviceName": SERVICE},
            "remoteEndpoint": {"serviceName": target} if kind == "CLIENT" else {"ipv4": self.client_address[0]},
            "tags": {"http.method": self.command, "http.path": path, "http.status_code": str(status)},
        }
        if parent_id:
            span["parentId"] = parent_id
        spans.put(span)
        direction = "in" if kind == "SERVER" else "out"
        tags = "#service:%s,direction:%s,target:%s,code:%d" % (SERVICE, direction, target, status)
        send_statsd(["router.requests:1|c|" + tags, "router.request_duration:%d|ms|%s" % (duration * 1000, tags)])

    def call(self, addresses, port, path, headers, body):
        """Try each address once: a refused connection moves on to the next task (a basic retry)."""
        if not addresses:
            return 503, [("Content-Type", "text/plain")], b"no running task\n"
        for address in addresses:
            connection = http.client.HTTPConnection(address, port, timeout=10)
            try:
                connection.request(self.command, path, body=body or None, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except OSError as exc:
                log("%s:%d %s: %s" % (address, port, path, exc))
            finally:
                connection.close()
        return 502, [("Content-Type", "text/plain")], b"upstream unavailable\n"

    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        log("%s %s" % (self.client_address[0], format % args))


def main():
    threading.Thread(target=report_spans, daemon=True).start()
    server = http.server.ThreadingHTTPServer(("0.0.0.0", LISTEN_PORT), Router)
    log("listening on :%d, app on 127.0.0.1:%d, spans to %s" % (LISTEN_PORT, APP_PORT, ZIPKIN_URL or "nowhere"))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
