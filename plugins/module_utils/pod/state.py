# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What a pod knows of each component, and the pod's health derived from it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

HEALTH_ORDER = ("unhealthy", "starting", "healthy")


class ComponentState:
    """One component container as the pod sees it."""

    def __init__(self, component):
        self.component = component
        self.container_id = None
        self.status = "pending"  # pending, created, running, exited, removed
        self.health = None  # None (no healthcheck), starting, healthy, unhealthy
        self.exit_code = None
        self.observed_exit = None  # exit code seen by the events stream, before the loop acts on it
        self.completed = False  # exited 0 as a dependency that others wait to complete
        self.ready = None  # readiness: None (no probe), "starting", True, False
        self.restarts = 0

    def as_dict(self):
        return {
            "name": self.component.name,
            "container_id": self.container_id,
            "status": self.status,
            "health": self.health,
            "exit_code": self.exit_code,
            "restarts": self.restarts,
            "completed": self.completed,
            "ready": self.ready,
            "image": self.component.image,
        }


def component_health(component):
    """starting, healthy or unhealthy for one component dict (as_dict)."""
    if component["status"] in ("pending", "created"):
        return "starting"
    if component["completed"]:
        return "healthy"
    if component["status"] != "running" or component["ready"] is False:
        return "unhealthy"
    if component["ready"] == "starting":
        return "starting"
    return component["health"] or "healthy"


def pod_health(components, stopping=False):
    """Healthy only when every component runs and every check and readiness probe passes."""
    if stopping:
        return "unhealthy"
    worst = "healthy"
    for component in components:
        current = component_health(component)
        if HEALTH_ORDER.index(current) < HEALTH_ORDER.index(worst):
            worst = current
    return worst
