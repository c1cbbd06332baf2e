# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""YAML reading and writing for the whole collection: one-line errors, stable output (libyaml when present)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.libraries import LIBRARIES, MissingLibrary

try:
    import yaml

    HAS_YAML = True
    _Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class _StableDumper(getattr(yaml, "CSafeDumper", None) or yaml.SafeDumper):
        """Sorted keys, block style, multi-line strings as | blocks so that labels stay readable."""

    def _represent_text(dumper, text):
        if "\n" in text:
            return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
        return dumper.represent_scalar("tag:yaml.org,2002:str", text)

    _StableDumper.add_representer(str, _represent_text)
except ImportError:  # pragma: no cover - reported by the callers
    yaml = None
    HAS_YAML = False


class YAMLError(ValueError):
    """YAML that cannot be read; the message is a single line."""


def load_yaml(text):
    if not HAS_YAML:
        raise MissingLibrary(LIBRARIES["yaml"])
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise YAMLError(_one_line(exc))


def load_yaml_documents(text):
    """Every document of a multi-document YAML text, as a list."""
    if not HAS_YAML:
        raise YAMLError("PyYAML is not installed")
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise YAMLError(_one_line(exc))


def dump_yaml(value):
    """Deterministic YAML text of plain data."""
    if not HAS_YAML:
        raise MissingLibrary(LIBRARIES["yaml"])
    return yaml.dump(
        value, Dumper=_StableDumper, default_flow_style=False, sort_keys=True, width=1000, allow_unicode=True
    )


def _one_line(exc):
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return "%s (line %d, column %d)" % (problem, mark.line + 1, mark.column + 1)
    return " ".join(str(exc).split())
