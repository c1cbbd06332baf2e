"""PODLIKE_TRACE: one line per phase on stderr when on, nothing when off."""

import os
import re

import pytest

from ansible_collections.podlike.swarm.plugins.module_utils import trace


@pytest.mark.parametrize(
    "path, short",
    [
        ("/v1.41/containers/" + "a" * 64 + "/start", "/containers/" + "a" * 12 + "/start"),
        ("/v1.41/containers/create?name=web.podlike.app", "/containers/create?name=web.podlike.app"),
        ("/v1.41/containers/json?all=1&filters=%7B%7D", "/containers/json"),
        ("/_ping", "/_ping"),
    ],
)
def test_short_path(path, short):
    assert trace.short_path(path) == short


def _stderr_of(monkeypatch, enabled, calls):
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    monkeypatch.setattr(trace, "ENABLED", enabled)
    try:
        os.dup2(write_end, 2)
        calls()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write_end)
    with os.fdopen(read_end) as reader:
        return reader.read()


def test_off_prints_nothing(monkeypatch):
    assert _stderr_of(monkeypatch, False, lambda: (trace.mark("imports"), trace.request("GET", "/x"))) == ""


def test_on_prints_each_phase_with_its_offset(monkeypatch):
    def calls():
        trace.mark("flags parsed")
        trace.request("POST", "/v1.41/containers/create?name=p.podlike.c0")
        trace.request("POST", "/v1.41/containers/create?name=p.podlike.c0", 201)

    lines = _stderr_of(monkeypatch, True, calls).splitlines()
    assert [re.sub(r"^podlike: trace: +[0-9.]+ ", "", line) for line in lines] == [
        "flags parsed",
        "-> POST /containers/create?name=p.podlike.c0",
        "<- 201 POST /containers/create?name=p.podlike.c0",
    ]
    offsets = [float(line.split()[2]) for line in lines]
    assert 0 < offsets[0] <= offsets[1] <= offsets[2]
