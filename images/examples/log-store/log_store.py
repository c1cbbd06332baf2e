"""log-store: a small central log store. Lines come in over TCP (one log line per line, as the log-shipper's nc
sends them); GET /lines?q=TEXT&limit=N answers the newest matching lines as JSON, oldest first.

Settings (environment): TCP_PORT (5170), HTTP_PORT (9200), MAX_LINES (100000).
"""

import collections
import http.server
import json
import os
import socketserver
import threading
import time
import urllib.parse

TCP_PORT = int(os.environ.get("TCP_PORT", "5170"))
HTTP_PORT = int(os.environ.get("HTTP_PORT", "9200"))
lines = collections.deque(maxlen=int(os.environ.get("MAX_LINES", "100000")))
lock = threading.Lock()


class LineReceiver(socketserver.StreamRequestHandler):
    def handle(self):
        source = self.client_address[0]
        print("log-store: %s connected" % source, flush=True)
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                with lock:
                    lines.append({"time": time.time(), "source": source, "line": line})
        print("log-store: %s disconnected" % source, flush=True)


class Query(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/lines":
            return self.answer(404, {"error": "try /lines?q=TEXT&limit=100"})
        query = dict(urllib.parse.parse_qsl(url.query))
        text, limit = query.get("q", ""), int(query.get("limit", "100"))
        with lock:
            found = [entry for entry in lines if text in entry["line"]]
        self.answer(200, found[-limit:])

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        pass


if __name__ == "__main__":
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    receiver = socketserver.ThreadingTCPServer(("0.0.0.0", TCP_PORT), LineReceiver)
    receiver.daemon_threads = True
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    print("log-store: lines on tcp :%d, queries on http :%d" % (TCP_PORT, HTTP_PORT), flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), Query).serve_forever()
