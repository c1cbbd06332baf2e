# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Compose value formats: durations, byte sizes, booleans, shell words, ports, capability names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# re is imported by the parsers only (it caches their patterns): the running controller holds parsed values and
# reads its settings with this module, without re and enum (0.3 MB).
_DURATION_PART = r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)"
_SIZE = r"(?i)^\s*(\d+(?:\.\d+)?)\s*([kmgtb]?)b?\s*$"
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_duration(value):
    """Seconds (float) from a Go/Compose duration such as 1m30s, 500ms or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 10s or 1m30s")
    if isinstance(value, (int, float)):
        return float(value)
    import re

    text = str(value).strip()
    if re.match(r"^\d+(\.\d+)?$", text):
        return float(text)
    pos = 0
    total = 0.0
    for match in re.finditer(_DURATION_PART, text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError("%r is not a duration such as 10s or 1m30s" % (value,))
    return total


def parse_size(value):
    """Bytes (int) from a Compose size such as 64m, 1g, 512k or a bare number of bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 64m")
    if isinstance(value, int):
        return value
    import re

    match = re.match(_SIZE, str(value))
    if not match:
        raise ValueError("%r is not a size such as 64m or 1g" % (value,))
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def parse_bool(value):
    """A boolean from YAML or a flag/label string (true/false, yes/no, 1/0, on/off)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "t", "y"):
        return True
    if text in ("0", "false", "no", "off", "f", "n"):
        return False
    raise ValueError("%r is not a boolean" % (value,))


# Printable ASCII without quotes, backslash or whitespace but the space.
_PLAIN_WORDS = frozenset(chr(code) for code in range(32, 127)) - frozenset("'\"\\")


def shell_words(value):
    """A command as a list: strings are split with shell rules, lists are kept."""
    if value is None:
        return None
    if isinstance(value, str):
        if _PLAIN_WORDS.issuperset(value):
            # No quote, escape or other whitespace: shlex would split at spaces alone, and it imports `re`.
            return value.split()
        import shlex  # definitions are split in the controller's start-up process, not in the running controller

        return shlex.split(value)
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    raise ValueError("expected a string or a list of strings")


def normalize_capability(name):
    """A capability as the engine reads it: `cap_net_raw ` -> NET_RAW."""
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def port_number(value):
    """value as a port number (1 to 65535, given as a whole number or its digits), or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
        return value
    return None


def port_entries(text):
    """The long syntax ({target, published, protocol, host_ip}) of a short port: [[ip:]published:]target[/proto].

    Ranges expand to one entry a port; a published range for one target stays one entry with the range as text
    (the engine picks a free port of it), as Compose's parser does. ValueError for anything else.
    """
    spec = str(text).strip()
    protocol = "tcp"
    if "/" in spec:
        spec, protocol = spec.rsplit("/", 1)
    host_ip = None
    if spec.startswith("["):
        host_ip, _sep, spec = spec[1:].partition("]:")
    parts = spec.split(":")
    if len(parts) > 3 or (host_ip is not None and len(parts) != 2) or protocol not in ("tcp", "udp", "sctp"):
        raise ValueError("%r is not of the form [[ip:]published:]target[/protocol]" % (text,))
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    published, target = parts if len(parts) == 2 else (None, parts[0])
    targets = _port_range(target, text)
    publishes = _port_range(published, text) if published else []
    if publishes and len(publishes) != len(targets) and len(targets) != 1:
        raise ValueError("%r: the published and target ranges differ in size" % (text,))
    entries = []
    for index, target_port in enumerate(targets):
        entry = {"target": target_port, "protocol": protocol}
        if len(publishes) == len(targets):
            entry["published"] = publishes[index]
        elif publishes:
            entry["published"] = published
        if host_ip:
            entry["host_ip"] = host_ip
        entries.append(entry)
    return entries


def _port_range(text, spec):
    start, _sep, end = text.partition("-")
    if not start.isdigit() or not (end.isdigit() or not _sep) or int(end or start) < int(start):
        raise ValueError("%r is not of the form [[ip:]published:]target[/protocol]" % (spec,))
    return list(range(int(start), int(end or start) + 1))
