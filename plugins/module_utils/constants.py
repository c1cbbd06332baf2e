# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Names shared by the controller, the templating core and the modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

VERSION = "0.1.0"
CONTROLLER_IMAGE = "podlike/controller:latest"
# The controller image's own command (its Dockerfile's CMD).
CONTROLLER_COMMAND = ("-logs",)
DOCKER_SOCKET = "/var/run/docker.sock"

# Labels read on the controller container (the rycus86/podlike format).
LABEL_COMPONENT_PREFIX = "pod.component."
LABEL_COMPOSE_FILE = "pod.compose.file"
LABEL_INIT_COMPONENTS = "pod.init.components"
LABEL_COPY_PREFIX = "pod.copy."
# Controller settings as labels: pod.controller.<setting> (pids, ipc, volumes, cgroup, logs, pull).
LABEL_SETTING_PREFIX = "pod.controller."

# Labels the controller puts on what it creates.
LABEL_POD = "podlike.pod"
LABEL_CONTROLLER_ID = "podlike.controller.id"
LABEL_COMPONENT = "podlike.component"
LABEL_ROLE = "podlike.role"
LABEL_STACK = "podlike.stack"
LABEL_VOLUME_REF = "com.github.rycus86.podlike.volume-ref"

# Labels Docker puts on what a stack deploys.
LABEL_STACK_NAMESPACE = "com.docker.stack.namespace"
LABEL_SERVICE_ID = "com.docker.swarm.service.id"
LABEL_SERVICE_NAME = "com.docker.swarm.service.name"

# An anonymous volume the controller mounts at EMPTYDIR_ROOT + NAME is what its components mean by volume NAME.
EMPTYDIR_ROOT = "/podlike/emptydir/"

HEALTH_SOCKET = "/.podlike.health.sock"
NAME_SEPARATOR = ".podlike."
# Seconds a pod's components get to stop when neither the pod nor its controller container sets it.
DEFAULT_GRACE_PERIOD = 10
