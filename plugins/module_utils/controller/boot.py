# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""From a started controller container to a Pod ready to run: who am I, what is my pod."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    EMPTYDIR_ROOT,
    LABEL_COMPOSE_FILE,
    LABEL_STACK_NAMESPACE,
    LABEL_VOLUME_REF,
)
from ansible_collections.podlike.swarm.plugins.module_utils import trace
from ansible_collections.podlike.swarm.plugins.module_utils.controller.lookups import StartLookups
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    DockerError,
    unix_socket_path,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod import definition as pod_definition
from ansible_collections.podlike.swarm.plugins.module_utils.pod import cgroups, discovery, policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import ControllerFiles
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve


def boot(argv, output, client=None, lookups=None):
    """The Pod of this controller; lookups: the StartLookups sent early (else they are sent here, on client)."""
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import Pod  # not in the start-up child

    pod = Pod(*pod_parts(argv, output, client=client, lookups=lookups), output=output)
    trace.mark("pod ready to start")
    return pod


def pod_parts(argv, output, client=None, lookups=None):
    """(engine client, controller container, definition, context): what a Pod is built from, read and checked."""
    trace.mark("imports: pod core")
    flags = parse_flags(argv)
    trace.mark("flags parsed")
    lookups = lookups or StartLookups(client)
    client = lookups.client
    controller = lookups.own_container()  # the definition is read while the other lookups are on their way
    labels = controller.get("Config", {}).get("Labels") or {}
    files = _ControllerFilesOnDemand(client, unrestricted=bool(flags.get("allow-privileged")))
    definition = pod_definition.from_labels(
        labels, read_file=lambda path: files().read_text(path, key=LABEL_COMPOSE_FILE)
    )
    trace.mark("definition parsed (%d components)" % len(definition.all_components()))
    settings = resolve(flags, definition.settings)
    if definition.copies:
        from ansible_collections.podlike.swarm.plugins.module_utils.pod import copy  # only for pods that copy

        definition.copies = copy.check_copies(definition.copies, settings.copy_limit, files())
    for component in definition.all_components():
        for path in component.env_files:
            files().read_text(path, component.name, "env_file")  # read again at each create
    controller = lookups.result()
    engine, controller_cgroup = _engine_cgroups(lookups, settings, controller["Id"])
    output.info("engine %s, %s" % (client.describe_api(), engine.describe()))
    volume_names = _volume_names(client, controller, definition)
    socket = engine_socket(client.base_url, controller.get("Mounts") or [])
    policy.check_engine_reach(client.base_url, client.tls, _allowances(settings, socket))
    check_policy(client, definition, settings, volume_names, lambda: lookups.info().get("DefaultRuntime"), socket)
    trace.mark("settings resolved, policy checked")
    cgroup_parent, limits = _cgroup_parent(controller, settings, engine, definition, output, controller_cgroup)
    context = PodContext(
        controller,
        settings,
        cgroup_parent=cgroup_parent,
        volume_names=volume_names,
        component_limits=limits,
        shared_mounts=_shared_mounts(client, controller, settings, output, socket),
        engine_socket=socket,
        sweeper=lookups.sweeper if settings.guard == "auto" else None,
        leftovers=lookups.leftovers,
        lone_component=len(definition.all_components()) == 1,
        files=files.built or ControllerFiles(),
    )
    return client, controller, definition, context


class _ControllerFilesOnDemand:
    """ControllerFiles of this controller, read from /proc the first time a pod reads a file (most read none)."""

    def __init__(self, client, unrestricted):
        self.client = client
        self.unrestricted = unrestricted
        self.built = None

    def __call__(self):
        if self.built is None:
            self.built = ControllerFiles.of_this_controller(self.client, self.unrestricted)
        return self.built


def check_policy(client, definition, settings, volume_names, default_runtime="runc", socket=None):
    """Refuse, before anything is created, what a component may not ask the engine for.

    default_runtime: the engine's, or a function asking the engine for it (called only if a component names one).
    socket: (host path, path here) of the engine's socket mounted on the controller (engine_socket), or None.
    """
    allowances = _allowances(settings, socket, default_runtime)
    policy.check_pod(
        definition.all_components(), allowances, lambda name: client.find_volume(volume_names.get(name, name))
    )


def _shared_mounts(client, controller, settings, output, socket=None):
    """-volumes: the controller's mounts for every component, but those reaching its socket or credentials."""
    if not settings.volumes:
        return []
    from ansible_collections.podlike.swarm.plugins.module_utils.pod import controller_files

    shared, excluded = policy.shared_controller_mounts(
        controller.get("Mounts") or [],
        allowances=_allowances(settings, socket),
        inspect_volume=client.find_volume,
        credentials=controller_files.controller_credentials(client),
        mount_points=controller_files.mount_points(controller_files.read_mountinfo()),
    )
    for destination, reason in excluded:
        output.info("-volumes: %s is not shared with the components: %s" % (destination, reason))
    return shared


def _allowances(settings, socket, default_runtime="runc"):
    """The policy's Allowances: the operator's flags, and the host path of the socket the controller was given."""
    return policy.Allowances.from_settings(settings, default_runtime, engine_sockets=[socket[0]] if socket else [])


def _engine_cgroups(lookups, settings, controller_id):
    """(EngineCgroups, the controller's cgroup path): from /proc/self/cgroup where it proves nesting, else /info."""
    nested_path = cgroups.cgroupfs_v1_path(lookups.cgroup_text, controller_id)
    if settings.cgroup and nested_path:
        return cgroups.CGROUPFS_V1, nested_path
    return cgroups.EngineCgroups(lookups.info()), discovery.cgroup_path(lookups.cgroup_text, controller_id)


def _cgroup_parent(controller, settings, engine, definition, output, controller_cgroup):
    """(the controller's cgroup as the components' parent, None), or (None, each component's limits).

    With the cgroupfs driver on cgroup v1 the components live under the controller's cgroup and its
    limits. Where they cannot (cgroup v2, the systemd driver), the pod's memory and CPU limits are
    split among them, so that together they never get more than the pod's service asked for.
    """
    if settings.cgroup:
        parent, why_not = cgroups.nesting(engine, controller_cgroup)
        if parent:
            return parent, None
        reason = "cgroup sharing is not available (%s)" % why_not
    else:
        reason = "cgroup sharing is off"
    controller_host = controller.get("HostConfig") or {}
    components = definition.all_components()
    asked = {}
    for component in components:
        host = component.host_config
        asked[component.name] = (host.get("Memory") or None, host.get("NanoCpus") or None)
    limits = cgroups.component_limits(engine, controller_host, components, asked)
    output.info(
        "%s: components get cgroups of their own; %s" % (reason, cgroups.describe_limits(engine, controller_host))
    )
    return None, limits


def engine_socket(base_url, mounts):
    """(host path, path here) of the engine's unix socket, from the controller's bind mounts; else None.

    The guard mounts the same host path: it must reach the engine the controller reaches.
    """
    path = unix_socket_path(base_url)
    if path is None:
        return None
    best = None
    for mount in mounts:
        destination = (mount.get("Destination") or "").rstrip("/") or "/"
        if mount.get("Type") != "bind" or not mount.get("Source"):
            continue
        if path != destination and not path.startswith(destination.rstrip("/") + "/"):
            continue
        if best is None or len(destination) > len(best[1]):
            best = (mount["Source"], destination)
    if best is None:
        return None
    source, destination = best
    return source.rstrip("/") + path[len(destination.rstrip("/")) :], path


def _volume_names(client, controller, definition):
    """Reference name -> real volume name, for the named volumes mounted on the controller.

    A stack volume web_shared (or one labelled with its reference) is what a component means by
    'shared'; this lets per-task volume names work as in rycus86/podlike.
    """
    wanted = any(component.host_config.get("Mounts") for component in definition.all_components())
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
    if labels.get(LABEL_VOLUME_REF):
        return labels[LABEL_VOLUME_REF]
    namespace = labels.get(LABEL_STACK_NAMESPACE)
    if namespace and name.startswith(namespace + "_"):
        return name[len(namespace) + 1 :]
    return labels.get("com.docker.compose.volume")
