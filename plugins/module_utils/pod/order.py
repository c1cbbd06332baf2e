# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Start and stop order of a pod's components, from depends_on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError


def check_dependencies(components):
    """Refuse a dependency on an unknown component, and any cycle (named in the message)."""
    names = set(component.name for component in components)
    for component in components:
        for dep in component.depends_on:
            if dep not in names:
                raise SpecError(
                    "depends on %r, which is not a component of this pod" % dep,
                    component=component.name,
                    key="depends_on",
                )
            if dep == component.name:
                raise SpecError("depends on itself", component=component.name, key="depends_on")
    cycle = find_cycle(components)
    if cycle:
        raise SpecError("dependency cycle: %s" % " -> ".join(cycle), component=cycle[0], key="depends_on")


def find_cycle(components):
    """The first dependency cycle as a list of names (first name repeated at the end), or None."""
    graph = dict((component.name, sorted(component.depends_on)) for component in components)
    state = {}
    stack = []

    def visit(name):
        state[name] = "visiting"
        stack.append(name)
        for dep in graph.get(name, ()):
            if state.get(dep) == "visiting":
                return stack[stack.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state:
            found = visit(name)
            if found:
                return found
    return None


def start_levels(components):
    """Components grouped in levels: each level depends only on earlier ones.

    Sidecars come in levels before the main components (they start first and stop last).
    """
    ordered = []
    for group in ([c for c in components if c.sidecar], [c for c in components if not c.sidecar]):
        ordered.extend(_levels(group, done=set(c.name for level in ordered for c in level)))
    return ordered


def _levels(components, done):
    remaining = list(components)
    levels = []
    names = set(c.name for c in components)
    while remaining:
        level = [c for c in remaining if all(dep in done or dep not in names for dep in c.depends_on)]
        if not level:  # pragma: no cover - check_dependencies refuses cycles first
            raise SpecError("dependency cycle", key="depends_on")
        levels.append(level)
        done.update(c.name for c in level)
        remaining = [c for c in remaining if c not in level]
    return levels
