# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""From a started controller container to a Pod ready to run: who am I, what is my pod."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.constants import EMPTYDIR_ROOT
from ansible_collections.podlike.swarm.plugins.module_utils.controller import trace
from ansible_collections.podlike.swarm.plugins.module_utils.docker_api import DockerClient, DockerError, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod import definition as pod_definition
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery, policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import Pod
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve

ENGINE_TIMEOUT = 15


def boot(argv, output, client=None):
    trace.mark("imports: pod core")
    flags = parse_flags(argv)
    trace.mark("flags parsed")
    client = client or DockerClient(timeout=ENGINE_TIMEOUT)
    controller = find_self(client)
    trace.mark("self-discovery: controller inspected")
    output.info("engine %s" % client.describe_api())
    labels = controller.get("Config", {}).get("Labels") or {}
    definition = pod_definition.from_labels(labels)
    trace.mark("definition parsed (%d components)" % len(definition.all_components()))
    settings = resolve(flags, definition.settings)
    policy.check(definition.all_components(), settings.allow_privileged)
    policy.check_volume_sharing(controller.get("Mounts") or [], settings.volumes, settings.allow_privileged)
    trace.mark("settings resolved, policy checked")
    context = PodContext(
        controller,
        settings,
        cgroup_parent=_cgroup_parent(controller, settings, output),
        ipc_donor=_ipc_donor(controller, settings),
        volume_names=_volume_names(client, controller, definition),
    )
    pod = Pod(client, controller, definition, context, output)
    trace.mark("pod ready to start")
    return pod


def find_self(client):
    """Inspect this process's own container, found from /proc (cgroup v1 or v2) or the hostname."""
    candidates = discovery.read_candidates()
    for candidate in candidates:
        try:
            return client.inspect_container(candidate)
        except NotFound:
            continue
        except DockerError:
            raise
    raise PodError(
        "the controller does not appear to run in a container of this engine "
        "(looked for %s); mount the engine's socket and run it as a container"
        % (", ".join(c[:12] for c in candidates) or "a container ID in /proc/self")
    )


def _cgroup_parent(controller, settings, output):
    """The controller's cgroup, as a parent for the components; None where the engine cannot nest.

    With the cgroupfs driver on cgroup v1 a container's cgroup can hold child cgroups. On cgroup v2
    a cgroup with processes cannot, and systemd scopes never can: there the pod shares no cgroup.
    """
    if not settings.cgroup:
        return None
    text = discovery._read("/proc/self/cgroup")
    path = discovery.cgroup_path(text, controller["Id"])
    if path is None or path.endswith(".scope") or text.startswith("0::"):
        output.info(
            "cgroup sharing is not available on this host (cgroup v2 or systemd driver); "
            "components get their own cgroups"
        )
        return None
    return path


def _ipc_donor(controller, settings):
    """The controller when its IPC namespace is shareable; otherwise the pod starts an IPC holder."""
    if not settings.ipc:
        return None
    mode = (controller.get("HostConfig") or {}).get("IpcMode") or ""
    return controller["Id"] if mode in ("shareable", "host") else None


def _volume_names(client, controller, definition):
    """Reference name -> real volume name, for the named volumes mounted on the controller.

    A stack volume web_shared (or one labelled with its reference) is what a component means by
    'shared'; this lets per-task volume names work as in rycus86/podlike.
    """
    wanted = any(component.definition.get("volumes") for component in definition.all_components())
    if not wanted:
        return {}
    names = {}
    for mount in controller.get("Mounts") or []:
        if mount.get("Type") != "volume" or not mount.get("Name"):
            continue
        destination = mount.get("Destination") or ""
        if destination.startswith(EMPTYDIR_ROOT) and len(destination) > len(EMPTYDIR_ROOT):
            # An anonymous volume of the task: removed with the task's container, so with the pod.
            names[destination[len(EMPTYDIR_ROOT) :]] = mount["Name"]
            continue
        try:
            volume = client.inspect_volume(mount["Name"])
        except DockerError:
            continue
        reference = volume_reference(volume)
        if reference:
            names[reference] = volume["Name"]
    return names


def volume_reference(volume):
    labels = volume.get("Labels") or {}
    name = volume.get("Name", "")
    if labels.get("com.github.rycus86.podlike.volume-ref"):
        return labels["com.github.rycus86.podlike.volume-ref"]
    namespace = labels.get("com.docker.stack.namespace")
    if namespace and name.startswith(namespace + "_"):
        return name[len(namespace) + 1 :]
    return labels.get("com.docker.compose.volume")
