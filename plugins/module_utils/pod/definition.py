# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A pod's definition read from controller labels in the rycus86/podlike format.

pod.component.<name>, pod.compose.file, pod.init.components and pod.copy.<name>, plus the
controller settings pod.controller.<setting>.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_COMPONENT_PREFIX,
    LABEL_COMPOSE_FILE,
    LABEL_COPY_PREFIX,
    LABEL_INIT_COMPONENTS,
    LABEL_SETTING_PREFIX,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.order import check_dependencies
from ansible_collections.podlike.swarm.plugins.module_utils.pod.component import PodDefinition
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_component, parse_copy
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_flat import flat_mapping

# The largest label value or Compose file read: a definition is text a person writes, not data.
MAX_TEXT = 1024 * 1024
# Each component is a container, a thread of the controller and a shim of the engine's outside the pod's limits.
MAX_COMPONENTS = 64
POD_LABEL_PREFIXES = (LABEL_COMPONENT_PREFIX, LABEL_COMPOSE_FILE, LABEL_INIT_COMPONENTS, LABEL_COPY_PREFIX)


def from_labels(labels, read_file=None):
    """Parse controller labels into a PodDefinition; raise SpecError on the first problem."""
    labels = labels or {}
    read_file = read_file or _read_file
    for label in sorted(labels):
        if label.startswith(POD_LABEL_PREFIXES + (LABEL_SETTING_PREFIX,)):
            _check_size(labels[label], label, component=_label_component(label))
    component_labels = sorted(k for k in labels if k.startswith(LABEL_COMPONENT_PREFIX))
    compose_file = labels.get(LABEL_COMPOSE_FILE)
    if component_labels and compose_file:
        raise SpecError(
            "either the pod.component.* labels or pod.compose.file should be used, not both", key=LABEL_COMPOSE_FILE
        )

    components = []
    if compose_file:
        components = _components_from_compose_file(compose_file, read_file)
    for label in component_labels:
        name = label[len(LABEL_COMPONENT_PREFIX) :]
        definition = _yaml_label(labels[label], label, component=name)
        components.append(parse_component(name, definition))

    init_components = []
    if labels.get(LABEL_INIT_COMPONENTS):
        items = _yaml_label(labels[LABEL_INIT_COMPONENTS], LABEL_INIT_COMPONENTS)
        if not isinstance(items, list):
            raise SpecError("expected a YAML list of component definitions", key=LABEL_INIT_COMPONENTS)
        for index, definition in enumerate(items, start=1):
            init_components.append(parse_component("init-%d" % index, definition, init=True))

    if not components:
        raise SpecError("no components found: add pod.component.<name> labels or pod.compose.file")
    return build(init_components, components, _copies(labels), _settings(labels))


def build(init_components, components, copies, settings):
    """Check names, dependencies and copy targets across the pod; return a PodDefinition."""
    if len(init_components) + len(components) > MAX_COMPONENTS:
        raise SpecError(
            "a pod has at most %d components, init components included; this one has %d"
            % (MAX_COMPONENTS, len(init_components) + len(components))
        )
    seen = set()
    for component in init_components + components:
        if component.name in seen:
            raise SpecError("defined twice", component=component.name)
        seen.add(component.name)
    for component in init_components:
        component.depends_on = {}
    check_dependencies(components)
    for name in copies:
        if name not in seen:
            raise SpecError("pod.copy.%s names no component of this pod" % name, component=name, key="pod.copy")
    return PodDefinition(init_components, components, copies, settings)


def _copies(labels):
    copies = {}
    for label in sorted(k for k in labels if k.startswith(LABEL_COPY_PREFIX)):
        name = label[len(LABEL_COPY_PREFIX) :]
        copies[name] = parse_copy(name, _yaml_label(labels[label], label, component=name))
    return copies


def _settings(labels):
    return dict(
        (label[len(LABEL_SETTING_PREFIX) :], value)
        for label, value in labels.items()
        if label.startswith(LABEL_SETTING_PREFIX)
    )


def _components_from_compose_file(path, read_file):
    try:
        text = read_file(path)
    except (IOError, OSError) as exc:
        raise SpecError("cannot read %s: %s" % (path, exc.strerror or exc), key=LABEL_COMPOSE_FILE)
    _check_size(text, LABEL_COMPOSE_FILE, what=path)
    from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import YAMLError, load_yaml

    try:
        document = load_yaml(text)
    except YAMLError as exc:
        raise SpecError("%s is not valid YAML: %s" % (path, exc), key=LABEL_COMPOSE_FILE)
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        raise SpecError("%s has no services" % path, key=LABEL_COMPOSE_FILE)
    return [parse_component(str(name), spec, strict=False, source="compose") for name, spec in services.items()]


def _check_size(text, label, what="the value", component=None):
    if not isinstance(text, str):
        return
    if len(text) > MAX_TEXT or len(text.encode("utf-8", "replace")) > MAX_TEXT:
        raise SpecError("%s is larger than %d bytes" % (what, MAX_TEXT), component=component, key=label)


def _label_component(label):
    for prefix in (LABEL_COMPONENT_PREFIX, LABEL_COPY_PREFIX):
        if label.startswith(prefix):
            return label[len(prefix) :]
    return None


def _yaml_label(text, label, component=None):
    """The label's YAML; PyYAML is imported only for what flat_mapping does not read (see yaml_flat)."""
    flat = flat_mapping(text)
    if flat is not None:
        return flat
    from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import YAMLError, load_yaml

    try:
        return load_yaml(text)
    except YAMLError as exc:
        raise SpecError("not valid YAML: %s" % exc, component=component, key=label)


def _read_file(path):
    """At most one byte more than MAX_TEXT, so that a huge file is refused without being read."""
    with open(path) as handle:
        return handle.read(MAX_TEXT + 1)
