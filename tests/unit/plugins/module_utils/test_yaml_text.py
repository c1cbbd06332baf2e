"""YAML reading: bounded in nodes (aliases counted as expanded) and nesting, one-line errors."""

import time

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils import yaml_text
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import MAX_NODES, YAMLError, load_yaml


def alias_bomb(levels=9, width=9):
    """A component definition of a few hundred bytes whose command expands to width**levels values."""
    items = ["&l0 [%s]" % ", ".join(["x"] * width)]
    for level in range(1, levels):
        items.append("&l%d [%s]" % (level, ", ".join(["*l%d" % (level - 1)] * width)))
    return "image: x\ncommand: [%s]\n" % ", ".join(items)


@pytest.mark.parametrize(
    "text, message",
    [
        (alias_bomb(), "the document has more than 10000 nodes (aliases counted as expanded)"),
        ("\n".join("k%d: v" % index for index in range(MAX_NODES)), "more than 10000 nodes"),
        ("[" * 200 + "]" * 200, "nested more than 100 levels deep"),
        ("[" * 100000, "nested more than 100 levels deep"),
        ("a: &a [*a]", "found undefined alias 'a'"),
        ("a: 1\n---\nb: 2\n", "expected a single document in the stream"),
        ("image: [x", "did not find expected ',' or ']'"),
    ],
    ids=["alias-bomb", "many-keys", "deep", "very-deep", "recursive", "two-documents", "malformed"],
)
def test_refused_documents(text, message):
    started = time.monotonic()
    with pytest.raises(YAMLError) as error:
        load_yaml(text)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert time.monotonic() - started < 2


def test_a_bomb_under_1kb():
    assert len(alias_bomb()) < 1024


def text_bomb(length, count, in_a_list=False):
    """A component whose labels (or command) repeat one anchored string of `length` characters `count` times."""
    if in_a_list:
        return "image: x\ncommand: [&a '%s', %s]\n" % ("<" * length, ", ".join(["*a"] * (count - 1)))
    return "image: x\nlabels:\n  l0: &a '%s'\n" % ("<" * length) + "".join("  l%d: *a\n" % i for i in range(1, count))


@pytest.mark.parametrize("in_a_list", [False, True], ids=["labels", "command"])
def test_aliases_may_not_repeat_more_than_a_mebibyte_of_text(in_a_list):
    """Few nodes, much text: 68 KB that would expand to 49 MB."""
    text = text_bomb(10000, 4900, in_a_list)
    assert len(text) < 70000
    with pytest.raises(YAMLError, match="the document's aliases repeat more than 1048576 characters of text"):
        load_yaml(text)
    assert len(load_yaml(text_bomb(10000, 100, in_a_list))["labels" if not in_a_list else "command"]) == 100


def test_long_text_without_aliases_is_not_limited():
    text = "image: x\nlabels:\n" + "".join("  l%d: '%s'\n" % (i, "<" * 100000) for i in range(30))
    assert len(load_yaml(text)["labels"]) == 30


@pytest.mark.parametrize(
    "text",
    [
        "",
        "image: x\ncommand: [sh, -c, 'echo hi']\n",
        "base: &base {a: 1, b: [1, 2]}\nuse: *base\nmerged: {<<: *base, c: 3}\n",
        "when: 2020-01-01\nratio: 1.5\nnothing: null\nflag: yes\nbytes: !!binary aGk=\ntext: !!str 5\n",
        "- a\n- - b\n  - c: [d, {e: f}]\n",
        "block: |\n  line one\n  line two\n",
        "\n".join("k%d: v" % index for index in range(MAX_NODES // 2 - 1)),
        "true: 1\n1: 2\n~: 3\n1.5: 4\n0x1f: [0o17, +12_0, 1:30, .inf, -.nan, 1e3]\n",
        "a: 1\na: 2\nb: [y, n, on, Off, NULL, '', !!str 7, !!float 3, !!bool yes]\n",
        "list:\n- {x: [], y: {}}\n- - - deep\n",
    ],
    ids=[
        "empty",
        "component",
        "merge-keys",
        "tags",
        "nested",
        "block",
        "at-the-limit",
        "scalar-keys",
        "duplicates",
        "empty-collections",
    ],
)
def test_documents_read_as_pyyaml_reads_them(text):
    expected = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert repr(load_yaml(text)) == repr(expected)


@pytest.mark.parametrize(
    "text",
    ["? [a, b]\n: c\n", "a: !!int x\n", "a: !custom 1\n", "<<: 5\n", "!!str {a: 1}\n"],
    ids=["collection-key", "bad-int", "unknown-tag", "bad-merge", "str-mapping"],
)
def test_documents_refused_as_pyyaml_refuses_them(text):
    with pytest.raises(Exception) as expected:
        yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    with pytest.raises(Exception) as error:
        load_yaml(text)
    if isinstance(expected.value, yaml.YAMLError):
        assert str(error.value) == yaml_text._one_line(expected.value)
    else:
        assert type(error.value) is type(expected.value)


class RepresenterDumper(yaml_text._StableDumper):
    """The collection's dumper with PyYAML's own representer for every value."""

    def represent(self, data):
        yaml.representer.BaseRepresenter.represent(self, data)


SHARED = ["the same list"]


@pytest.mark.parametrize(
    "value",
    [
        {"image": "x", "command": ["sh", "-c", "echo hi\nthere"], "environment": {"A": "1", "B": ""}},
        {"b": [1, 2.5, 1e17, float("inf"), float("-inf"), float("nan"), True, False, None], "a": {}, "c": []},
        {"yes": "no", "ports": ["80:80", "1:30"], "quoted": [": x", "# y", "- z", "'q'", '"d"', "é", " lead"]},
        {3: "an int key", "s": "mixed keys stay in their order", None: "null key", True: "bool key"},
        {"a": SHARED, "b": SHARED},
        [{"nested": [[{"deep": [[]]}]]}],
        "text\non lines\n",
        None,
        12,
        {"tuple": (1, 2), "set": {"a"}, "bytes": b"x"},
    ],
    ids=[
        "component",
        "scalars",
        "quoting",
        "unsortable-keys",
        "shared",
        "nested",
        "text",
        "none",
        "int",
        "other-types",
    ],
)
def test_data_written_as_pyyaml_writes_it(value):
    expected = yaml.dump(
        value, Dumper=RepresenterDumper, default_flow_style=False, sort_keys=True, width=1000, allow_unicode=True
    )
    assert yaml_text.dump_yaml(value) == expected


@pytest.mark.parametrize("value", [{"a": yaml_text}, [object()]], ids=["module", "object"])
def test_data_pyyaml_cannot_write_is_refused_alike(value):
    with pytest.raises(Exception) as expected:
        yaml.dump(value, Dumper=RepresenterDumper)
    with pytest.raises(Exception) as error:
        yaml_text.dump_yaml(value)
    assert (type(error.value), str(error.value)) == (type(expected.value), str(expected.value))


@pytest.mark.parametrize(
    "text, composed_at_once",
    [
        ("image: x\ncommand: [sh, -c, 'echo hi']\n", True),
        ("image: x\ncommand: *a\n", False),
        ("\n".join("k%d: v" % index for index in range(100)), False),
    ],
    ids=["component", "alias", "many-indicators"],
)
def test_libyaml_composes_only_what_cannot_repeat_or_nest_deeply(text, composed_at_once):
    assert yaml_text._composable_at_once(text) is (composed_at_once and yaml_text._FAST_COMPOSER)


def test_a_document_composed_at_once_is_still_bounded_in_nodes():
    text = "[%s]" % ", ".join(["x"] * 50)
    assert yaml_text._composable_at_once(text) is yaml_text._FAST_COMPOSER
    with pytest.raises(YAMLError) as error:
        load_yaml(text, max_nodes=20)
    assert "more than 20 nodes" in str(error.value)


@pytest.mark.parametrize("value", ["x", "", "yes", "1", "1.5", "~", "2020-01-01", "<<", "=", ".inf", "0x1f", "a: b"])
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (True, True), (False, False)])
def test_remembered_tags_are_the_resolvers(value, implicit):
    resolver = yaml.resolver.Resolver()
    for remembering in (yaml_text._Loader(""), yaml_text._StableDumper(None)):
        assert remembering.resolve(yaml.ScalarNode, value, implicit) == resolver.resolve(
            yaml.ScalarNode, value, implicit
        )
        for kind in (yaml.SequenceNode, yaml.MappingNode):
            assert remembering.resolve(kind, None, implicit[0]) == resolver.resolve(kind, None, implicit[0])
