"""The library templates render valid components with their defaults and with overridden args."""

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.template.library import LIBRARY
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import render_text
from ansible_collections.podlike.swarm.plugins.module_utils.template.service import service_view

CONTEXT = {"Service": service_view("shop", {"image": "shop:1"}), "Project": None}


def _render(name, args):
    return yaml.safe_load(render_text(LIBRARY[name], {**CONTEXT, "Args": args}))


def test_http_cache_defaults():
    component = _render("http-cache", {})["http-cache"]
    assert component["image"] == "nginx:1.25-alpine"
    assert component["command"] == [
        "sh",
        "-c",
        "printenv NGINX_CONF > /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'",
    ]
    conf = component["environment"]["NGINX_CONF"]
    for line in (
        "listen 80;",
        "proxy_pass http://127.0.0.1:8080;",
        "proxy_cache_valid 200 301 302 5m;",
        "proxy_cache_use_stale error timeout invalid_header updating http_500 http_502 http_503 http_504;",
    ):
        assert line in conf
    assert "$" not in conf, "no $ to escape for docker stack deploy"


def test_http_cache_args():
    args = {"http_cache": {"image": "local/nginx", "port": 8080, "upstream_port": 5000, "cache_time": "1h"}}
    conf = _render("http-cache", args)["http-cache"]["environment"]["NGINX_CONF"]
    assert "listen 8080;" in conf
    assert "proxy_pass http://127.0.0.1:5000;" in conf
    assert "proxy_cache_valid 200 301 302 1h;" in conf


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            {},
            {
                "image": "busybox:1.36",
                "command": ["sh", "-c", "tail -n +1 -F /var/log/app/app.log"],
                "volumes": ["logs:/var/log/app:ro"],
            },
        ),
        (
            {
                "log_shipper": {
                    "image": "local/busybox",
                    "volume": "shop-logs",
                    "path": "/logs",
                    "files": "a.log, b.log",
                    "forward_to": "collector:5170",
                }
            },
            {
                "image": "local/busybox",
                "command": ["sh", "-c", "tail -n +1 -F /logs/a.log /logs/b.log | tee /dev/stderr | nc collector 5170"],
                "volumes": ["shop-logs:/logs:ro"],
            },
        ),
    ],
)
def test_log_shipper(args, expected):
    assert _render("log-shipper", args) == {"log-shipper": expected}


def test_tracing_agent():
    assert _render("tracing-agent", {"tracing_agent": {"collector": "jaeger:14250"}}) == {
        "tracing-agent": {
            "image": "jaegertracing/jaeger-agent:1.52",
            "command": ["--reporter.grpc.host-port=jaeger:14250"],
        }
    }


def test_service_discovery():
    component = _render(
        "service-discovery", {"service_discovery": {"service_port": 5000, "check_path": "/health", "tags": ["v1"]}}
    )["service-discovery"]
    assert component["image"] == "hashicorp/consul:1.17"
    assert component["command"] == ["agent", "-join=consul", "-data-dir=/consul/data"]
    assert yaml.safe_load(component["environment"]["CONSUL_LOCAL_CONFIG"]) == {
        "service": {
            "name": "shop",
            "port": 5000,
            "tags": ["v1"],
            "check": {"http": "http://127.0.0.1:5000/health", "interval": "10s"},
        }
    }


def test_metrics_exporter():
    assert _render("metrics-exporter", {}) == {
        "metrics-exporter": {
            "image": "prom/statsd-exporter:v0.26.0",
            "command": ["--web.listen-address=:9102", "--statsd.listen-udp=:9125", "--statsd.listen-tcp=:9125"],
        }
    }
