"""The commands' error lines: one line naming the command, or one per finding."""

import io

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.cli_errors import error_lines, report_error


@pytest.mark.parametrize(
    "error, each_line, lines",
    [
        (ValueError("bad  value\n  in line 3"), False, "podlike x: error: bad value in line 3\n"),
        (ValueError("a: one\nb: two"), True, "podlike x: error: a: one\npodlike x: error: b: two\n"),
        ("plain text", False, "podlike x: error: plain text\n"),
    ],
)
def test_error_lines(error, each_line, lines):
    assert error_lines("podlike x", error, each_line) == lines


def test_report_error_writes_and_returns_2():
    stderr = io.StringIO()
    assert report_error(stderr, "podlike", "broken") == 2
    assert stderr.getvalue() == "podlike: error: broken\n"
