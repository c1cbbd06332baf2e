"""adder or multiplier (OPERATION=add|multiply): GET /<operation>?a=2&b=3 answers {"result": ...}."""

import http.server
import json
import operator
import os
import urllib.parse

OPERATION = os.environ["OPERATION"]
APPLY = {"add": operator.add, "multiply": operator.mul}[OPERATION]
NAME = {"add": "adder", "multiply": "multiplier"}[OPERATION]
LOG_FILE = os.environ.get("LOG_FILE")


def log(line):
    print(line, flush=True)
    if LOG_FILE:
        with open(LOG_FILE, "a") as log_file:
            log_file.write(line + "\n")


class Operator(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/" + OPERATION:
            return self.answer(404, {"error": "try /%s?a=2&b=3" % OPERATION})
        numbers = dict(urllib.parse.parse_qsl(url.query))
        result = APPLY(float(numbers["a"]), float(numbers["b"]))
        result = int(result) if result.is_integer() else result
        trace_id = self.headers.get("X-B3-TraceId")
        log("%s: %s %s %s = %s trace=%s" % (NAME, numbers["a"], OPERATION, numbers["b"], result, trace_id))
        self.answer(200, {"result": result})

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", 5000), Operator).serve_forever()
