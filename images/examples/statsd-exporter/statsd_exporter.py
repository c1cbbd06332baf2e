"""statsd-exporter: a small stand-in for prom/statsd-exporter, with the same flags.

Receives StatsD lines over UDP (and TCP), with DogStatsD tags (name:1|c|#key:value,...), and serves them on
/metrics in the Prometheus text format: counters (|c) as counters, timers (|ms) as summaries in seconds
(_sum, _count), gauges (|g) as gauges. Dots and dashes in names become underscores, as the real exporter does.

Flags: --web.listen-address=:9102 --statsd.listen-udp=:9125 --statsd.listen-tcp=:9125
"""

import http.server
import re
import socketserver
import sys
import threading

FLAGS = {"web.listen-address": ":9102", "statsd.listen-udp": ":9125", "statsd.listen-tcp": ":9125"}
lock = threading.Lock()
samples = {}  # (name, type, labels) -> value; a summary keeps [sum, count]


def parse_flags(argv):
    for argument in argv:
        key, _sep, value = argument.lstrip("-").partition("=")
        if key in FLAGS:
            FLAGS[key] = value


def port_of(address):
    return int(address.rpartition(":")[2])


def record(line):
    match = re.match(r"^([^:|]+):([-+0-9.eE]+)\|(c|ms|h|g)(?:\|@[0-9.]+)?(?:\|#(.*))?$", line.strip())
    if not match:
        return
    name, value, kind, tags = match.groups()
    name = re.sub(r"[^a-zA-Z0-9_]", "_", name)
    labels = tuple(sorted(tuple(tag.split(":", 1)) for tag in (tags or "").split(",") if ":" in tag))
    value = float(value)
    with lock:
        if kind == "c":
            samples[(name, "counter", labels)] = samples.get((name, "counter", labels), 0.0) + value
        elif kind == "g":
            samples[(name, "gauge", labels)] = value
        else:
            total = samples.setdefault((name, "summary", labels), [0.0, 0])
            total[0] += value / 1000.0
            total[1] += 1


def exposition():
    out, typed = [], set()
    with lock:
        items = sorted(samples.items())
    for (name, kind, labels), value in items:
        if name not in typed:
            out.append("# TYPE %s %s" % (name, kind))
            typed.add(name)
        text = ",".join('%s="%s"' % (key, val.replace('"', '\\"')) for key, val in labels)
        text = "{%s}" % text if text else ""
        if kind == "summary":
            out.append("%s_sum%s %s" % (name, text, repr(value[0])))
            out.append("%s_count%s %d" % (name, text, value[1]))
        else:
            out.append("%s%s %s" % (name, text, repr(value)))
    return ("\n".join(out) + "\n").encode()


class UDPReceiver(socketserver.BaseRequestHandler):
    def handle(self):
        for line in self.request[0].decode("utf-8", "replace").splitlines():
            record(line)


class TCPReceiver(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            record(raw.decode("utf-8", "replace"))


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = exposition() if self.path.startswith("/metrics") else b"see /metrics\n"
        self.send_response(200 if self.path.startswith("/metrics") else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        pass


def main():
    parse_flags(sys.argv[1:])
    udp = socketserver.ThreadingUDPServer(("0.0.0.0", port_of(FLAGS["statsd.listen-udp"])), UDPReceiver)
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    tcp = socketserver.ThreadingTCPServer(("0.0.0.0", port_of(FLAGS["statsd.listen-tcp"])), TCPReceiver)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    listening = (udp.server_address[1], FLAGS["web.listen-address"])
    print("statsd-exporter: statsd on :%d, metrics on %s" % listening, flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", port_of(FLAGS["web.listen-address"])), Metrics).serve_forever()


if __name__ == "__main__":
    main()
