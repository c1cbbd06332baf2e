"""json_codec: the same documents as json.dumps and json.loads, without importing json."""

import json
import math
import os
import subprocess
import sys

import pytest

from ansible_collections.podlike.swarm.plugins.module_utils import json_codec

VALUES = [
    {"filters": {"label": ["podlike.controller.id=abc"]}, "all": True, "n": None},
    {"Cmd": ["sh", "-c", 'echo "é\u2028\\\\"'], "Env": [], "Memory": 10**12, "Cpus": 1.5},
    [1, -2, 0.1, float("inf"), float("nan"), True, False, None, (1, 2)],
    "plain",
    "ünïcode \x00 \t",
    42,
    {},
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_writes_what_json_dumps_writes(value):
    assert json_codec.dumps(value) == json.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"Id": "abc", "State": {"Status": "running", "ExitCode": 0}, "Labels": null}',
        '  [1, 2.5e3, -0, true, false, null, "\\u00e9\\n"] \r\n',
        '"x"',
        "12",
        '{"a": {"b": [{}, []]}}',
        b'{"bytes": "utf-8 \xc3\xa9"}',
    ],
)
def test_loads_reads_what_json_loads_reads(text):
    assert json_codec.loads(text) == json.loads(text)


def test_loads_reads_the_constants_json_reads():
    assert json_codec.loads("[Infinity, -Infinity]") == [float("inf"), float("-inf")]
    assert math.isnan(json_codec.loads("NaN"))


@pytest.mark.parametrize("text", ["", "   ", "[1] x", "404 page not found", "{'a': 1}", '{"a": }', '"\\x"', "[1,"])
def test_a_text_that_is_not_one_json_document_is_a_value_error(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        json_codec.loads(text)


def test_a_value_json_cannot_write_is_a_type_error():
    with pytest.raises(TypeError, match="^Object of type object is not JSON serializable$"):
        json_codec.dumps({"a": object()})


def test_the_codec_imports_neither_json_nor_re():
    code = (
        "import sys\n"
        "from ansible_collections.podlike.swarm.plugins.module_utils import json_codec\n"
        "assert json_codec.loads(json_codec.dumps({'a': [1]})) == {'a': [1]}\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    loaded = subprocess.run(
        [sys.executable, "-S", "-c", code], env=environment, capture_output=True, check=True
    ).stdout.split()
    assert [name for name in (b"json", b"re", b"enum") if name in loaded] == []
