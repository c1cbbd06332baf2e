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
