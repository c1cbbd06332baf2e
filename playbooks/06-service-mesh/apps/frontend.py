"""frontend: GET /calculate?a=2&b=3&c=4 answers (a + b) * c, asking the adder and the multiplier."""

import http.server
import json
import os
import urllib.parse
import urllib.request

ROUTER = "http://127.0.0.1:80"  # the pod's mesh router: the app knows no other address
LOG_FILE = os.environ.get("LOG_FILE")


def log(line):
    print(line, flush=True)
    if LOG_FILE:
        with open(LOG_FILE, "a") as log_file:
            log_file.write(line + "\n")


def ask(service, path, trace_headers):
    request = urllib.request.Request(ROUTER + "/" + service + path, headers=trace_headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["result"]


class Frontend(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/calculate":
            return self.answer(404, {"error": "try /calculate?a=2&b=3&c=4"})
        numbers = dict(urllib.parse.parse_qsl(url.query))
        # the app's only part in tracing: pass the incoming trace headers on
        trace_headers = {k: v for k, v in self.headers.items() if k.lower().startswith("x-b3-")}
        total = ask("adder", "/add?a=%s&b=%s" % (numbers["a"], numbers["b"]), trace_headers)
        result = ask("multiplier", "/multiply?a=%s&b=%s" % (total, numbers["c"]), trace_headers)
        expression = "(%s + %s) * %s" % (numbers["a"], numbers["b"], numbers["c"])
        log("frontend: %s = %s trace=%s" % (expression, result, self.headers.get("X-B3-TraceId")))
        self.answer(200, {"expression": expression, "result": result, "trace_id": self.headers.get("X-B3-TraceId")})

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", 5000), Frontend).serve_forever()
