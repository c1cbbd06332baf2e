# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""YAML text of template values (the ``yaml`` template function and rendered stacks)."""

from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml as dump


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
    text = dump(to_plain(value))
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return text
