# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What a component may not ask for unless the operator allows it with the -allow-privileged flag.

The controller holds the engine's socket; a component that got the socket, the host's namespaces,
privileged mode, extra capabilities or devices could take over the node. The flag is a command-line
setting of the controller only, so a pod definition cannot allow itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock")
UNCONFINED = (
    "seccomp=unconfined",
    "seccomp:unconfined",
    "apparmor=unconfined",
    "apparmor:unconfined",
    "label=disable",
    "label:disable",
    "systempaths=unconfined",
)


def check(components, allow_privileged):
    """Raise SpecError naming the component and key of the first privilege asked for without leave."""
    if allow_privileged:
        return
    for component in components:
        for key, reason in privileges(component.definition):
            raise SpecError(
                "%s; start the controller with -allow-privileged to permit it" % reason,
                component=component.name,
                key=key,
            )


def privileges(definition):
    """(key, reason) for every privilege a component definition asks for."""
    found = []
    if definition.get("privileged") in (True, "true", "yes", "True"):
        found.append(("privileged", "privileged mode is not allowed"))
    if definition.get("cap_add"):
        found.append(("cap_add", "extra capabilities are not allowed"))
    if definition.get("devices") or definition.get("device_cgroup_rules"):
        key = "devices" if definition.get("devices") else "device_cgroup_rules"
        found.append((key, "host devices are not allowed"))
    if str(definition.get("userns_mode", "")).lower() == "host":
        found.append(("userns_mode", "the host's user namespace is not allowed"))
    for option in definition.get("security_opt") or []:
        if str(option).replace(" ", "").lower() in UNCONFINED:
            found.append(("security_opt", "%s is not allowed" % option))
    for volume in definition.get("volumes") or []:
        source = volume.split(":")[0] if isinstance(volume, str) else str((volume or {}).get("source", ""))
        if source.rstrip("/") in SOCKET_PATHS or source.rstrip("/") in ("/run", "/var/run"):
            found.append(("volumes", "mounting the Docker socket (%s) is not allowed" % source))
    return found


def check_volume_sharing(controller_mounts, share_volumes, allow_privileged):
    """Sharing every controller mount would hand the components the controller's Docker socket."""
    if not share_volumes or allow_privileged:
        return
    for mount in controller_mounts:
        if (mount.get("Destination") or "").rstrip("/") in SOCKET_PATHS:
            raise SpecError(
                "sharing the controller's volumes would give every component its Docker socket (%s); "
                "start the controller with -allow-privileged to permit it" % mount["Destination"],
                key="pod.controller.volumes",
            )
