# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A throw-away container in a running pod's namespaces: run one command, collect its output, remove it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_CONTROLLER_ID,
    LABEL_ROLE,
    NAME_SEPARATOR,
)
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError, NotFound, read_frames
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import HostPod, PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import shell_words

LABEL_DEBUG = "podlike.debug"


def debug_name(pod_name, suffix=None):
    return "%s%sdebug-%s" % (pod_name, NAME_SEPARATOR, suffix or uuid.uuid4().hex[:8])


def debug_config(
    controller, image, command=None, entrypoint=None, environment=None, share_pid=True, pid_holder_id=None
):
    """The create body: the pod's network (and PID) namespace, never restarted, labelled as debug.

    pid_holder_id: the container whose PID namespace the components share (see pid_holder); else the controller's.
    """
    controller_id = controller["Id"]
    host = {"NetworkMode": "container:" + controller_id}
    if share_pid:
        host["PidMode"] = "container:" + (pid_holder_id or controller_id)
    config = {
        "Image": image,
        "Labels": {LABEL_DEBUG: controller["Name"].lstrip("/")},
        "Env": ["%s=%s" % (key, value) for key, value in sorted((environment or {}).items())],
        "HostConfig": host,
    }
    if command is not None:
        config["Cmd"] = option_words("command", command)
    if entrypoint is not None:
        config["Entrypoint"] = option_words("entrypoint", entrypoint)
    return config


class DebugOptionError(ValueError):
    """An option of the debug container that cannot be used, named in the message."""


def option_words(option, value):
    """The command of an option as a list, or DebugOptionError naming the option."""
    try:
        return shell_words(value)
    except ValueError as exc:
        raise DebugOptionError("%s: %s" % (option, exc))


def pid_holder(client, controller):
    """The ID of the container whose PID namespace holds the pod's processes: its infra, else a lone component."""
    members = client.containers(labels=["%s=%s" % (LABEL_CONTROLLER_ID, controller["Id"])])
    by_role = {}
    for member in members:
        by_role.setdefault((member.get("Labels") or {}).get(LABEL_ROLE), []).append(member["Id"])
    if by_role.get("infra"):
        return by_role["infra"][0]
    components = by_role.get("component") or []
    return components[0] if len(components) == 1 else None


def run_in_pod(client, pod_name, image, command=None, entrypoint=None, environment=None, share_pid=True, timeout=60):
    """Run the debug container to its end; return {container, rc, stdout, stderr}."""
    controller = HostPod(client, pod_name).controller()
    if controller is None:
        raise PodStateError("no pod named %s on this host" % pod_name)
    if not (controller.get("State") or {}).get("Running"):
        raise PodStateError("pod %s is not running" % pod_name)
    try:
        client.inspect_image(image)
    except NotFound:
        raise PodStateError("the image %s is not on the host" % image)
    name = debug_name(pod_name)
    created = client.create_container(
        name,
        debug_config(controller, image, command, entrypoint, environment, share_pid, pid_holder(client, controller)),
    )
    try:
        client.start_container(created["Id"])
        try:
            answer = client.wait_container(created["Id"], timeout=timeout)
        except DockerError:
            raise PodStateError("the debug command did not end within %ss" % timeout)
        stdout, stderr = output_of(client, created["Id"])
        return {"container": name, "rc": (answer or {}).get("StatusCode"), "stdout": stdout, "stderr": stderr}
    finally:
        try:
            client.remove_container(created["Id"], force=True)
        except DockerError:
            pass


def output_of(client, container_id):
    response = client.logs(container_id, follow=False, timeout=30)
    streams = {1: [], 2: []}
    for stream, chunk in read_frames(response):
        streams.setdefault(stream, []).append(chunk)
    response.close()
    return tuple(b"".join(streams[key]).decode("utf-8", "replace") for key in (1, 2))
