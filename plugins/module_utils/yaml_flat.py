# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The one shape of YAML read without PyYAML: a flat mapping of plain words, as most component labels are.

`image: nginx:1.25` and `command: sleep 300` need no parser, and importing PyYAML (with `re` and `enum`) is the
longest step of a controller's start. `flat_mapping` answers only where the answer cannot differ from
PyYAML's safe loader (yaml_text.load_yaml), and None for anything else, which the caller then reads with it.
Standard library only, no imports at all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Plain scalars YAML 1.1 resolves to booleans or null rather than strings (PyYAML's implicit resolvers).
_NOT_STRINGS = frozenset(
    "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split()
)
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_NONZERO_DIGITS = frozenset("123456789")
_KEY_CHARACTERS = _LETTERS | _DIGITS | frozenset("_")
# Characters that mean nothing to YAML inside a plain scalar begun by a letter, a digit or '/'
# (':' only when no space follows it, checked apart).
_VALUE_CHARACTERS = _KEY_CHARACTERS | frozenset(" ./:-=+")
MAX_KEYS = 1000


def flat_mapping(text):
    """The dict of a flat `key: word` mapping, as PyYAML's safe loader reads it; None for any other text.

    Every line is `key: value`. The key is a word of letters, digits and '_' that begins with a letter. The value
    is a plain scalar of letters, digits, spaces and `./:-=+`: a string when it begins with a letter or '/', an
    int when it is a decimal number without a leading zero, a string when such a number is followed by letters
    and digits (10s, 512m). No ': ' inside a value, no space or ':' at its end, no word YAML reads as a boolean
    or null; no comments, quotes, blank lines, indentation, tabs or duplicate keys.
    """
    if not isinstance(text, str) or not text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or len(lines) > MAX_KEYS:
        return None
    mapping = {}
    for line in lines:
        key, separator, value = line.partition(": ")
        if not separator or key in mapping or not _is_key(key):
            return None
        parsed = _scalar(value)
        if parsed is None:
            return None
        mapping[key] = parsed
    return mapping


def _is_key(word):
    return bool(word) and word[0] in _LETTERS and word not in _NOT_STRINGS and set(word) <= _KEY_CHARACTERS


def _scalar(value):
    """The str or int a plain scalar stands for; None where it may mean anything else."""
    if not value or value in _NOT_STRINGS or value[-1] in " :" or ": " in value or not set(value) <= _VALUE_CHARACTERS:
        return None
    first = value[0]
    if first in _LETTERS or first == "/":
        return value
    characters = set(value)
    if characters <= _DIGITS and (first != "0" or value == "0"):
        return int(value)
    if first in _NONZERO_DIGITS and characters <= _KEY_CHARACTERS - {"_"} and not characters <= _DIGITS:
        # 10s, 512m: YAML 1.1 numbers with letters begin with 0 (0x1F, 0b1) or hold a '.', ':', '-' or '_'.
        return value
    return None
