"""trace-collector: a small in-memory stand-in for Zipkin's HTTP API (v2 JSON).

POST /api/v2/spans                    store a JSON list of spans (202)
GET  /api/v2/services                 service names seen
GET  /api/v2/spans?serviceName=NAME   span names of a service
GET  /api/v2/traces[?serviceName=N]   traces (lists of spans), newest first; limit=N (10)
GET  /api/v2/trace/TRACE_ID           the spans of one trace
"""

import collections
import http.server
import json
import os
import threading
import urllib.parse

PORT = int(os.environ.get("LISTEN_PORT", "9411"))
MAX_TRACES = int(os.environ.get("MAX_TRACES", "10000"))

lock = threading.Lock()
traces = collections.OrderedDict()  # trace ID -> spans, in arrival order of the trace's first span


def store(spans):
    with lock:
        for span in spans:
            traces.setdefault(span["traceId"], []).append(span)
        while len(traces) > MAX_TRACES:
            traces.popitem(last=False)


def services_of(spans):
    return {span.get("localEndpoint", {}).get("serviceName") for span in spans} - {None}


class Collector(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != "/api/v2/spans":
            return self.reply(404, {"error": "not found"})
        try:
            spans = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            store([span for span in spans if span.get("traceId") and span.get("id")])
        except (ValueError, TypeError, AttributeError) as exc:
            return self.reply(400, {"error": "not a JSON list of spans: %s" % exc})
        self.reply(202, None)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        service = query.get("serviceName")
        with lock:
            snapshot = {trace_id: list(spans) for trace_id, spans in traces.items()}
        if url.path == "/api/v2/services":
            return self.reply(200, sorted(set().union(*map(services_of, snapshot.values()))))
        if url.path == "/api/v2/spans":
            names = {s["name"] for spans in snapshot.values() for s in spans if service in services_of([s])}
            return self.reply(200, sorted(names))
        if url.path == "/api/v2/traces":
            found = [spans for spans in reversed(snapshot.values()) if not service or service in services_of(spans)]
            return self.reply(200, found[: int(query.get("limit", "10"))])
        if url.path.startswith("/api/v2/trace/"):
            spans = snapshot.get(url.path.rsplit("/", 1)[1])
            return self.reply(200, spans) if spans else self.reply(404, {"error": "trace not found"})
        if url.path in ("/", "/health"):
            return self.reply(200, {"status": "UP", "traces": len(snapshot)})
        self.reply(404, {"error": "not found"})

    def reply(self, status, document):
        body = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        print("trace-collector: %s %s" % (self.client_address[0], format % args), flush=True)


if __name__ == "__main__":
    print("trace-collector: listening on :%d" % PORT, flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Collector).serve_forever()
