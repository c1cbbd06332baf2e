# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Compose stack files: loading, merging and the long syntax of ports and volumes."""

import copy
import os

from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.merge import merge_stack_files
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import YAMLError, load_yaml


def parse_yaml(text, origin):
    """Parse YAML text into a mapping; ``origin`` names the text in errors."""
    try:
        document = load_yaml(text)
    except YAMLError as error:
        raise TemplateError("invalid YAML in {}: {}".format(origin, error))
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise TemplateError(f"{origin} must be a YAML mapping, not {type(document).__name__}")
    return document


def load_stack(items, workdir=None):
    """Load and merge stack files given as paths or mappings; return (stack mapping, working directory).

    The working directory defaults to the directory of the first file, as for `docker stack deploy`.
    """
    if isinstance(items, (str, dict)):
        items = [items]
    if not items:
        raise TemplateError("no stack file given")
    stack = None
    version = None
    for item in items:
        if isinstance(item, dict):
            document = copy.deepcopy(item)
        elif isinstance(item, str):
            if workdir is None:
                workdir = os.path.dirname(os.path.abspath(item))
            try:
                with open(item, encoding="utf-8") as handle:
                    document = parse_yaml(handle.read(), item)
            except OSError as error:
                raise TemplateError(f"cannot read stack file {item}: {error.strerror or error}")
        else:
            raise TemplateError(f"a stack file must be a path or a mapping, not {type(item).__name__}")
        if "version" in document:
            if version is not None and str(document["version"]) != version:
                raise TemplateError(
                    "stack files must share one version, got {} and {}".format(version, document["version"]),
                    key="version",
                )
            version = str(document["version"])
        stack = document if stack is None else merge_stack_files(stack, document)
    if not isinstance(stack.get("services", {}) or {}, dict):
        raise TemplateError("services must be a mapping", key="services")
    return stack, workdir or "."


def _split_range(text):
    if text is None or text == "":
        return [None]
    text = str(text)
    if "-" in text:
        start, end = text.split("-", 1)
        return list(range(int(start), int(end) + 1))
    return [int(text)]


def long_ports(port):
    """The long syntax of a port entry: a list of ``{target, published, protocol, mode}`` mappings."""
    if isinstance(port, dict):
        return [copy.deepcopy(port)]
    text = str(port)
    protocol = "tcp"
    if "/" in text:
        text, protocol = text.rsplit("/", 1)
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        host_ip, (published, target) = None, parts
    else:
        host_ip, published, target = None, None, parts[0]
    try:
        targets = _split_range(target)
        publishes = _split_range(published)
    except ValueError:
        raise TemplateError(f"invalid port {port!r}", key="ports")
    if publishes != [None] and len(publishes) != len(targets):
        raise TemplateError(f"port ranges of different sizes in {port!r}", key="ports")
    entries = []
    for index, target_port in enumerate(targets):
        entry = {"target": target_port, "protocol": protocol}
        if publishes != [None]:
            entry["published"] = publishes[index]
        if host_ip:
            entry["host_ip"] = host_ip
        entries.append(entry)
    return entries


def long_volume(volume):
    """The long syntax of a service volume entry."""
    if isinstance(volume, dict):
        return copy.deepcopy(volume)
    parts = str(volume).split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0]}
    source, target = parts[0], parts[1]
    entry = {
        "type": "bind" if source.startswith(("/", ".", "~")) else "volume",
        "source": source,
        "target": target,
    }
    options = parts[2].split(",") if len(parts) > 2 else []
    if "ro" in options:
        entry["read_only"] = True
    return entry
