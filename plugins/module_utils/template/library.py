# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Named component templates shipped with the collection (``templates: [http-cache, log-shipper]``).

Each template is Jinja2 text producing one component named after the template. Its args live under one key
of ``Args`` (``http_cache``, ``log_shipper``...), so several library templates can share a service's args,
and every arg has a default: images included, so tests and air-gapped clusters can point them elsewhere.
"""

HTTP_CACHE = """\
{#- http-cache: an nginx caching reverse proxy in front of the app, which listens on localhost.
    Args.http_cache:
      image          nginx image (nginx:1.25-alpine)
      port           port nginx listens on in the pod (80)
      upstream_port  port of the app on 127.0.0.1 (8080)
      cache_time     how long 200/301/302 answers are cached (5m)
      cache_size     maximum size of the on-disk cache (100m)
    When the app is down or failing, cached answers are served stale. -#}
{%- set opts = Args.http_cache or {} -%}
{%- set conf -%}
proxy_cache_path /var/cache/nginx/podlike levels=1:2 keys_zone=podlike:10m max_size={{ opts.cache_size | default('100m') }} inactive=7d use_temp_path=off;
server {
    listen {{ opts.port | default(80) }};
    location / {
        proxy_pass http://127.0.0.1:{{ opts.upstream_port | default(8080) }};
        proxy_connect_timeout 2s;
        proxy_cache podlike;
        proxy_cache_valid 200 301 302 {{ opts.cache_time | default('5m') }};
        proxy_cache_use_stale error timeout invalid_header updating http_500 http_502 http_503 http_504;
        proxy_cache_background_update on;
        proxy_cache_lock on;
        proxy_ignore_headers Cache-Control Expires Set-Cookie;
    }
}
{% endset -%}
http-cache:
  image: {{ opts.image | default('nginx:1.25-alpine') | tojson }}
  command: [sh, -c, "printenv NGINX_CONF > /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'"]
  environment:
    NGINX_CONF: {{ conf | tojson }}
"""

LOG_SHIPPER = """\
{#- log-shipper: tails log files the app writes to a shared volume and prints them (and forwards them).
    Args.log_shipper:
      image       image with sh, tail and nc (busybox:1.36)
      volume      volume shared with the app (logs); mount it in the app at the same path
      path        where the volume is mounted (/var/log/app)
      files       file names under path, a list or a comma-separated string (app.log)
      forward_to  optional host:port; the lines are also sent there over TCP -#}
{%- set opts = Args.log_shipper or {} -%}
{%- set path = opts.path | default('/var/log/app') -%}
{%- set files = opts.files | default(['app.log']) -%}
{%- if files is string %}{% set files = files.split(',') %}{% endif -%}
{%- set tail_command -%}
tail -n +1 -F{% for file in files %} {{ path }}/{{ file | trim }}{% endfor %}
{%- if opts.forward_to %} | tee /dev/stderr | nc {{ opts.forward_to | replace(':', ' ') }}{% endif %}
{%- endset -%}
log-shipper:
  image: {{ opts.image | default('busybox:1.36') | tojson }}
  command: [sh, -c, {{ tail_command | tojson }}]
  volumes:
    - {{ ((opts.volume | default('logs')) ~ ':' ~ path ~ ':ro') | tojson }}
"""

TRACING_AGENT = """\
{#- tracing-agent: a Jaeger agent on localhost that the app sends spans to (UDP 6831/6832).
    Args.tracing_agent:
      image      agent image (jaegertracing/jaeger-agent:1.52)
      collector  host:port of the Jaeger collector's gRPC endpoint (jaeger-collector:14250) -#}
{%- set opts = Args.tracing_agent or {} -%}
tracing-agent:
  image: {{ opts.image | default('jaegertracing/jaeger-agent:1.52') | tojson }}
  command:
    - {{ ('--reporter.grpc.host-port=' ~ (opts.collector | default('jaeger-collector:14250'))) | tojson }}
"""

SERVICE_DISCOVERY = """\
{#- service-discovery: a Consul agent that joins the cluster and registers the app.
    Args.service_discovery:
      image         agent image (hashicorp/consul:1.17)
      join          address of the Consul server to join (consul)
      service_name  name the app is registered under (the service name)
      service_port  port of the app (80)
      check_path    optional HTTP path checked on 127.0.0.1:service_port every 10s
      tags          optional list of tags -#}
{%- set opts = Args.service_discovery or {} -%}
{%- set port = opts.service_port | default(80) -%}
{%- set tags = {'tags': opts.tags | list} if opts.tags else {} -%}
{%- set check = {'http': 'http://127.0.0.1:' ~ port ~ opts.check_path, 'interval': '10s'} -%}
{%- set checks = {'check': check} if opts.check_path else {} -%}
{%- set definition = dict(dict({'name': opts.service_name | default(Service.Name), 'port': port | int}, **tags), **checks) -%}
service-discovery:
  image: {{ opts.image | default('hashicorp/consul:1.17') | tojson }}
  command: [agent, {{ ('-join=' ~ (opts.join | default('consul'))) | tojson }}, -data-dir=/consul/data]
  environment:
    CONSUL_BIND_INTERFACE: eth0
    CONSUL_LOCAL_CONFIG: {{ ({'service': definition} | tojson) | tojson }}
"""

METRICS_EXPORTER = """\
{#- metrics-exporter: a Prometheus StatsD exporter; the app sends StatsD to 127.0.0.1, Prometheus scrapes the pod.
    Args.metrics_exporter:
      image        exporter image (prom/statsd-exporter:v0.26.0)
      port         port serving /metrics (9102)
      statsd_port  UDP and TCP port receiving StatsD lines (9125) -#}
{%- set opts = Args.metrics_exporter or {} -%}
metrics-exporter:
  image: {{ opts.image | default('prom/statsd-exporter:v0.26.0') | tojson }}
  command:
    - {{ ('--web.listen-address=:' ~ (opts.port | default(9102))) | tojson }}
    - {{ ('--statsd.listen-udp=:' ~ (opts.statsd_port | default(9125))) | tojson }}
    - {{ ('--statsd.listen-tcp=:' ~ (opts.statsd_port | default(9125))) | tojson }}
"""

LIBRARY = {
    "http-cache": HTTP_CACHE,
    "log-shipper": LOG_SHIPPER,
    "tracing-agent": TRACING_AGENT,
    "service-discovery": SERVICE_DISCOVERY,
    "metrics-exporter": METRICS_EXPORTER,
}
