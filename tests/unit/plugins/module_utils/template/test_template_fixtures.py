"""Stacks in the style of the rycus86/podlike examples, rendered to reviewed expected output."""

import io
import os

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.template.cli import main
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import dump_stack, render_stack

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def _expected(name):
    with open(os.path.join(FIXTURES, name, "expected.yml"), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize(
    "stack, expected",
    [
        ("sidecar-init/stack-go.yml", "sidecar-init"),
        ("sidecar-init/stack-jinja.yml", "sidecar-init"),
        ("sidecar/stack.yml", "sidecar"),
        ("service-mesh/stack.yml", "service-mesh"),
    ],
)
def test_fixture_renders_to_expected(stack, expected):
    rendered = render_stack([os.path.join(FIXTURES, stack)])
    assert rendered == yaml.safe_load(_expected(expected))
    assert dump_stack(rendered) == _expected(expected)


def test_sidecar_init_matches_the_documented_upstream_output():
    """PODLIKE.md 2.7, with our controller image and no v3 normalisation of the components."""
    site = render_stack([os.path.join(FIXTURES, "sidecar-init", "stack-go.yml")])["services"]["site"]
    assert yaml.safe_load(site["labels"]["pod.component.app"]) == {
        "environment": {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": "12000"},
        "image": "rycus86/demo-site",
    }
    assert yaml.safe_load(site["labels"]["pod.component.proxy"]) == {
        "image": "nginx:1.13.10",
        "volumes": [{"type": "volume", "source": "nginx-config", "target": "/etc/nginx/conf.d"}],
    }
    (init,) = yaml.safe_load(site["labels"]["pod.init.components"])
    assert init["depends_on"] == ["testing"]
    assert init["environment"]["NO_WAIT"] == "1"
    assert "proxy_pass http://127.0.0.1:12000;" in init["environment"]["DATA"]
    assert "$$host" in init["environment"]["DATA"], "$$ is left for docker stack deploy to unescape"
    assert site["ports"] == ["8080:80"]
    assert site["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock:ro"]


def test_cli_prints_the_same_yaml(capsys):
    assert main([os.path.join(FIXTURES, "sidecar", "stack.yml")]) == 0
    assert capsys.readouterr().out == _expected("sidecar")


def test_cli_reads_stdin_and_takes_args():
    stdin = io.StringIO(
        "version: '3.7'\nservices:\n  web:\n    image: demo\n    ports: ['80:8080']\n"
        "    x-podlike:\n      templates: [http-cache]\n"
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main(
        ["-a", "http_cache.upstream_port=8080", "-a", "http_cache.image=local/nginx", "--publish-mode", "host", "-"],
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )
    assert (status, stderr.getvalue()) == (0, "")
    web = yaml.safe_load(stdout.getvalue())["services"]["web"]
    cache = yaml.safe_load(web["labels"]["pod.component.http-cache"])
    assert cache["image"] == "local/nginx"
    assert "proxy_pass http://127.0.0.1:8080;" in cache["environment"]["NGINX_CONF"]
    assert web["ports"] == [{"mode": "host", "protocol": "tcp", "published": 80, "target": 8080}]


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (
            ["missing.yml"],
            "",
            "podlike template: error: cannot read stack file missing.yml: No such file or directory\n",
        ),
        (["-"], "services: [", "podlike template: error: invalid YAML in stdin: "),
        (
            ["-"],
            "services:\n  web:\n    image: x\n    x-podlike:\n      templates: [nope]\n",
            'podlike template: error: service "web": template "nope": key "templates": unknown library template',
        ),
        (["-a", "novalue", "-"], "services: {}", "podlike template: error: an arg must be KEY=VALUE, got 'novalue'\n"),
        (["--endpoint-mode", "x", "-"], "", "podlike template: error: argument --endpoint-mode: invalid choice: 'x'"),
        ([], "", "podlike template: error: the following arguments are required: FILE\n"),
    ],
)
def test_cli_errors_are_one_line(argv, stdin, message):
    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(argv, stdin=io.StringIO(stdin), stdout=stdout, stderr=stderr) == 2
    assert stderr.getvalue().startswith(message)
    assert stderr.getvalue().count("\n") == 1
    assert stdout.getvalue() == ""
