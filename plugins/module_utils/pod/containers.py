# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The Docker create body of a component: its own settings joined to the pod's namespaces."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_COMPONENT,
    LABEL_CONTROLLER_ID,
    LABEL_POD,
    LABEL_ROLE,
    LABEL_SERVICE_NAME,
    LABEL_STACK,
    LABEL_STACK_NAMESPACE,
    NAME_SEPARATOR,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.cgroups import apply_limits
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import UNRESTRICTED
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import normalize_capability

# The characters of a PODLIKE_* variable's name after the prefix.
_POD_VARIABLE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
# The guard's program, run from the controller's image (the same path inside it).
GUARD_PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guard.py")
GUARD_MEMORY = 64 * 1024 * 1024

# Containers of the pod beside its components; component names cannot start with "_".
INFRA = "_infra"
GUARD = "_guard"

# Swarm labels of the controller task, offered to components as environment variables.
_DOWNWARD_LABELS = (
    ("com.docker.swarm.task.id", "PODLIKE_TASK_ID"),
    ("com.docker.swarm.task.name", "PODLIKE_TASK_NAME"),
    ("com.docker.swarm.node.id", "PODLIKE_NODE_ID"),
    (LABEL_SERVICE_NAME, "PODLIKE_SERVICE_NAME"),
    (LABEL_STACK_NAMESPACE, "PODLIKE_STACK"),
)


class PodContext:
    """What every component of one pod shares: the controller and the namespaces to join."""

    def __init__(
        self,
        controller,
        settings,
        cgroup_parent=None,
        infra_id=None,
        volume_names=None,
        component_limits=None,
        shared_mounts=None,
        engine_socket=None,
        sweeper=None,
        lone_component=False,
        files=UNRESTRICTED,
        leftovers=None,
    ):
        self.controller = controller
        self.controller_id = controller["Id"]
        self.pod_name = controller["Name"].lstrip("/")
        self.labels = controller.get("Config", {}).get("Labels") or {}
        self.settings = settings
        self.cgroup_parent = cgroup_parent
        self.infra_id = infra_id
        self.volume_names = volume_names or {}
        # Each component's share of the pod's limits where it does not live under the controller's cgroup.
        self.component_limits = component_limits
        # -volumes: the controller's mounts that components get, the engine's socket left out.
        self.shared_mounts = shared_mounts or []
        # (source on the host, path in the controller) of the engine's unix socket, for the guard.
        self.engine_socket = engine_socket
        # The node sweeper that removes what a killed controller leaves, when it stands in for the pod's guard.
        self.sweeper = sweeper
        # The pod has one component and no init component: it shares its PID and IPC namespaces with nobody.
        self.lone_component = lone_component
        # What of the controller's filesystem the definition may read (env_file): see controller_files.
        self.files = files
        # The containers labelled with a controller ID when this one started (None: not looked for).
        self.leftovers = leftovers

    @property
    def needs_infra(self):
        """An infra container holds the PID and IPC namespaces the components share; a lone component needs none."""
        return bool(self.settings.pids or self.settings.ipc) and not self.lone_component

    def container_name(self, component_name):
        return self.pod_name + NAME_SEPARATOR + component_name

    def own_labels(self, component_name, role):
        labels = {
            LABEL_POD: self.pod_name,
            LABEL_CONTROLLER_ID: self.controller_id,
            LABEL_COMPONENT: component_name,
            LABEL_ROLE: role,
        }
        if self.labels.get(LABEL_STACK_NAMESPACE):
            labels[LABEL_STACK] = self.labels[LABEL_STACK_NAMESPACE]
        return labels

    def join(self, host):
        """Set the namespace, cgroup and clean-up settings shared by every component of the pod.

        The network is the controller's (it is the Swarm task); PID and IPC namespaces are the infra's,
        so that no component sees the controller's processes, their files or their engine socket.
        """
        host["NetworkMode"] = "container:" + self.controller_id
        if self.infra_id and self.settings.pids:
            host["PidMode"] = "container:" + self.infra_id
        if self.infra_id and self.settings.ipc:
            host["IpcMode"] = "container:" + self.infra_id
        if self.lone_component and self.settings.pids and "Init" not in host:
            # In an infra's namespace the engine's init is PID 1; a lone component gets it too, so that its process
            # is not PID 1, which ignores the signals it has no handler for (a stop would wait for the SIGKILL).
            host["Init"] = True
        if self.cgroup_parent:
            host["CgroupParent"] = self.cgroup_parent
        host["AutoRemove"] = True
        _drop_raw_sockets(host)
        return host


def _drop_raw_sockets(host):
    """Take NET_RAW, which the engine grants by default, from a component that did not ask for it.

    In the shared network namespace a raw or packet socket reads the traffic of every member, the controller's
    included (and forges it); Kubernetes' baseline leaves NET_RAW out too.
    """
    added = set(normalize_capability(name) for name in host.get("CapAdd") or [])
    dropped = set(normalize_capability(name) for name in host.get("CapDrop") or [])
    if not added & {"NET_RAW", "ALL"} and not dropped & {"NET_RAW", "ALL"}:
        host["CapDrop"] = list(host.get("CapDrop") or []) + ["NET_RAW"]


def create_body(component, pod, read_file=None, warn=None):
    """The body of POST /containers/create for one component."""
    warn = warn or (lambda message: None)
    config, host = component.container_settings()
    labels = dict(config.get("Labels") or {})
    labels.update(pod.own_labels(component.name, "init" if component.init else "component"))
    config["Labels"] = labels
    config["Env"] = environment(component, pod, read_file)
    if host.get("Mounts"):
        host["Mounts"] = [_named_volume(mount, pod.volume_names) for mount in host["Mounts"]]
    pod.join(host)
    if pod.settings.volumes:
        own_targets = set(mount.get("Target") for mount in host.get("Mounts") or []) | set(host.get("Tmpfs") or {})
        shared = [mount for mount in pod.shared_mounts if mount["Target"] not in own_targets]
        if shared:
            host["Mounts"] = (host.get("Mounts") or []) + shared
    _limits(component, pod, host, warn)
    config["HostConfig"] = host
    return config


def infra_body(pod, image):
    """The pod's infra container: it holds the PID and IPC namespaces and lives as long as the controller.

    Its process reads its stdin, which the controller keeps attached: when the controller ends, even by
    SIGKILL, the engine closes that stdin, the infra exits and the kernel ends every process of its PID
    namespace. The engine's init reaps the components' orphans. Nothing else: no mounts, no capabilities,
    nobody's user. A Swarm task cannot have a shareable IPC namespace, hence a container.
    """
    host = {
        # The controller's network namespace costs nothing to join; a new one (none) adds ~0.2 s to the start.
        "NetworkMode": "container:" + pod.controller_id,
        "IpcMode": "shareable" if pod.settings.ipc else "private",
        "Init": True,
        "CapDrop": ["ALL"],
        "SecurityOpt": ["no-new-privileges"],
        "ReadonlyRootfs": True,
        "AutoRemove": True,
    }
    if pod.cgroup_parent:
        host["CgroupParent"] = pod.cgroup_parent
    return {
        "Image": image,
        "User": "65534:65534",
        "Entrypoint": ["head", "-c", "1"],
        "Cmd": [],
        "AttachStdin": True,
        "OpenStdin": True,
        "StdinOnce": True,
        "Healthcheck": {"Test": ["NONE"]},
        "Labels": pod.own_labels(INFRA, "infra"),
        "HostConfig": host,
    }


def guard_body(pod, image):
    """The pod's guard: outside the pod's namespaces, it removes what the controller made once it ends.

    It holds the engine's socket, so it shares nothing with the components: its own PID, IPC and mount
    namespaces, no capabilities. See guard.py for what it runs.
    """
    source, target = pod.engine_socket
    return {
        "Image": image,
        "Entrypoint": ["python3", "-I", "-S", GUARD_PROGRAM],
        "Cmd": [pod.controller_id, target],
        "User": "0:0",
        "Healthcheck": {"Test": ["NONE"]},
        "Labels": pod.own_labels(GUARD, "guard"),
        "HostConfig": {
            # It opens no connection. Not the controller's network: its start must not depend on the
            # controller still running. Not a network of its own (none): that adds ~0.15 s of engine work.
            "NetworkMode": "host",
            "IpcMode": "private",
            "Mounts": [{"Type": "bind", "Source": source, "Target": target, "ReadOnly": True}],
            "CapDrop": ["ALL"],
            "SecurityOpt": ["no-new-privileges"],
            "ReadonlyRootfs": True,
            "Memory": GUARD_MEMORY,
            "PidsLimit": 8,
            "AutoRemove": True,
        },
    }


def environment(component, pod, read_file=None):
    """env_file, then environment, then the pod's identity (PODLIKE_*) as KEY=VALUE strings."""
    values = {}
    read_file = read_file or (lambda path: pod.files.read_text(path, component.name, "env_file"))
    for path in component.env_files:
        values.update(read_env_file(path, component.name, read_file))
    values.update(component.environment)
    identity = pod_identity(pod)
    identity["PODLIKE_COMPONENT_NAME"] = component.name
    for name, value in values.items():
        values[name] = expand_pod_variables(value, identity)
    values.update(identity)
    return ["%s=%s" % item for item in values.items()]


def expand_pod_variables(value, identity):
    """$(PODLIKE_POD_NAME) in value replaced by the pod's own value, as Kubernetes' dependent variables.

    Unknown names stay as written. Without re: the running controller, which creates a component again when it
    restarts, does not load it (0.3 MB with enum).
    """
    pieces = value.split("$(")
    expanded = [pieces[0]]
    for piece in pieces[1:]:
        name, closed, rest = piece.partition(")")
        if closed and name.startswith("PODLIKE_") and name[8:] and _POD_VARIABLE_CHARACTERS.issuperset(name[8:]):
            expanded.append(identity.get(name, "$(" + name + ")") + rest)
        else:
            expanded.append("$(" + piece)
    return "".join(expanded)


def pod_identity(pod):
    """The PODLIKE_* variables every component gets: the pod's name, address, node and Swarm task."""
    identity = {"PODLIKE_POD_NAME": pod.pod_name, "PODLIKE_CONTROLLER_ID": pod.controller_id}
    for label, variable in _DOWNWARD_LABELS:
        if pod.labels.get(label):
            identity[variable] = pod.labels[label]
    networks = (pod.controller.get("NetworkSettings") or {}).get("Networks") or {}
    addresses = [networks[name].get("IPAddress") for name in sorted(networks) if name != "ingress"]
    addresses = [address for address in addresses if address]
    if addresses:
        identity["PODLIKE_POD_IP"] = addresses[0]
    # Under Swarm the service sets it from the {{.Node.Hostname}} template; the controller passes it on.
    controller_env = (pod.controller.get("Config") or {}).get("Env") or []
    for item in controller_env:
        if item.startswith("PODLIKE_NODE_NAME="):
            identity["PODLIKE_NODE_NAME"] = item.split("=", 1)[1]
    return identity


def read_env_file(path, component_name, read_file):
    try:
        text = read_file(path)
    except (IOError, OSError) as exc:
        raise SpecError("cannot read %s: %s" % (path, exc.strerror or exc), component=component_name, key="env_file")
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value
    return values


def _named_volume(mount, volume_names):
    if mount.get("Type") == "volume" and mount.get("Source") in volume_names:
        mount = dict(mount, Source=volume_names[mount["Source"]])
    return mount


def _limits(component, pod, host, warn):
    """Components run under the pod's limits: memory is capped by the controller's; OOM hits them first."""
    controller_host = pod.controller.get("HostConfig") or {}
    pod_memory = controller_host.get("Memory") or 0
    if pod_memory:
        asked = host.get("Memory") or 0
        if asked > pod_memory:
            warn(
                "component \"%s\": mem_limit %d is above the pod's %d bytes; using the pod's"
                % (component.name, asked, pod_memory)
            )
        host["Memory"] = min(asked, pod_memory) if asked else pod_memory
        if host.get("MemorySwap") and host["MemorySwap"] != -1 and host["MemorySwap"] < host["Memory"]:
            host.pop("MemorySwap")
    pod_cpus = controller_host.get("NanoCpus") or 0
    if pod_cpus and (host.get("NanoCpus") or 0) > pod_cpus:
        warn(
            "component \"%s\": cpus %.2f is above the pod's %.2f; the pod's cgroup caps it"
            % (component.name, host["NanoCpus"] / 1e9, pod_cpus / 1e9)
        )
    if pod.component_limits is not None:
        apply_limits(host, pod.component_limits.get(component.name))
    controller_oom = controller_host.get("OomScoreAdj") or 0
    if "OomScoreAdj" not in host:
        host["OomScoreAdj"] = min(controller_oom + 1, 1000)
