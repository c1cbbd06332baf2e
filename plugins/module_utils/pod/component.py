# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What a pod holds of its definition once it is parsed: the PodDefinition, its Components and restart policies.

Apart from the parsers (spec.py, definition.py) so that the running controller holds them without loading the
parsers, the policy or PyYAML: it gets them from its start-up process (controller/apart.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class PodDefinition:
    """Components (init ones first, in order), copy entries and label settings of one pod."""

    def __init__(self, init_components, components, copies, settings):
        self.init_components = init_components
        self.components = components
        self.copies = copies
        self.settings = settings

    def all_components(self):
        return self.init_components + self.components

    def component(self, name):
        for component in self.all_components():
            if component.name == name:
                return component
        return None


class Component:
    """One component of a pod, parsed once (spec.parse_component): its container settings and what the pod does with it.

    parsed holds what the parser read from definition, by field name.
    """

    def __init__(self, name, definition, parsed, init=False, source="label"):
        self.name = name
        self.definition = definition
        self.init = init
        self.source = source
        self.image = definition.get("image")
        self.config = parsed["config"]
        self.host_config = parsed["host_config"]
        self.environment = parsed["environment"]
        self.env_files = parsed["env_files"]
        self.depends_on = parsed["depends_on"]
        self.stop_grace_period = parsed["stop_grace_period"]
        self.sidecar = parsed["sidecar"]
        self.restart = parsed["restart"]
        self.post_start = parsed["post_start"]
        self.pre_stop = parsed["pre_stop"]
        self.probes = parsed["probes"]
        self.pull_policy = parsed["pull_policy"]

    @property
    def healthcheck(self):
        """The component's own HealthConfig, or None when it sets no healthcheck."""
        return self.config.get("Healthcheck")

    @property
    def tty(self):
        return bool(self.config.get("Tty"))

    def container_settings(self):
        """(config, host_config) as copies, for a create body or a policy check to add to."""
        return plain_copy(self.config), plain_copy(self.host_config)

    def normalized(self):
        """Everything the pod takes from the definition, as plain values (for comparisons and reports)."""
        return {
            "name": self.name,
            "init": self.init,
            "config": self.config,
            "host_config": self.host_config,
            "environment": self.environment,
            "env_files": self.env_files,
            "depends_on": self.depends_on,
            "stop_grace_period": self.stop_grace_period,
            "sidecar": self.sidecar,
            "restart": (self.restart.mode, self.restart.max_retries),
            "post_start": self.post_start,
            "pre_stop": self.pre_stop,
            "probes": dict((kind, vars(probe)) for kind, probe in self.probes.items()),
            "pull_policy": self.pull_policy,
        }

    def __repr__(self):
        return "Component(%r)" % self.name


class RestartPolicy:
    """restart: no | on-failure[:N] | always | unless-stopped."""

    def __init__(self, mode="no", max_retries=None):
        self.mode = mode
        self.max_retries = max_retries

    def should_restart(self, exit_code, restarts):
        if self.mode == "no" or (self.mode == "on-failure" and exit_code == 0):
            return False
        return self.max_retries is None or restarts < self.max_retries


def plain_copy(value):
    """A deep copy of translated settings (dicts, lists, tuples of scalars), without the 0.13 MB of copy.deepcopy."""
    if isinstance(value, dict):
        return dict((key, plain_copy(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(plain_copy(item) for item in value)
    return value
