"""render_stack: every x-podlike feature rendered to known output."""

import os

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import dump_stack, render_stack

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
SOCKET = "/var/run/docker.sock:/var/run/docker.sock:ro"


def _stack(service, top=None, **services):
    stack = {"version": "3.7", "services": {"web": service, **services}}
    if top is not None:
        stack["x-podlike"] = top
    return stack


def _pod(stack, **kwargs):
    """Render and return the controller of "web" with its component labels parsed back."""
    controller = render_stack(stack, **kwargs)["services"]["web"]
    labels = {
        key: yaml.safe_load(value) if key.startswith("pod.") else value for key, value in controller["labels"].items()
    }
    return {**controller, "labels": labels}


def test_default_pod_and_transformer():
    service = {
        "image": "demo:1",
        "command": "serve --port 80",
        "environment": ["A=1"],
        "healthcheck": {"test": "curl -f localhost"},
        "user": "1000",
        "read_only": True,
        "mem_limit": "64m",
        "cpus": 0.5,
        "ports": ["8080:80"],
        "networks": ["front"],
        "volumes": ["data:/data"],
        "deploy": {"replicas": 2},
        "secrets": ["token"],
        "configs": ["conf"],
        "labels": {"team": "web"},
        "x-podlike": {},
    }
    assert render_stack(_stack(service))["services"]["web"] == {
        "command": ["-logs"],
        "configs": ["conf"],
        "deploy": {"replicas": 2},
        "image": "podlike/controller:latest",
        "labels": {
            "pod.component.app": (
                "command: serve --port 80\ncpus: 0.5\nenvironment:\n- A=1\nhealthcheck:\n  test: curl -f localhost\n"
                "image: demo:1\nlabels:\n  team: web\nmem_limit: 64m\nread_only: true\nuser: '1000'\nvolumes:\n- data:/data\n"
            ),
            "team": "web",
        },
        "networks": ["front"],
        "ports": ["8080:80"],
        "secrets": ["token"],
        "volumes": ["data:/data", SOCKET],
    }


def test_pod_templates_merge_in_order_and_keep_the_socket():
    service = {
        "image": "demo",
        "volumes": ["data:/data"],
        "ports": ["80:80"],
        "x-podlike": {
            "pod": [
                {"inline": "pod:\n  command: [-logs, -pids=false]\n  labels: [a=1]\n"},
                {"inline": "ignored-name:\n  command: [-never]\n  labels: {b: '2'}\n  volumes: [logs:/logs]\n"},
            ]
        },
    }
    controller = _pod(_stack(service))
    assert controller == {
        "command": ["-logs", "-pids=false", "-never"],
        "image": "podlike/controller:latest",
        "labels": {"a": "1", "b": "2", "pod.component.app": {"image": "demo", "volumes": ["data:/data"]}},
        "ports": ["80:80"],
        "volumes": ["logs:/logs", SOCKET],
    }


def test_pod_template_keeps_its_own_socket_mount_and_image():
    service = {
        "image": "demo",
        "x-podlike": {
            "pod": {
                "inline": "pod:\n  image: my/controller:1\n  volumes: ['/var/run/docker.sock:/var/run/docker.sock']\n"
            }
        },
    }
    controller = _pod(_stack(service), controller_image="ignored:latest")
    assert controller["image"] == "my/controller:1"
    assert controller["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock"]


def test_controller_image_parameter():
    assert _pod(_stack({"image": "demo", "x-podlike": {}}), controller_image="local/controller:test")["image"] == (
        "local/controller:test"
    )


def test_transformer_names_the_main_component():
    service = {
        "image": "demo",
        "environment": {"FROM_SERVICE": "1"},
        "x-podlike": {
            "transformer": [
                {"inline": "main:\n  environment:\n    PORT: '{{ .Args.Port }}'\n"},
                {"inline": "renamed:\n  environment:\n    PORT: overridden\n    EXTRA: x\n  user: nobody\n"},
            ],
            "args": {"Port": 8000},
        },
    }
    assert _pod(_stack(service))["labels"] == {
        "pod.component.main": {"environment": {"EXTRA": "x", "PORT": "8000"}, "image": "demo", "user": "nobody"}
    }


def test_templates_merge_same_root_keys_and_add_components():
    service = {
        "image": "demo",
        "x-podlike": {
            "templates": [
                {"inline": "proxy:\n  image: nginx\n  environment: [A=1]\nsd:\n  image: consul\n"},
                {"inline": "proxy:\n  image: other\n  environment: [B=2]\n"},
            ]
        },
    }
    assert _pod(_stack(service))["labels"] == {
        "pod.component.app": {"image": "demo"},
        "pod.component.proxy": {"environment": ["A=1", "B=2"], "image": "nginx"},
        "pod.component.sd": {"image": "consul"},
    }


def test_init_components_in_order():
    service = {
        "image": "demo",
        "x-podlike": {
            "init": [
                {"inline": "first:\n  image: busybox\n  command: [touch, /ready]\n"},
                {"inline": "second:\n  image: alpine\n  depends_on: {first: {condition: service_started}}\n"},
            ]
        },
    }
    assert _pod(_stack(service))["labels"]["pod.init.components"] == [
        {"command": ["touch", "/ready"], "image": "busybox"},
        {"depends_on": {"first": {"condition": "service_started"}}, "image": "alpine"},
    ]


def test_copy_forms_are_normalised_and_concatenated():
    service = {
        "image": "demo",
        "x-podlike": {
            "copy": [
                {"inline": "app: /a:/b\nproxy: ['/c:/d']\n"},
                {"inline": "app:\n  /e: /f\ninit-1: /g:/h\n"},
            ]
        },
    }
    labels = _pod(_stack(service))["labels"]
    assert {key: value for key, value in labels.items() if key.startswith("pod.copy.")} == {
        "pod.copy.app": ["/a:/b", "/e:/f"],
        "pod.copy.init-1": ["/g:/h"],
        "pod.copy.proxy": ["/c:/d"],
    }


ARGS_TEMPLATE = {
    "inline": "app:\n  environment:\n    A: '{{ .Args.A }}'\n    B: '{{ .Args.B }}'\n    C: '{{ .Args.C }}'\n    D: '{{ .Args.D }}'\n    E: '{{ .Args.E }}'\n"
}


@pytest.mark.parametrize(
    "service_args, top_args, global_args, param_args, expected",
    [
        (
            {"A": "svc"},
            {"A": "top", "B": "top"},
            {"A": "g", "B": "g", "C": "g"},
            {"A": "p", "D": "p"},
            {"A": "p", "B": "top", "C": "g", "D": "p", "E": "<no value>"},
        ),
        (
            {"A": "svc"},
            {"A": "top", "B": "top"},
            {"A": "g", "B": "g", "C": "g"},
            None,
            {"A": "svc", "B": "top", "C": "g", "D": "<no value>", "E": "<no value>"},
        ),
        (
            None,
            {"A": "top"},
            None,
            None,
            {"A": "top", "B": "<no value>", "C": "<no value>", "D": "<no value>", "E": "<no value>"},
        ),
        (
            None,
            None,
            {"A": "g"},
            {"A": "p", "B": "p"},
            {"A": "p", "B": "p", "C": "<no value>", "D": "<no value>", "E": "<no value>"},
        ),
    ],
)
def test_args_precedence(service_args, top_args, global_args, param_args, expected):
    """Deploy-time args override the files' x-podlike args: service level, then top level, then global."""
    service = {"image": "demo", "x-podlike": {"transformer": ARGS_TEMPLATE}}
    if service_args is not None:
        service["x-podlike"]["args"] = service_args
    top = {"web": {"args": top_args} if top_args is not None else {}}
    if global_args is not None:
        top["args"] = global_args
    labels = _pod(_stack(service, top), args=param_args)["labels"]
    assert labels["pod.component.app"]["environment"] == expected


def test_top_level_and_service_level_configs_are_merged():
    service = {
        "image": "demo",
        "x-podlike": {
            "templates": {"inline": "proxy:\n  image: svc-level\n"},
            "init": {"inline": "one:\n  image: svc-init\n"},
        },
    }
    top = {
        "web": {
            "templates": {"inline": "proxy:\n  image: top-level\nsd:\n  image: consul\n"},
            "init": {"inline": "two:\n  image: top-init\n"},
            "args": {"Unused": 1},
        }
    }
    labels = _pod(_stack(service, top))["labels"]
    assert labels == {
        "pod.component.app": {"image": "demo"},
        "pod.component.proxy": {"image": "svc-level"},
        "pod.component.sd": {"image": "consul"},
        "pod.init.components": [{"image": "svc-init"}, {"image": "top-init"}],
    }


def test_library_templates_by_bare_name():
    service = {
        "image": "demo",
        "x-podlike": {
            "templates": ["http-cache", {"library": "metrics-exporter"}],
            "args": {
                "http_cache": {"image": "local/nginx:test", "upstream_port": 5000},
                "metrics_exporter": {"port": 9999},
            },
        },
    }
    labels = _pod(_stack(service))["labels"]
    assert labels["pod.component.http-cache"]["image"] == "local/nginx:test"
    assert "proxy_pass http://127.0.0.1:5000;" in labels["pod.component.http-cache"]["environment"]["NGINX_CONF"]
    assert labels["pod.component.metrics-exporter"]["command"][0] == "--web.listen-address=:9999"


def test_untemplated_services_pass_through_and_extensions_are_removed():
    stack = {
        "version": "3.7",
        "x-podlike-templates": [{"inline": "x: {}"}],
        "x-other": {"kept": True},
        "services": {"db": {"image": "pg", "ports": ["5432:5432"]}, "web": {"image": "demo", "x-podlike": {}}},
        "networks": {"front": {}},
    }
    output = render_stack(stack)
    assert sorted(output) == ["networks", "services", "version", "x-other"]
    assert output["services"]["db"] == {"image": "pg", "ports": ["5432:5432"]}
    assert "x-podlike" not in output["services"]["web"]


def test_go_and_jinja_see_the_same_service_fields():
    service = {
        "image": "demo:1",
        "command": "serve --fast",
        "ports": ["8080:80/udp", {"target": 443, "published": 8443, "mode": "host"}],
        "volumes": ["data:/data:ro", "/host:/in"],
        "deploy": {"replicas": 3, "endpoint_mode": "dnsrr"},
        "environment": ["A=1", "B"],
        "labels": ["x=y"],
    }
    go = (
        'app:\n  labels:\n    info: "{{ .Service.Name }} {{ .Service.Image }} {{ index .Service.Command 1 }}'
        " {{ range .Service.Ports }}{{ .Published }}:{{ .Target }}/{{ .Protocol }}/{{ .Mode }} {{ end }}"
        "{{ range .Service.Volumes }}{{ .Type }}:{{ .Source }}:{{ .Target }}:{{ .ReadOnly }} {{ end }}"
        "{{ .Service.Deploy.Replicas }} {{ .Service.Deploy.EndpointMode }} {{ .Service.Environment.A }}"
        ' {{ .Service.Environment.B }} {{ .Service.Labels.x }} {{ .Service.User }}|"\n'
    )
    jinja = (
        'app:\n  labels:\n    info: "{{ Service.Name }} {{ Service.Image }} {{ Service.Command[1] }}'
        " {% for p in Service.Ports %}{{ p.Published }}:{{ p.Target }}/{{ p.Protocol }}/{{ p.Mode }} {% endfor %}"
        "{% for v in Service.Volumes %}{{ v.Type }}:{{ v.Source }}:{{ v.Target }}:{{ v.ReadOnly }} {% endfor %}"
        "{{ Service.Deploy.Replicas }} {{ Service.Deploy.EndpointMode }} {{ Service.Environment.A }}"
        ' {{ Service.Environment.B }} {{ Service.Labels.x }} {{ Service.User }}|"\n'
    )
    expected = (
        "web demo:1 --fast 8080:80/udp/ingress 8443:443/tcp/host volume:data:/data:true bind:/host:/in:false"
        " 3 dnsrr 1 <no value> y |"
    )
    for text in (go, jinja):
        stack = _stack({**service, "x-podlike": {"transformer": {"inline": text}}})
        assert _pod(stack)["labels"]["pod.component.app"]["labels"] == {"info": expected}


def test_the_service_view_reads_keys_as_the_component_model_does():
    """Go's docker/cli gives "true" for a boolean, nil for a null environment value; ./conf is a bind mount."""
    service = {
        "image": "demo:1",
        "environment": {"A": True, "B": None, "C": 2},
        "labels": {"x": None},
        "volumes": ["./conf:/conf:ro", "~/cache:/cache", "data:/data:nocopy"],
        "env_file": ["a.env", {"path": "b.env"}],
    }
    text = (
        'app:\n  labels:\n    info: "{{ .Service.Environment.A }} {{ .Service.Environment.B }} {{ .Service.Environment.C }}'
        " [{{ .Service.Labels.x }}] {{ range .Service.Volumes }}{{ .Type }}:{{ .Source }}:{{ .ReadOnly }} {{ end }}"
        '{{ range .Service.EnvFile }}{{ . }} {{ end }}|"\n'
    )
    stack = _stack({**service, "x-podlike": {"transformer": {"inline": text}}})
    assert _pod(stack)["labels"]["pod.component.app"]["labels"] == {
        "info": "true <no value> 2 [] bind:./conf:true bind:~/cache:false volume:data:false a.env b.env |"
    }


def test_yaml_function_gives_compose_keys():
    service = {
        "image": "demo",
        "ports": ["8080:80"],
        "x-podlike": {
            "templates": {
                "inline": "copy:\n  image: x\n  labels:\n    ports: |\n{{ yaml .Service.Ports | indent 6 }}\n"
            }
        },
    }
    labels = _pod(_stack(service))["labels"]
    assert yaml.safe_load(labels["pod.component.copy"]["labels"]["ports"]) == [
        {"protocol": "tcp", "published": 8080, "target": 80}
    ]


@pytest.mark.parametrize(
    "endpoint_mode, publish_mode, expected_web, expected_db",
    [
        (
            "dnsrr",
            "host",
            {
                "deploy": {"endpoint_mode": "dnsrr", "replicas": 1},
                "ports": [
                    {"mode": "host", "protocol": "tcp", "published": 8080, "target": 80},
                    {"mode": "host", "protocol": "udp", "published": 53, "target": 53},
                ],
            },
            {
                "deploy": {"endpoint_mode": "dnsrr"},
                "ports": [{"mode": "host", "published": 5432, "target": 5432}],
            },
        ),
        (
            "vip",
            None,
            {"deploy": {"endpoint_mode": "vip", "replicas": 1}, "ports": ["8080:80", "53:53/udp"]},
            {"deploy": {"endpoint_mode": "vip"}, "ports": [{"target": 5432, "published": 5432, "mode": "ingress"}]},
        ),
        (
            None,
            "ingress",
            {
                "deploy": {"replicas": 1},
                "ports": [
                    {"mode": "ingress", "protocol": "tcp", "published": 8080, "target": 80},
                    {"mode": "ingress", "protocol": "udp", "published": 53, "target": 53},
                ],
            },
            {"ports": [{"mode": "ingress", "published": 5432, "target": 5432}]},
        ),
    ],
)
def test_endpoint_and_publish_mode_overrides(endpoint_mode, publish_mode, expected_web, expected_db):
    stack = _stack(
        {"image": "demo", "ports": ["8080:80", "53:53/udp"], "deploy": {"replicas": 1}, "x-podlike": {}},
        db={"image": "pg", "ports": [{"target": 5432, "published": 5432, "mode": "ingress"}]},
    )
    output = render_stack(stack, endpoint_mode=endpoint_mode, publish_mode=publish_mode)["services"]
    assert {key: output["web"].get(key) for key in expected_web} == expected_web
    assert {key: value for key, value in output["db"].items() if key != "image"} == expected_db


def test_rendering_is_deterministic():
    path = os.path.join(FIXTURES, "service-mesh", "stack.yml")
    first = dump_stack(render_stack([path]))
    for _attempt in range(3):
        assert dump_stack(render_stack([path])) == first
    assert render_stack([path]) == yaml.safe_load(first)


def test_several_stack_files_are_merged_in_order(tmp_path):
    (tmp_path / "a.yml").write_text(
        "version: '3.7'\nservices:\n  web:\n    image: demo:1\n    x-podlike:\n      templates: part.yml\n"
    )
    (tmp_path / "b.yml").write_text("version: '3.7'\nservices:\n  web:\n    image: demo:2\n")
    (tmp_path / "part.yml").write_text("side:\n  image: '{{ .Service.Image }}-side'\n")
    labels = render_stack([str(tmp_path / "a.yml"), str(tmp_path / "b.yml")])["services"]["web"]["labels"]
    assert labels == {"pod.component.app": "image: demo:2\n", "pod.component.side": "image: demo:2-side\n"}


ERROR_CASES = [
    (
        "unknown library template",
        _stack({"image": "demo", "x-podlike": {"templates": ["nope"]}}),
        (
            'service "web": template "nope": key "templates": unknown library template \'nope\' (known: http-cache, '
            "log-shipper, metrics-exporter, service-discovery, tracing-agent)"
        ),
    ),
    (
        "template renders to a list",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "- a\n- b\n"}}}),
        'service "web": template "inline": key "templates": the rendered template must be a YAML mapping, not list',
    ),
    (
        "malformed rendered YAML",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "a: [\n"}}}),
        'service "web": template "inline": key "templates": invalid YAML in the rendered template: ',
    ),
    (
        "pod with two roots",
        _stack({"image": "demo", "x-podlike": {"pod": {"inline": "a: {}\nb: {}\n"}}}),
        'service "web": template "inline": key "pod": a pod template must have exactly one root key, got 2',
    ),
    (
        "transformer with no root",
        _stack({"image": "demo", "x-podlike": {"transformer": {"inline": "{}"}}}),
        'service "web": template "inline": key "transformer": a transformer template must have exactly one root key, got 0',
    ),
    (
        "component is not a mapping",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "proxy: nginx\n"}}}),
        'service "web": template "inline": key "templates": a component must be a mapping, not str',
    ),
    (
        "ports on a component",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "proxy:\n  ports: ['80:80']\n"}}}),
        'service "web": template "inline": component "proxy": key "ports": unsupported in a component: publish ports on',
    ),
    (
        "missing file without fallback",
        _stack({"image": "demo", "x-podlike": {"templates": "missing.yml"}}),
        'service "web": template "missing.yml": key "templates": cannot read template file ',
    ),
    (
        "bad depends_on condition",
        _stack(
            {"image": "demo", "x-podlike": {"templates": {"inline": "p:\n  depends_on: {app: {condition: done}}\n"}}}
        ),
        (
            'service "web": template "inline": component "p": key "depends_on": app: condition must be one of '
            "service_started, service_healthy, service_completed_successfully"
        ),
    ),
    (
        "depends_on of the wrong type",
        _stack({"image": "demo", "x-podlike": {"init": {"inline": "p:\n  depends_on: app\n"}}}),
        'service "web": template "inline": component "init-1": key "depends_on": expected a list or a mapping',
    ),
    (
        "unknown x-podlike key",
        _stack({"image": "demo", "x-podlike": {"template": "x.yml"}}),
        'service "web": key "template": unknown x-podlike key (expected one of pod, transformer, templates, init, copy, args)',
    ),
    (
        "top-level config for a missing service",
        _stack({"image": "demo"}, top={"ghost": {}}),
        'service "ghost": x-podlike configures a service that is not in the stack',
    ),
    (
        "Go template error",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "a: {{ .Args.X | nosuch }}\n"}}}),
        'service "web": template "inline": key "templates": template error: function "nosuch" not defined',
    ),
    (
        "Jinja2 syntax error",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "a: {% if %}\n"}}}),
        'service "web": template "inline": key "templates": template syntax error on line 1: ',
    ),
    (
        "copy of the wrong shape",
        _stack({"image": "demo", "x-podlike": {"copy": {"inline": "app: 42\n"}}}),
        'service "web": template "inline": component "app": key "pod.copy.app": expected \'src:dst\', a list of them or a mapping',
    ),
    (
        "component defined twice",
        _stack({"image": "demo", "x-podlike": {"templates": {"inline": "app:\n  image: x\n"}}}),
        'service "web": template "inline": key "templates": component \'app\' is defined both by a transformer and by templates',
    ),
    (
        "args not a mapping",
        _stack({"image": "demo", "x-podlike": {"args": [1]}}),
        'service "web": key "args": args must be a mapping, not list',
    ),
]


@pytest.mark.parametrize("stack, message", [case[1:] for case in ERROR_CASES], ids=[case[0] for case in ERROR_CASES])
def test_errors_name_service_template_and_key(stack, message):
    with pytest.raises(TemplateError) as raised:
        render_stack(stack)
    assert str(raised.value).startswith(message)


def test_stack_file_errors(tmp_path):
    (tmp_path / "bad.yml").write_text("services: [\n")
    (tmp_path / "v1.yml").write_text("version: '3.7'\nservices: {}\n")
    (tmp_path / "v2.yml").write_text("version: '3.8'\nservices: {}\n")
    with pytest.raises(TemplateError, match=r"invalid YAML in .*bad.yml"):
        render_stack([str(tmp_path / "bad.yml")])
    with pytest.raises(TemplateError, match=r'key "version": stack files must share one version, got 3.7 and 3.8'):
        render_stack([str(tmp_path / "v1.yml"), str(tmp_path / "v2.yml")])
    with pytest.raises(TemplateError, match=r"cannot read stack file .*nope.yml"):
        render_stack([str(tmp_path / "nope.yml")])
    with pytest.raises(TemplateError, match=r"endpoint mode must be one of vip, dnsrr, not 'x'"):
        render_stack([{"services": {}}], endpoint_mode="x")
    with pytest.raises(TemplateError, match=r"publish mode must be one of ingress, host, not 'x'"):
        render_stack([{"services": {}}], publish_mode="x")


@pytest.mark.parametrize(
    "text",
    [
        "app:\n  labels:\n    v: '{{ .Args.Flag }} {{ .Args.Missing }} {{ .Project }} {{ .Args.Port }}'\n",
        "app:\n  labels:\n    v: '{{ Args.Flag }} {{ Args.Missing }} {{ Project }} {{ Args.Port }}'\n",
    ],
    ids=["go", "jinja2"],
)
def test_go_and_jinja_print_values_alike(text):
    service = {"image": "demo", "x-podlike": {"transformer": {"inline": text}, "args": {"Flag": True, "Port": 80}}}
    assert _pod(_stack(service))["labels"]["pod.component.app"]["labels"] == {"v": "true <no value> <no value> 80"}


def test_the_service_grace_period_reaches_the_controller():
    stack = {
        "version": "3.8",
        "services": {"web": {"image": "app", "stop_grace_period": "20s", "x-podlike": {"pod": {"inline": "pod: {}"}}}},
    }
    web = render_stack([stack])["services"]["web"]
    assert web["stop_grace_period"] == "20s"
    assert web["labels"]["pod.controller.grace-period"] == "20s"


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.popen('touch MARKER').read()",
        "''.__class__.__mro__[1].__subclasses__()",
        "lipsum.__globals__['os'].system('touch MARKER')",
        "Args.update({'x': 1})",
    ],
    ids=["globals", "mro", "lipsum", "mutation"],
)
def test_a_jinja2_template_reaches_nothing_outside_its_values(expression, tmp_path):
    marker = str(tmp_path / "marker")
    text = "app:\n  labels:\n    v: '{{ %s }}'\n" % expression.replace("MARKER", marker)
    service = {"image": "demo", "x-podlike": {"transformer": {"inline": text}, "args": {"x": 0}}}
    with pytest.raises(TemplateError) as raised:
        render_stack(_stack(service))
    assert str(raised.value).startswith('service "web": template "inline": key "transformer": template error: ')
    assert "\n" not in str(raised.value) and not os.path.exists(marker)


def test_outside_the_sandbox_the_same_template_runs_a_command(tmp_path):
    """What the sandbox stops: Jinja2's plain Environment runs the payload of the test above."""
    import jinja2

    marker = tmp_path / "marker"
    jinja2.Environment().from_string("{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}" % marker).render()
    assert marker.exists()


def test_a_pod_template_never_comes_over_http(monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils.template import render, sources

    fetched = sources.TemplateSource(
        "https://templates.example/pod.yml", "pod:\n  command: [-allow-privileged]\n", True
    )
    monkeypatch.setattr(render, "load_template", lambda item, workdir: fetched)
    service = {"image": "demo", "x-podlike": {"pod": "https://templates.example/pod.yml"}}
    with pytest.raises(TemplateError) as raised:
        render_stack(_stack(service))
    assert str(raised.value) == (
        'service "web": template "https://templates.example/pod.yml": key "pod": a pod template describes the '
        "controller, which holds the engine's socket: it comes from the stack file, a file beside it or the "
        "library, not over HTTP"
    )
    component = sources.TemplateSource("https://templates.example/c.yml", "proxy:\n  image: nginx\n", True)
    monkeypatch.setattr(render, "load_template", lambda item, workdir: component)
    service = {"image": "demo", "x-podlike": {"templates": "https://templates.example/c.yml"}}
    assert _pod(_stack(service))["labels"]["pod.component.proxy"] == {"image": "nginx"}
