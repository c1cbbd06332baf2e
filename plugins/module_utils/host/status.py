# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What pods run on an engine: controllers, their components and their health, read-only.

A controller is a container whose labels define a pod (pod.component.* or pod.compose.file), or
one that components point at with podlike.controller.id. On Swarm, a pod service is one whose
task template carries those labels.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_COMPONENT,
    LABEL_COMPONENT_PREFIX,
    LABEL_COMPOSE_FILE,
    LABEL_CONTROLLER_ID,
    LABEL_ROLE,
    LABEL_SERVICE_NAME,
    LABEL_STACK_NAMESPACE,
)
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

# One line per component of `podlike health`: name, status, health=..., restarts=N, image=...
_HEALTH_LINE = re.compile(r"^\s+(\S+)\s+(\S+)\s+health=(\S+)\s+restarts=(\d+)\s+image=(.*)$")


def defines_pod(labels):
    """True when container (or task template) labels hold a pod definition."""
    labels = labels or {}
    return LABEL_COMPOSE_FILE in labels or any(key.startswith(LABEL_COMPONENT_PREFIX) for key in labels)


def container_name(container):
    """The name of a container from /containers/json or an inspect answer."""
    if container.get("Name"):
        return container["Name"].lstrip("/")
    names = container.get("Names") or []
    return names[0].lstrip("/") if names else container.get("Id", "")[:12]


def parse_health_text(text):
    """{component: {status, health, restarts, image}} from the output of `podlike health`."""
    components = {}
    for line in (text or "").splitlines():
        match = _HEALTH_LINE.match(line)
        if not match:
            continue
        name, status, health, restarts, image = match.groups()
        components[name] = {
            "status": status,
            "health": None if health == "-" else health,
            "restarts": int(restarts),
            "image": image.strip(),
        }
    return components


def health_report(client, controller_id):
    """The running controller's own view of its components; {} when it cannot answer."""
    try:
        _code, output = client.exec_run(controller_id, ["podlike", "health"], timeout=15)
    except DockerError:
        return {}
    return parse_health_text(output)


def component_entry(container, report=None):
    """One component as the modules return it, from an inspect answer and the controller's report."""
    labels = container.get("Config", {}).get("Labels") or {}
    state = container.get("State") or {}
    name = labels.get(LABEL_COMPONENT) or container_name(container)
    reported = (report or {}).get(name) or {}
    return {
        "name": name,
        "role": labels.get(LABEL_ROLE, "component"),
        "container": container_name(container),
        "container_id": container.get("Id"),
        "state": state.get("Status"),
        "health": (state.get("Health") or {}).get("Status") or reported.get("health"),
        "exit_code": state.get("ExitCode") if state.get("Status") in ("exited", "dead") else None,
        "restarts": max(reported.get("restarts", 0), container.get("RestartCount") or 0),
        "image": container.get("Config", {}).get("Image"),
    }


def pending_entry(name, reported):
    """A component the controller knows of but that has no container (yet, or any more)."""
    return {
        "name": name,
        "role": "component",
        "container": None,
        "container_id": None,
        "state": reported.get("status"),
        "health": reported.get("health"),
        "exit_code": None,
        "restarts": reported.get("restarts", 0),
        "image": reported.get("image"),
    }


def components_of(client, controller_id, running=True):
    """The components (init and infra containers too) of one controller, in name order."""
    report = health_report(client, controller_id) if running else {}
    entries = []
    for summary in client.containers(labels=["%s=%s" % (LABEL_CONTROLLER_ID, controller_id)]):
        try:
            entries.append(component_entry(client.inspect_container(summary["Id"]), report))
        except NotFound:
            continue
    known = {entry["name"] for entry in entries}
    entries.extend(pending_entry(name, reported) for name, reported in report.items() if name not in known)
    return sorted(entries, key=lambda entry: (entry["role"] != "component", entry["name"]))


def describe_pod(client, controller):
    """A pod as the modules return it, from the controller's inspect answer."""
    labels = controller.get("Config", {}).get("Labels") or {}
    state = controller.get("State") or {}
    running = state.get("Status") == "running"
    return {
        "name": container_name(controller),
        "controller_id": controller.get("Id"),
        "image": controller.get("Config", {}).get("Image"),
        "state": state.get("Status"),
        "health": (state.get("Health") or {}).get("Status"),
        "stack": labels.get(LABEL_STACK_NAMESPACE),
        "service": labels.get(LABEL_SERVICE_NAME),
        "components": components_of(client, controller["Id"], running=running),
    }


def controller_ids(client):
    """IDs of every controller on the engine: by their labels and by what components point at."""
    ids = []
    for container in client.containers():
        labels = container.get("Labels") or {}
        if LABEL_ROLE in labels:
            referenced = labels.get(LABEL_CONTROLLER_ID)
            if referenced and referenced not in ids:
                ids.append(referenced)
        elif defines_pod(labels) and container["Id"] not in ids:
            ids.append(container["Id"])
    return ids


def host_pods(client, name=None, stack=None):
    """Every pod on the engine, optionally only the one named or those of one stack."""
    pods = []
    for controller_id in controller_ids(client):
        try:
            controller = client.inspect_container(controller_id)
        except NotFound:
            continue
        labels = controller.get("Config", {}).get("Labels") or {}
        if name is not None and container_name(controller) != name:
            continue
        if stack is not None and labels.get(LABEL_STACK_NAMESPACE) != stack:
            continue
        pods.append(describe_pod(client, controller))
    return sorted(pods, key=lambda pod: pod["name"])


def swarm_available(client):
    """True when the engine is a Swarm manager (only managers list services)."""
    swarm = (client.info() or {}).get("Swarm") or {}
    return swarm.get("LocalNodeState") == "active" and bool(swarm.get("ControlAvailable"))


def service_components(labels):
    """The names of the components a pod service's controller runs, init ones too, as the component model reads
    its labels; the pod.component.* names where it cannot (a Compose file only the controller reads, a bad label).
    """
    try:
        return sorted(component.name for component in from_labels(labels, read_file=_not_here).all_components())
    except SpecError:
        return sorted(key[len(LABEL_COMPONENT_PREFIX) :] for key in labels if key.startswith(LABEL_COMPONENT_PREFIX))


def components_running(pods):
    """The component names (init ones too) of pods on this host: what a pod.compose.file service runs here."""
    return sorted(
        set(
            entry["name"]
            for pod in pods
            for entry in pod.get("components") or []
            if entry.get("role") in ("component", "init")
        )
    )


def _not_here(path):
    raise OSError("only the controller reads %s" % path)


def swarm_services(client, pods, name=None, stack=None):
    """Pod services of the Swarm, each with the pods (tasks) of it that run on this engine."""
    filters = {"label": ["%s=%s" % (LABEL_STACK_NAMESPACE, stack)]} if stack else None
    services = []
    for service in client.get("/services", params={"filters": filters}) or []:
        spec = service.get("Spec") or {}
        container_spec = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
        if not defines_pod(container_spec.get("Labels")):
            continue
        if name is not None and spec.get("Name") != name:
            continue
        labels = spec.get("Labels") or {}
        pods_here = [pod for pod in pods if pod.get("service") == spec.get("Name")]
        services.append(
            {
                "name": spec.get("Name"),
                "id": service.get("ID"),
                "stack": labels.get(LABEL_STACK_NAMESPACE),
                "image": container_spec.get("Image", "").split("@")[0],
                "mode": "global" if "Global" in (spec.get("Mode") or {}) else "replicated",
                "replicas": ((spec.get("Mode") or {}).get("Replicated") or {}).get("Replicas"),
                "components": service_components(container_spec.get("Labels") or {}) or components_running(pods_here),
                "pods": pods_here,
            }
        )
    return sorted(services, key=lambda service: service["name"])


def gather(client, name=None, stack=None):
    """podlike_info's result: the pods on this host and the pod services of the Swarm."""
    pods = host_pods(client, stack=stack)
    swarm = swarm_available(client)
    services = swarm_services(client, pods, name=name, stack=stack) if swarm else []
    if name is not None:
        pods = [pod for pod in pods if pod["name"] == name]
    return dict(pods=pods, services=services, swarm=swarm)
