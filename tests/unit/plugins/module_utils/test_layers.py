"""The layers of module_utils, read from the source's imports: each package imports only the layers below it."""

import ast
import functools
import pathlib

import pytest

PACKAGE = "ansible_collections.podlike.swarm.plugins.module_utils"
MODULE_UTILS = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "module_utils"
SHARED = frozenset(path.stem for path in MODULE_UTILS.glob("*.py") if path.stem != "__init__")
# What each package may import besides itself; the shared modules at the top of module_utils import only each other.
MAY_IMPORT = {
    "engine": {"constants", "trace", "json_codec", "threads"},
    "pod": SHARED | {"engine"},
    "template": SHARED | {"pod"},
    "kube": SHARED | {"pod", "template"},
    "host": SHARED | {"engine", "pod"},
    "stack": SHARED | {"engine", "pod", "template", "kube"},
    "controller": SHARED | {"engine", "pod", "template", "kube", "host"},
}


def layer_of(module):
    """'pod' for pod.spec, 'constants' for constants: the package, or the shared module itself."""
    return module.split(".")[0]


@functools.lru_cache(maxsize=None)
def imports_of(source, top_level_only=False):
    """(line, imported name) for every import in the source; a ``from X import y`` gives X.y."""
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            else:
                found += [(node.lineno, "%s.%s" % (node.module, alias.name)) for alias in node.names]
    return tuple(found)


def collection_imports(source, top_level_only=False):
    """(line, module path under module_utils) for the source's imports of module_utils."""
    prefix = PACKAGE + "."
    return [(line, name[len(prefix) :]) for line, name in imports_of(source, top_level_only) if name.startswith(prefix)]


@functools.lru_cache(maxsize=None)
def _read_sources():
    """{module path under module_utils: source} for every file of module_utils."""
    modules = {}
    for path in sorted(MODULE_UTILS.rglob("*.py")):
        parts = path.relative_to(MODULE_UTILS).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts) or "__init__"] = path.read_text(encoding="utf-8")
    return modules


def sources():
    """{module path under module_utils: source} for every file of module_utils (a copy a test may change)."""
    return dict(_read_sources())


def layer_violations(modules):
    """'file:line imports X' for each import that does not go down the layers."""
    violations = []
    for module, source in modules.items():
        for line, name in imports_of(source):
            if name.split(".")[0] == "ansible" or name.startswith("."):
                violations.append("%s:%s imports %s" % (module, line, name))
        own = layer_of(module)
        allowed = SHARED if own in SHARED or own == "__init__" else MAY_IMPORT.get(own, set())
        for line, name in collection_imports(source):
            target = layer_of(name)
            if target != own and target not in allowed:
                violations.append("%s:%s imports %s" % (module, line, name))
    return violations


def find_cycle(graph):
    """A list of nodes that import each other in a circle, or None."""
    visiting, done = [], set()

    def visit(node):
        if node in visiting:
            return visiting[visiting.index(node) :] + [node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def module_of(name, modules):
    """The module an imported name lives in: pod.spec for pod.spec.parse_component, pod.spec for pod.spec."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def package_graph(modules):
    graph = {}
    for module, source in modules.items():
        for _line, name in collection_imports(source):
            if layer_of(name) != layer_of(module):
                graph.setdefault(layer_of(module), set()).add(layer_of(name))
    return graph


def module_graph(modules):
    """Imports run when a module is loaded (top level), module to module; imports inside functions run later."""
    graph = {}
    for module, source in modules.items():
        for _line, name in collection_imports(source, top_level_only=True):
            target = module_of(name, modules)
            if target and target != module:
                graph.setdefault(module, set()).add(target)
    return graph


def test_every_package_has_its_layer():
    packages = {path.parent.name for path in MODULE_UTILS.glob("*/__init__.py")}
    assert packages == set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT) + ["."])
def test_every_package_says_what_it_holds_and_may_import(package):
    source = (MODULE_UTILS / package / "__init__.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert len(docstring.splitlines()) >= 3 and "import" in docstring.lower()


def test_imports_only_go_down_the_layers():
    assert layer_violations(sources()) == []


def test_no_packages_import_each_other():
    assert find_cycle(package_graph(sources())) is None


def test_no_modules_import_each_other_when_loaded():
    assert find_cycle(module_graph(sources())) is None


@pytest.mark.parametrize(
    "module, line",
    [
        ("pod.spec", "from %s.template.render import render_stack" % PACKAGE),
        ("pod.runtime", "from %s.host import pod" % PACKAGE),
        ("engine.api", "from %s.pod.errors import SpecError" % PACKAGE),
        ("engine.api", "from %s import yaml_text" % PACKAGE),
        ("yaml_text", "from %s.pod import units" % PACKAGE),
        ("kube.pods", "from ansible.module_utils.basic import AnsibleModule"),
        ("template.render", "from .compose import parse_yaml"),
    ],
)
def test_an_import_against_the_layers_is_found(module, line):
    modules = sources()
    modules[module] += "\n" + line + "\n"
    violations = layer_violations(modules)
    assert len(violations) == 1 and violations[0].startswith("%s:%d imports " % (module, modules[module].count("\n")))


def test_a_cycle_is_found():
    modules = sources()
    modules["pod.units"] += "\nfrom %s.pod.spec import parse_component\n" % PACKAGE
    cycle = find_cycle(module_graph(modules))
    assert cycle[0] == cycle[-1] and {"pod.units", "pod.spec"} <= set(cycle)
    modules["pod"] = "from %s.stack import deploy\n" % PACKAGE
    assert find_cycle(package_graph(modules))
