# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""json.loads and json.dumps (default options) on the C accelerator `_json` alone.

The json package compiles regular expressions at import: `re` and `enum`, about 0.6 MB of every pod
controller, for the few documents it exchanges with the engine. The C scanner and encoder are the ones
json itself uses, so the results are the same. Without `_json` (not CPython), json is used.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_WHITESPACE = " \t\n\r"


def _not_serializable(value):
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


class _DecoderOptions:
    """The attributes the C scanner reads: json.JSONDecoder's defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


try:
    from _json import encode_basestring_ascii as _encode_string
    from _json import make_encoder, make_scanner

    _scan = make_scanner(_DecoderOptions())
    # No circular-reference markers: the documents sent are plain dicts and lists built here.
    _encode = make_encoder(None, _not_serializable, _encode_string, None, ": ", ", ", False, False, True)
except (ImportError, TypeError):  # pragma: no cover - not CPython, or an accelerator that takes other arguments
    _scan = _encode = None


def loads(text):
    """The value of a JSON document (str, or bytes in UTF-8); ValueError when it is not one."""
    if _scan is None:  # pragma: no cover
        import json

        return json.loads(text)
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8")
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration as exc:
        raise ValueError("Expecting value: char %d" % exc.value)
    if text[end:].strip(_WHITESPACE):
        raise ValueError("Extra data: char %d" % end)
    return value


def dumps(value):
    """value in JSON as json.dumps(value) writes it: ASCII, with ", " and ": " between items."""
    if _encode is None:  # pragma: no cover
        import json

        return json.dumps(value)
    if isinstance(value, str):
        return _encode_string(value)
    return "".join(_encode(value, 0))
