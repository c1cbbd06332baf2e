"""The controller's lines: its own, prefixed podlike:, and its components', prefixed with their name."""

import os

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.controller.output import Output


@pytest.fixture
def pipes():
    """An Output writing to two pipes; read() returns what each received."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()

    def read():
        os.close(out_write)
        os.close(err_write)
        with os.fdopen(out_read, "rb") as out, os.fdopen(err_read, "rb") as err:
            return out.read(), err.read()

    return Output(stdout_fd=out_write, stderr_fd=err_write), read


def test_line_format(pipes):
    output, read = pipes
    output.info("starting app")
    output.warn("app exited with code 1")
    output.error('component "app": cannot start')
    output.component_line("app", b"listening on :80\r")
    output.component_line("app", b"deprecated option", channel=2)
    output.component_line("app post_start", b"done")
    out, err = read()
    assert out == b"podlike: starting app\napp | listening on :80\napp post_start | done\n"
    assert err == (
        b"podlike: warning: app exited with code 1\n"
        b'podlike: error: component "app": cannot start\n'
        b"app | deprecated option\n"
    )


def test_text_that_is_not_utf8_is_written_as_it_came(pipes):
    output, read = pipes
    output.component_line("app", b"\xff\xfe binary")
    output.info("caf\u00e9")
    out, _err = read()
    assert out == b"app | \xff\xfe binary\npodlike: caf\xc3\xa9\n"


def test_a_closed_output_is_not_an_error():
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    output = Output(stdout_fd=write_end, stderr_fd=write_end)
    output.info("nobody listens")
    output.error("nobody listens")


@pytest.mark.parametrize(
    "line, shown",
    [
        (
            b'ok\r\x1b[2Kpodlike: error: component "db": forged',
            b'app | ok\\x0d\\x1b[2Kpodlike: error: component "db": forged',
        ),
        (b"\x1b]0;owned\x07\x1b[8mhidden\x1b[0m", b"app | \\x1b]0;owned\\x07\\x1b[8mhidden\\x1b[0m"),
        ("C1 \u009b31m, caf\u00e9 \u00b0".encode(), "app | C1 \\x9b31m, caf\u00e9 \u00b0".encode()),
        (b"tab\tkept, \xff kept, DEL\x7f", b"app | tab\tkept, \xff kept, DEL\\x7f"),
    ],
    ids=["carriage-return-and-erase", "terminal-title-and-hidden", "c1-control-beside-latin-1", "tab-and-bad-utf-8"],
)
def test_a_components_control_characters_are_shown_not_obeyed(pipes, line, shown):
    output, read = pipes
    output.component_line("app", line)
    out, _err = read()
    assert out == shown + b"\n" and out.count(b"\n") == 1
