# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Stable YAML text: sorted keys, block style, multi-line strings as literal blocks."""

import yaml


class _StableDumper(yaml.SafeDumper):
    """A safe dumper that writes multi-line strings as ``|`` blocks, so labels stay readable."""


def _represent_text(dumper, text):
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_StableDumper.add_representer(str, _represent_text)


def to_plain(value):
    """Turn template views (see service.py) back into the Compose values they were built from."""
    compose_value = getattr(value, "compose_value", None)
    if compose_value is not None:
        return to_plain(compose_value)
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if value.__class__.__name__ == "_Missing":
        return None
    return value


def to_yaml(value):
    """YAML text of a value, as the ``yaml`` template function gives it."""
    text = yaml.dump(to_plain(value), Dumper=_StableDumper, default_flow_style=False, sort_keys=True, width=1000)
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return text


def dump(value):
    """YAML document text of a plain mapping or list (deterministic)."""
    return yaml.dump(value, Dumper=_StableDumper, default_flow_style=False, sort_keys=True, width=1000)
