# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Compose stack files: loading, merging and the long syntax of ports and volumes."""

import copy
import os

from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import short_volume
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import port_entries
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


def long_ports(port):
    """The long syntax of a port entry: a list of ``{target, published, protocol, host_ip}`` mappings."""
    if isinstance(port, dict):
        return [copy.deepcopy(port)]
    try:
        return port_entries(port)
    except ValueError as error:
        raise TemplateError(str(error), key="ports")


def long_volume(volume):
    """The long syntax of a service volume entry."""
    if isinstance(volume, dict):
        return copy.deepcopy(volume)
    try:
        return short_volume(volume)
    except ValueError as error:
        raise TemplateError(str(error), key="volumes")
