"""The requirement files name everything the modules need beyond the standard library and Ansible."""

import ast
import os
import re
import sys

import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import LIBRARIES

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(REPO, "plugins")
PROVIDED = {"ansible", "ansible_collections", "__future__"}
PYTHON_MINIMUM = "Python 3.9 or later"


def read(*path):
    with open(os.path.join(REPO, *path)) as handle:
        return handle.read()


def imported_top_level_modules():
    """{top-level module name: [files importing it]} of the modules and module_utils."""
    found = {}
    for directory in ("modules", "module_utils"):
        for root, _dirs, files in os.walk(os.path.join(PLUGINS, directory)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(root, name)
                with open(path) as handle:
                    tree = ast.parse(handle.read(), path)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        names = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                        names = [node.module]
                    else:
                        continue
                    for module in names:
                        found.setdefault(module.split(".")[0], []).append(os.path.relpath(path, REPO))
    return found


def requirement_names(text):
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return names


def test_requirements_txt_names_every_library_outside_the_standard_library():
    outside = {
        module: files
        for module, files in imported_top_level_modules().items()
        if module not in sys.stdlib_module_names and module not in PROVIDED
    }
    unknown = {module: files for module, files in outside.items() if module not in LIBRARIES}
    assert not unknown, "imports with no entry in libraries.LIBRARIES: %s" % unknown
    required = requirement_names(read("requirements.txt"))
    missing = sorted(LIBRARIES[module] for module in outside if LIBRARIES[module].lower() not in required)
    assert not missing, "requirements.txt does not name %s" % missing
    assert set(outside) == {"yaml", "jinja2"}


def test_bindep_names_the_docker_cli_that_podlike_stack_runs():
    assert 'get_bin_path("docker")' in read("plugins", "modules", "podlike_stack.py")
    packages = requirement_names(read("bindep.txt"))
    assert {"docker.io", "docker-ce-cli"} <= packages


def test_execution_environment_points_at_both_files():
    environment = yaml.safe_load(read("meta", "execution-environment.yml"))
    assert environment["version"] == 1
    assert environment["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}


def test_one_python_minimum_for_managed_nodes():
    fragment = read("plugins", "doc_fragments", "docker_engine.py")
    assert PYTHON_MINIMUM in fragment
    assert "Managed nodes: %s" % PYTHON_MINIMUM in read("README.md")
    for name in sorted(os.listdir(os.path.join(PLUGINS, "modules"))):
        if name.endswith(".py"):
            text = read("plugins", "modules", name)
            assert "podlike.swarm.docker_engine" in text, name
            assert not re.search(r"Python 3\.\d+\+", text), "%s states its own Python version" % name
