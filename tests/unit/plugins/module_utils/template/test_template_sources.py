"""Template items: files, inline text, HTTP, the library, and fallback chains."""

import http.server
import threading

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.library import LIBRARY
from ansible_collections.podlike.swarm.plugins.module_utils.template.sources import load_template


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/proxy.yml":
            body = b"proxy:\n  image: nginx\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "app.yml").write_text("app:\n  image: from-file\n")
    (tmp_path / "sidecar").write_text("sidecar:\n  image: file-without-extension\n")
    return str(tmp_path)


def _load(item, workdir, http_url=""):
    source = load_template(_with_url(item, http_url), workdir)
    return source.name, source.text


def _with_url(item, http_url):
    if isinstance(item, str):
        return item.replace("URL", http_url)
    if isinstance(item, dict):
        return {key: _with_url(value, http_url) for key, value in item.items()}
    if isinstance(item, tuple):
        return tuple(_with_url(value, http_url) for value in item)
    return item


@pytest.mark.parametrize(
    "item, expected",
    [
        ("templates/app.yml", ("app.yml", "app:\n  image: from-file\n")),
        ({"file": "templates/app.yml"}, ("app.yml", "app:\n  image: from-file\n")),
        ({"file": {"path": "templates/app.yml"}}, ("app.yml", "app:\n  image: from-file\n")),
        ("sidecar", ("sidecar", "sidecar:\n  image: file-without-extension\n")),
        ({"inline": "x: {{ .Args.X }}"}, ("inline", "x: {{ .Args.X }}")),
        ({"inline": {"app": {"image": "{{ .Service.Image }}"}}}, ("inline", "app:\n  image: '{{ .Service.Image }}'\n")),
        ("URL/proxy.yml", ("URL/proxy.yml", "proxy:\n  image: nginx\n")),
        ({"http": "URL/proxy.yml"}, ("URL/proxy.yml", "proxy:\n  image: nginx\n")),
        ({"http": {"url": "URL/proxy.yml", "insecure": True}}, ("URL/proxy.yml", "proxy:\n  image: nginx\n")),
        (
            {"http": {"url": "URL/missing.yml", "fallback": {"file": "templates/app.yml"}}},
            ("app.yml", "app:\n  image: from-file\n"),
        ),
        (
            {"file": {"path": "nope.yml", "fallback": {"inline": "fallback: {}"}}},
            ("inline", "fallback: {}"),
        ),
        (
            {
                "http": {
                    "url": "URL/missing.yml",
                    "fallback": {"file": {"path": "nope.yml", "fallback": {"inline": "last: {}"}}},
                }
            },
            ("inline", "last: {}"),
        ),
        (
            {"http": {"url": "http://127.0.0.1:9/unreachable.yml", "fallback": {"library": "http-cache"}}},
            ("http-cache", LIBRARY["http-cache"]),
        ),
        ("http-cache", ("http-cache", LIBRARY["http-cache"])),
        ({"library": "log-shipper"}, ("log-shipper", LIBRARY["log-shipper"])),
    ],
)
def test_load_template(item, expected, workdir, http_url):
    assert _load(item, workdir, http_url) == _with_url(expected, http_url)


@pytest.mark.parametrize(
    "item, message",
    [
        ("nope.yml", r'template "nope.yml": cannot read template file .*nope.yml: No such file or directory'),
        ({"file": "dir/nope"}, r"cannot read template file .*dir/nope"),
        ("no-such-template", r"unknown library template 'no-such-template' \(known: http-cache, log-shipper, "),
        ({"library": "nope"}, r"unknown library template 'nope' \(known: "),
        ({"http": "URL/missing.yml"}, r"cannot fetch template .*/missing.yml: Not Found"),
        ({"ftp": "x"}, r"unknown template source 'ftp'"),
        ({"file": "a", "inline": "b"}, r"a template must be a path, or a mapping with one of"),
        (42, r"a template must be a path"),
        ({"inline": 42}, r"inline template must be text or a mapping, not int"),
        ({"file": {"fallback": "x"}}, r"file template must be a path or \{path, fallback\}"),
        ({"http": {"insecure": True}}, r"http template must be a URL or \{url, insecure, fallback\}"),
    ],
)
def test_load_template_errors(item, message, workdir, http_url):
    with pytest.raises(TemplateError, match=message):
        _load(item, workdir, http_url)
