"""Missing libraries are reported by name, never as an unexpected ImportError."""

import builtins
import os
import subprocess
import sys

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils import libraries
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import MissingLibrary
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import EngineOptionError
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import (
    OptionError,
    check_options,
    module_client,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template import render


@pytest.fixture
def without_jinja2(monkeypatch):
    real_import = builtins.__import__

    def refuse_jinja2(name, *args, **kwargs):
        if name == "jinja2":
            raise ImportError("No module named 'jinja2'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse_jinja2)
    monkeypatch.setattr(render, "_JINJA_ENVIRONMENT", None)


def test_a_jinja2_template_without_jinja2_names_the_library(without_jinja2):
    stack = {"services": {"web": {"image": "busybox", "x-podlike": {"templates": [{"inline": "{{ Args.X }}"}]}}}}
    with pytest.raises(MissingLibrary) as error:
        render.render_stack([stack])
    assert error.value.library == "Jinja2" and "Jinja2 syntax" in error.value.reason


def test_go_templates_need_no_jinja2(without_jinja2):
    template = "sidecar:\n  image: {{ .Args.Image }}\n"
    stack = {
        "services": {
            "web": {"image": "busybox", "x-podlike": {"templates": [{"inline": template}], "args": {"Image": "x"}}}
        }
    }
    rendered = render.render_stack([stack])
    assert "pod.component.sidecar" in rendered["services"]["web"]["labels"]


def test_yaml_is_checked_first(monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils import module_params

    monkeypatch.setattr(module_params, "HAS_YAML", False)
    with pytest.raises(MissingLibrary) as error:
        check_options({"name": "x"}, non_empty=("name",))
    assert error.value.library == "PyYAML" == libraries.LIBRARIES["yaml"]


@pytest.mark.parametrize("names", [{"name": ""}, {"name": "  "}])
def test_required_names_must_not_be_empty(names):
    with pytest.raises(OptionError, match="^name must not be empty$"):
        check_options(names, non_empty=("name",))
    check_options({"name": "web"}, non_empty=("name",))


class FailingModule:
    """The part of AnsibleModule that module_client uses; fail_json raises as Ansible's exits."""

    def __init__(self, **params):
        self.params = params

    def fail_json(self, msg, **_):
        raise SystemExit(msg)


def missing_lib(library, reason=None):
    return "missing %s (%s)" % (library, reason)


def test_module_client_fails_the_module_in_one_line_on_an_empty_name():
    with pytest.raises(SystemExit, match="^name must not be empty$"):
        module_client(FailingModule(name=" "), missing_lib, lambda params: "client", non_empty=("name",))


def test_module_client_fails_the_module_on_a_connection_option():
    def connect(params):
        raise EngineOptionError("tls_hostname needs tls")

    with pytest.raises(SystemExit, match="^tls_hostname needs tls$"):
        module_client(FailingModule(name="web"), missing_lib, connect)


def test_module_client_reports_a_missing_library_as_ansible_does(monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils import module_params

    monkeypatch.setattr(module_params, "HAS_YAML", False)
    with pytest.raises(SystemExit, match="^missing PyYAML"):
        module_client(FailingModule(name="web"), missing_lib, lambda params: "client")


def test_module_client_returns_the_client():
    assert module_client(FailingModule(name="web"), missing_lib, lambda params: params["name"]) == "web"


WITHOUT_SITE = """
import sys
try:
    import yaml
    sys.exit("yaml was importable without site")
except ImportError:
    pass
from ansible_collections.podlike.swarm.plugins.module_utils import libraries, yaml_text
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import render_text
print(yaml_text.load_yaml("key: [1, 2]")["key"], libraries.import_jinja2().__name__)
"""


def test_the_libraries_load_in_an_interpreter_started_without_site():
    """The controller's interpreter starts with -S: PyYAML and Jinja2 are found when first needed."""
    package = libraries.__file__
    for _level in range(6):  # .../ansible_collections/podlike/swarm/plugins/module_utils/libraries.py
        package = os.path.dirname(package)
    environment = dict(os.environ, PYTHONPATH=package)
    result = subprocess.run(
        [sys.executable, "-S", "-c", WITHOUT_SITE], env=environment, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "[1, 2] jinja2\n", "")
