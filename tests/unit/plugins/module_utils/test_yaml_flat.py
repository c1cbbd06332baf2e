"""flat_mapping: PyYAML's answer without PyYAML, for flat mappings of words, and no answer for anything else."""

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_flat import flat_mapping
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import load_yaml
from hypothesis import given, settings
from hypothesis import strategies as st


def safe_load(text):
    """PyYAML's own safe loader, pure Python: the reference, independent of yaml_text."""
    try:
        return ("value", yaml.load(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return ("error", None)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "image: podlike/busybox:latest\ncommand: sleep 300\n",
            {"image": "podlike/busybox:latest", "command": "sleep 300"},
        ),
        ("image: nginx", {"image": "nginx"}),
        ("stop_grace_period: 10s\nuser: nobody", {"stop_grace_period": "10s", "user": "nobody"}),
        ("pids_limit: 100\ncpu_shares: 0", {"pids_limit": 100, "cpu_shares": 0}),
        ("entrypoint: /bin/sh -c true", {"entrypoint": "/bin/sh -c true"}),
        ("command: env A=b C+d x-y", {"command": "env A=b C+d x-y"}),
        ("command: a  b", {"command": "a  b"}),
        # YAML 1.1 (PyYAML) has no float without a '.': 1e3 is a string, as PyYAML reads it.
        ("mem_limit: 512m\nmemory: 1e3", {"mem_limit": "512m", "memory": "1e3"}),
    ],
)
def test_a_flat_mapping_is_read_as_pyyaml_reads_it(text, expected):
    assert flat_mapping(text) == expected
    assert safe_load(text) == ("value", expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "image: nginx\n\n",
        "init: true",
        "tty: yes",
        "privileged: On",
        "user: null",
        "yes: nginx",
        "on: x",
        "mode: 0644",
        "timeout: 1:30",
        "version: 3.8",
        "when: 2001-12-14",
        "replicas: 1_000",
        "image: 'nginx'",
        "image: nginx # the server",
        "image: nginx:",
        "image: nginx ",
        "image:  nginx",
        "image: a: b",
        "image:nginx",
        " image: nginx",
        "image: nginx\n  tag: x",
        "command: [sleep, 1]",
        "environment: {A: b}",
        "command: -x",
        "command: .inf",
        "image: nginx\nimage: httpd",
        "image: <<",
        "image: =",
        "key\twith: tab",
        "image: nginx\r\n",
        "ïmage: nginx",
        "image: *alias",
        "image: !!str 1",
        "---\nimage: nginx",
        "- image: nginx",
        "_image: nginx",
        "9image: nginx",
    ],
)
def test_anything_else_is_left_to_pyyaml(text):
    assert flat_mapping(text) is None


WORDS = st.sampled_from(
    ["image", "command", "a", "yes", "no", "on", "Off", "TRUE", "null", "Null", "~", "y", "n", "nginx", "x_y", "_", "0"]
)
PIECES = st.sampled_from(
    [
        "nginx",
        "sleep",
        " ",
        "  ",
        ":",
        ": ",
        "/",
        ".",
        "-",
        "=",
        "+",
        "0",
        "1",
        "07",
        "1.5",
        "e3",
        "_",
        "#",
        "'",
        '"',
        "yes",
        "True",
        "null",
        "~",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a",
        "*a",
        "!",
        "|",
        ">",
        "%",
        "@",
        "\t",
        "<<",
        "1:30",
        "2001-12-14",
        ".inf",
        "0x1F",
        "0b1",
        "0o7",
        "é",
    ]
)
VALUES = st.lists(PIECES, min_size=0, max_size=5).map("".join)
LINES = st.one_of(
    st.tuples(WORDS, VALUES).map(lambda pair: "%s: %s" % pair),
    st.tuples(st.sampled_from(["", " ", "  "]), WORDS, st.sampled_from([":", ": ", ":  "]), VALUES).map("".join),
)
TEXTS = st.tuples(st.lists(LINES, min_size=0, max_size=4), st.sampled_from(["", "\n", "\n\n"])).map(
    lambda parts: "\n".join(parts[0]) + parts[1]
)


@settings(max_examples=3000, deadline=None, database=None)
@given(TEXTS)
def test_flat_mapping_agrees_with_pyyaml_wherever_it_answers(text):
    flat = flat_mapping(text)
    if flat is not None:
        assert safe_load(text) == ("value", flat)
        assert load_yaml(text) == flat


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
        st.from_regex(r"[a-z/][a-z0-9 ./:=+-]{0,12}[a-z0-9]", fullmatch=True),
        min_size=1,
        max_size=6,
    )
)
def test_what_the_stable_dumper_writes_of_words_is_read_back_without_pyyaml(mapping):
    """Labels podlike_stack writes (sorted block style) are what the controller then reads: the common case answers."""
    from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml

    text = dump_yaml(mapping)
    flat = flat_mapping(text)
    assert flat is None or flat == mapping
    assert load_yaml(text) == mapping
