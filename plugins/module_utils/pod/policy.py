# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What a component may ask the engine for: one policy on the container settings the engine will get.

The controller holds the engine's socket, so a pod definition (labels, a Compose file, templates) must not
reach the host through its components. The policy decides on the translated settings (the create body's
Config and HostConfig), not on label text, by allow lists modelled on Kubernetes' baseline Pod Security
Standard: a field or value it does not know is refused. The operator widens it with command-line flags only:
-allow-privileged (everything) and -allow-host-path PREFIX (bind mounts under PREFIX).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import stat

from ansible_collections.podlike.swarm.plugins.module_utils.constants import DOCKER_SOCKET
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import unix_socket_path
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import under
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import compose_key
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import normalize_capability, shell_words

PRIVILEGED = "-allow-privileged"

# Kubernetes baseline: capabilities a container may add.
SAFE_CAPABILITIES = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)
# Kubernetes' safe sysctls: namespaced, and unable to affect other containers or the node.
SAFE_SYSCTLS = frozenset(
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ]
)
# Log drivers that keep output on the node; the others make the engine send it to an address.
LOCAL_LOG_DRIVERS = ("json-file", "local", "journald", "none")
# Engine sockets: a container that reaches one of them controls the node.
ENGINE_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
# Directories of the engine's other sockets: containerd's (its own, or the one dockerd starts), Swarm's control
# socket, plugins, metrics. Whatever is in them or above them is out of reach, whatever the prefixes allowed.
ENGINE_DIRECTORIES = ("/var/run/docker", "/run/docker", "/var/run/containerd", "/run/containerd")
# A rootless engine's sockets: /run/user/<uid>/docker.sock, its runtime directories docker/ and containerd/.
ROOTLESS_RUNTIME = "/run/user"
ROOTLESS_NAMES = ("docker", "containerd")
# Host trees whose files reach every process or device of the node, even under an allowed prefix.
KERNEL_TREES = ("/proc", "/sys", "/dev")
# Network file systems a local volume may mount: remote data, not the node's.
NETWORK_VOLUME_TYPES = ("nfs", "nfs4", "cifs", "smb")

CONFIG_FIELDS = frozenset(
    ["Image", "Entrypoint", "Cmd", "WorkingDir", "User", "StopSignal", "Tty", "OpenStdin", "StopTimeout"]
    + ["Healthcheck", "Labels", "Env"]
)
# HostConfig fields that only limit the container itself.
LIMIT_FIELDS = frozenset(
    [
        "CapDrop",
        "GroupAdd",
        "ReadonlyRootfs",
        "Init",
        "CpuShares",
        "CpuPeriod",
        "CpuQuota",
        "CpuCount",
        "CpuPercent",
        "NanoCpus",
        "CpusetCpus",
        "MemorySwappiness",
        "PidsLimit",
        "Memory",
        "MemorySwap",
        "MemoryReservation",
        "ShmSize",
        "BlkioWeight",
        "BlkioWeightDevice",
        "BlkioDeviceReadBps",
        "BlkioDeviceWriteBps",
        "BlkioDeviceReadIOps",
        "BlkioDeviceWriteIOps",
    ]
)
# Options of a tmpfs mount: its size, mode and owner, and the flags that only restrict or time it.
TMPFS_OPTIONS = frozenset(
    "size mode uid gid nr_inodes nr_blocks mpol huge ro rw exec noexec suid nosuid dev nodev "
    "atime noatime relatime norelatime strictatime nostrictatime diratime nodiratime sync async".split()
)
MOUNT_FIELDS = frozenset(
    ["Type", "Source", "Target", "ReadOnly", "BindOptions", "VolumeOptions", "TmpfsOptions", "Consistency"]
)


class Allowances:
    """What the operator allowed on the controller's command line."""

    def __init__(self, privileged=False, host_paths=(), default_runtime="runc", engine_sockets=()):
        self.privileged = privileged
        self.host_paths = tuple(normalize_path(path) for path in host_paths)
        # Host paths of the socket the controller was given, wherever the operator keeps it.
        self.engine_sockets = tuple(path for path in (normalize_path(p) for p in engine_sockets) if path)
        # The engine's default runtime, or a function asking the engine for it (called only if a component names one).
        self._default_runtime = default_runtime

    @classmethod
    def from_settings(cls, settings, default_runtime="runc", engine_sockets=()):
        return cls(settings.allow_privileged, settings.allow_host_path, default_runtime, engine_sockets)

    @property
    def default_runtime(self):
        if callable(self._default_runtime):
            self._default_runtime = self._default_runtime() or "runc"
        return self._default_runtime


class Refusal:
    """One thing a component asked for without leave: the Compose key, why, and the flag that allows it."""

    def __init__(self, key, reason, remedy=PRIVILEGED):
        self.key = key
        self.reason = reason
        self.remedy = remedy

    def error(self, component_name):
        return SpecError(
            "%s; start the controller with %s to permit it" % (self.reason, self.remedy),
            component=component_name,
            key=self.key,
        )

    def __repr__(self):
        return "Refusal(%r, %r)" % (self.key, self.reason)


def check_pod(components, allowances, inspect_volume=None):
    """Check every component's container settings, as translated for the engine, before anything is created."""
    for component in components:
        config, host = component.container_settings()
        config["HostConfig"] = host
        check(component.name, config, allowances, inspect_volume)


def allowances_from_command(command):
    """The Allowances a controller started with this command (a string or a list) gets; flags only."""
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags

    try:
        flags = parse_flags(shell_words(command) or [])
    except (SpecError, ValueError):
        flags = {}
    return Allowances(flags.get("allow-privileged", False), flags.get("allow-host-path", ()))


def check(component_name, config, allowances, inspect_volume=None):
    """Raise SpecError (one line naming the component and key) for the first refusal of a create body."""
    found = refusals(config, allowances, inspect_volume)
    if found:
        raise found[0].error(component_name)


def refusals(config, allowances, inspect_volume=None):
    """Every Refusal for a create body (Config with its HostConfig), given the operator's allowances.

    inspect_volume(name) returns the engine's inspect of a named volume, or None when it does not exist
    (the engine then creates a plain local one); without it, named volumes are not looked into.
    """
    found = []
    for field in sorted(config):
        if field == "HostConfig":
            continue
        if field not in CONFIG_FIELDS:
            found.append(Refusal(field, "the container setting %s is not allowed in a component" % field))
    host = config.get("HostConfig") or {}
    for field in sorted(host):
        value = host[field]
        if field in LIMIT_FIELDS:
            continue
        rule = _HOST_RULES.get(field)
        if rule is None:
            if _empty(value):
                continue
            found.append(Refusal(compose_key(field), "the host setting %s is not allowed in a component" % field))
            continue
        found.extend(rule(field, value, allowances, inspect_volume))
    return [] if allowances.privileged else found


def normalize_path(path):
    """An absolute path with repeated slashes, '.' and '..' resolved as the kernel would; None if relative."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    return "/" + posixpath.normpath(path).lstrip("/")


def socket_reachable(path, engine_sockets=()):
    """The engine socket (or directory of sockets) a normalized host path reaches: it, in it, or above it; else None."""
    for socket in ENGINE_SOCKETS + tuple(engine_sockets):
        if under(socket, path):
            return socket
    for directory in ENGINE_DIRECTORIES:
        if under(path, directory) or under(directory, path):
            return directory
    run_path = "/run" + path[len("/var/run") :] if under(path, "/var/run") else path
    if under(run_path, ROOTLESS_RUNTIME):
        parts = run_path.split("/")  # ['', 'run', 'user', uid, name, ...]
        if len(parts) <= 4 or parts[4].startswith(ROOTLESS_NAMES):
            return "/".join(parts[:4] + ["docker.sock"]) if len(parts) >= 4 else ROOTLESS_RUNTIME
    return None


def _socket_phrase(found):
    if found in ENGINE_DIRECTORIES:
        return "the engine's sockets in %s are" % found
    return "the engine socket %s is" % found


def host_path_refusals(key, source, allowances):
    """A bind of a host path: allowed under an operator's prefix, never the socket or /proc, /sys, /dev."""
    path = normalize_path(source)
    if path is None:
        return [Refusal(key, "host path %r is not absolute" % (source,))]
    socket = socket_reachable(path, allowances.engine_sockets)
    if socket:
        return [Refusal(key, "%s reachable through host path %s" % (_socket_phrase(socket), path))]
    if ".." in source.split("/"):
        # The engine resolves '..' on the host, after symbolic links (/var/run/../etc is /etc there).
        return [Refusal(key, "host path %s steps back with '..'" % source)]
    for tree in KERNEL_TREES:
        if under(path, tree) or under(tree, path):
            return [Refusal(key, "host path %s reaches the node's %s" % (path, tree))]
    if any(under(path, prefix) for prefix in allowances.host_paths):
        return []
    return [Refusal(key, "host path %s is not allowed" % path, remedy="-allow-host-path %s" % path)]


def volume_refusals(key, name, allowances, inspect_volume):
    """A named volume is the component's own data, unless its driver mounts something of the node."""
    if inspect_volume is None or not name:
        return []
    volume = inspect_volume(name)
    if not volume:
        return []
    driver = volume.get("Driver") or "local"
    if driver != "local":
        return [Refusal(key, "volume %s uses the %s driver, which may mount host paths" % (name, driver))]
    options = volume.get("Options") or {}
    mount_options = [option.strip() for option in str(options.get("o") or "").split(",")]
    device = options.get("device")
    if "bind" in mount_options or "rbind" in mount_options:
        return host_path_refusals(key, str(device or ""), allowances)
    kind = str(options.get("type") or "")
    if not device or kind == "tmpfs" or kind in NETWORK_VOLUME_TYPES:
        return []
    return [Refusal(key, "volume %s mounts the node's device %s" % (name, device))]


def _mounts(field, mounts, allowances, inspect_volume):
    found = []
    for mount in mounts or []:
        kind = mount.get("Type")
        source = mount.get("Source")
        extra = sorted(set(mount) - MOUNT_FIELDS)
        if extra:
            found.append(Refusal("volumes", "mount field(s) %s are not allowed" % ", ".join(extra)))
        if kind == "bind" or (kind == "volume" and str(source or "").startswith("/")):
            found.extend(host_path_refusals("volumes", source, allowances))
            propagation = (mount.get("BindOptions") or {}).get("Propagation") or ""
            if propagation.lstrip("r") == "shared":
                found.append(Refusal("volumes", "bind propagation %s shares mounts with the node" % propagation))
        elif kind == "volume":
            if (mount.get("VolumeOptions") or {}).get("DriverConfig"):
                found.append(Refusal("volumes", "volume driver options are not allowed in a component"))
            found.extend(volume_refusals("volumes", source, allowances, inspect_volume))
        elif kind == "tmpfs":
            extra = sorted(set(mount.get("TmpfsOptions") or {}) - {"SizeBytes", "Mode"})
            if extra:
                found.append(Refusal("volumes", "tmpfs option(s) %s are not allowed" % ", ".join(extra)))
        else:
            found.append(Refusal("volumes", "mount type %r is not allowed" % (kind,)))
    return found


def _binds(field, binds, allowances, inspect_volume):
    found = []
    for bind in binds or []:
        source = str(bind).split(":", 1)[0]
        if source.startswith("/"):
            found.extend(host_path_refusals("volumes", source, allowances))
        else:
            found.extend(volume_refusals("volumes", source, allowances, inspect_volume))
    return found


def check_engine_reach(base_url, tls, allowances):
    """Refuse an engine reached over TCP without a TLS client certificate, unless the operator allowed privileges.

    The components share the controller's network namespace: whatever address it reaches the engine at, they
    reach too; only a client certificate, in the controller's own files, keeps the engine the controller's.
    """
    if unix_socket_path(base_url) is not None or allowances.privileged:
        return
    if (tls or {}).get("client_cert"):
        return
    raise SpecError(
        "the engine at %s is reached without a TLS client certificate, and every component shares this network "
        "namespace: mount the engine's socket, or give DOCKER_CERT_PATH and DOCKER_TLS_VERIFY; "
        "start the controller with -allow-privileged to permit it" % base_url,
        key="DOCKER_HOST",
    )


def check_named_volumes(component_name, host_config, allowances, inspect_volume):
    """The volume rows again, for a component's own named volumes as the engine has them now (a restart's check).

    A volume the component names may be made, or made again, after the start's check: by the engine when the
    component is first created, by anyone with the engine's API while the component is down.
    """
    mounts = dict((field, host_config[field]) for field in ("Mounts", "Binds") if host_config.get(field))
    check(component_name, {"HostConfig": mounts}, allowances, inspect_volume)


def _capabilities(field, names, allowances, inspect_volume):
    found = []
    for name in names or []:
        capability = normalize_capability(name)
        if capability not in SAFE_CAPABILITIES:
            found.append(Refusal("cap_add", "capability %s is outside the baseline set" % capability))
    return found


def _security_options(field, options, allowances, inspect_volume):
    found = []
    for option in options or []:
        text = str(option).strip()
        name, _sep, value = text.replace(":", "=", 1).partition("=")
        if name.strip().lower() == "no-new-privileges" and value.strip().lower() in ("", "true"):
            continue
        # no-new-privileges=false too: it undoes the engine's no-new-privileges default for the component.
        found.append(Refusal("security_opt", "security option %s is not allowed" % text))
    return found


def _ulimits(field, ulimits, allowances, inspect_volume):
    """Every limit but rtprio: with it, a process may take real-time priority, which no CPU limit bounds."""
    found = []
    for ulimit in ulimits or []:
        name = str(ulimit.get("Name") or "").strip().lower()
        if name == "rtprio" and (ulimit.get("Soft") or ulimit.get("Hard")):
            found.append(
                Refusal("ulimits", "ulimit rtprio lets the component take real-time priority and starve the node")
            )
    return found


def _tmpfs(field, mounts, allowances, inspect_volume):
    """tmpfs mount options: sizes, modes, owners and the plain flags; no bind or propagation flag."""
    found = []
    for target in sorted(mounts or {}):
        for option in str(mounts[target] or "").split(","):
            name = option.strip().split("=", 1)[0].lower()
            if name and name not in TMPFS_OPTIONS:
                found.append(Refusal("tmpfs", "tmpfs option %s (%s) is not allowed" % (option.strip(), target)))
    return found


def _sysctls(field, sysctls, allowances, inspect_volume):
    found = []
    for name in sorted(sysctls or {}):
        if str(name).strip().replace("/", ".") not in SAFE_SYSCTLS:
            found.append(Refusal("sysctls", "sysctl %s is outside the safe set" % name))
    return found


def _log_config(field, log_config, allowances, inspect_volume):
    driver = str((log_config or {}).get("Type") or "")
    if driver and driver not in LOCAL_LOG_DRIVERS:
        return [Refusal("logging", "log driver %s sends output off the node" % driver)]
    return []


def _storage_options(field, options, allowances, inspect_volume):
    unknown = sorted(set(options or {}) - {"size"})
    if unknown:
        return [Refusal("storage_opt", "storage option(s) %s are not allowed" % ", ".join(unknown))]
    return []


def _runtime(field, runtime, allowances, inspect_volume):
    if runtime and runtime != allowances.default_runtime:
        return [Refusal("runtime", "runtime %s is not the engine's default" % runtime)]
    return []


def _isolation(field, isolation, allowances, inspect_volume):
    if isolation and isolation != "default":
        return [Refusal("isolation", "isolation %s is not allowed" % isolation)]
    return []


def _must_be_false(reason):
    def rule(field, value, allowances, inspect_volume):
        return [Refusal(compose_key(field), reason)] if value else []

    return rule


def _must_be_empty(reason):
    def rule(field, value, allowances, inspect_volume):
        return [] if _empty(value) else [Refusal(compose_key(field), reason % (value,))]

    return rule


def _oom_score(field, value, allowances, inspect_volume):
    if value and value < 0:
        return [Refusal("oom_score_adj", "a negative OOM score makes the node kill its other processes first")]
    return []


def _empty(value):
    return value is None or value == "" or value == [] or value == {} or value is False or value == 0


_NAMESPACE = "the namespace setting %s=%%r joins the host's or another container's namespace"
_HOST_RULES = {
    "Mounts": _mounts,
    "Binds": _binds,
    "CapAdd": _capabilities,
    "SecurityOpt": _security_options,
    "Sysctls": _sysctls,
    "LogConfig": _log_config,
    "StorageOpt": _storage_options,
    "Runtime": _runtime,
    "Isolation": _isolation,
    "OomScoreAdj": _oom_score,
    "Ulimits": _ulimits,
    "Tmpfs": _tmpfs,
    "Privileged": _must_be_false("privileged mode is not allowed"),
    "OomKillDisable": _must_be_false("disabling the OOM killer lets the component exhaust the node's memory"),
    "CpuRealtimePeriod": _must_be_false("real-time scheduling can starve the node"),
    "CpuRealtimeRuntime": _must_be_false("real-time scheduling can starve the node"),
    "Devices": _must_be_empty("host devices are not allowed (%r)"),
    "DeviceCgroupRules": _must_be_empty("device cgroup rules are not allowed (%r)"),
    "DeviceRequests": _must_be_empty("device requests are not allowed (%r)"),
    "VolumesFrom": _must_be_empty("mounting another container's volumes is not allowed (%r)"),
    "CgroupParent": _must_be_empty("choosing the cgroup parent (%r) is not allowed"),
    "UsernsMode": _must_be_empty(_NAMESPACE % "UsernsMode"),
    "NetworkMode": _must_be_empty(_NAMESPACE % "NetworkMode"),
    "PidMode": _must_be_empty(_NAMESPACE % "PidMode"),
    "IpcMode": _must_be_empty(_NAMESPACE % "IpcMode"),
    "UTSMode": _must_be_empty(_NAMESPACE % "UTSMode"),
    "CgroupnsMode": _must_be_empty(_NAMESPACE % "CgroupnsMode"),
    "Cgroup": _must_be_empty(_NAMESPACE % "Cgroup"),
}


def shared_controller_mounts(
    controller_mounts, socket_path=None, allowances=None, inspect_volume=None, credentials=(), mount_points=None
):
    """(mounts, excluded) for -volumes: the controller's mounts as Mounts, and (destination, reason) of those left out.

    Never shared, leave or not: a mount through which the engine's socket is reachable - its destination is the
    socket the controller uses or a directory holding it (the same device and inode directly inside, or the
    socket's path under it), or its host source (a bind's, or the path a local volume binds) reaches an engine
    socket. A mount nested inside another (the socket bound into a shared /var/run volume) is judged on its own:
    the volume below holds only an empty mount point.
    Not shared without -allow-privileged: a mount holding the controller's credentials (credentials: their resolved
    paths here), a bind of the kernel's trees, a volume of another driver than local or mounting a device.
    inspect_volume(name): the engine's inspect of a named volume, or None. mount_points: every mount point here
    (/proc/self/mountinfo), to tell the mount a credential lies on (default: the controller's mounts).
    """
    allowances = allowances or Allowances()
    socket_path = socket_path or unix_socket_path() or DOCKER_SOCKET
    socket_id = _file_id(socket_path)
    destinations = set(normalize_path(mount.get("Destination") or "") for mount in controller_mounts or [])
    held = _credentials_held(controller_mounts, credentials, socket_path, mount_points)
    shared, excluded = [], []
    for mount in controller_mounts or []:
        destination = mount.get("Destination") or ""
        kind = mount.get("Type")
        if kind not in ("bind", "volume"):
            continue
        volume = inspect_volume(mount.get("Name")) if kind == "volume" and inspect_volume else None
        reason = _unshared(mount, volume, socket_path, socket_id, destinations, allowances, held.get(destination))
        if reason:
            excluded.append((destination, reason))
            continue
        item = {"Type": kind, "Target": destination, "ReadOnly": not mount.get("RW", True)}
        item["Source"] = mount.get("Name") if kind == "volume" else mount.get("Source")
        shared.append(item)
    return shared, excluded


def _credentials_held(controller_mounts, credentials, socket_path, mount_points=None):
    """{destination: credential} of the controller's mounts that hold a credential that exists here.

    A credential lies on the deepest mount point above it: a Swarm secret or a bind on top of a volume's
    directory is its own mount, and the volume below holds none of it. A mount inside a credential's path holds
    that credential. The socket is left to the socket's rule.
    """
    by_point = {}
    for mount in controller_mounts or []:
        destination = mount.get("Destination") or ""
        by_point[os.path.realpath(destination)] = destination
        by_point.setdefault(normalize_path(destination) or "/", destination)
    points = list(mount_points) if mount_points is not None else list(by_point)
    sockets = set([normalize_path(socket_path), os.path.realpath(socket_path)])
    held = {}
    for credential in sorted(credentials):
        if credential in sockets:
            continue
        for point, destination in by_point.items():
            if under(point, credential) and point != credential:
                held.setdefault(destination, credential)
        if not os.path.lexists(credential):
            continue
        deepest = max((point for point in points if under(credential, point)), key=len, default=None)
        if deepest in by_point:
            held.setdefault(by_point[deepest], credential)
    return held


def _unshared(mount, volume, socket_path, socket_id, destinations, allowances, credential):
    """Why a controller mount is not shared with the components, or None; credential: one it holds, or None."""
    destination = mount.get("Destination") or ""
    host_source = _host_source(mount, volume)
    if _reaches_socket(destination, host_source, socket_path, socket_id, destinations, allowances):
        return "the engine's socket is reachable through it"
    if allowances.privileged:
        return None
    if credential:
        return "it holds %s, the controller's own credentials" % credential
    if host_source:
        refusals = host_path_refusals("volumes", host_source, Allowances(host_paths=["/"]))
        if refusals:
            return refusals[0].reason
    if volume:
        refusals = volume_refusals("volumes", mount.get("Name"), Allowances(host_paths=["/"]), lambda name: volume)
        if refusals:
            return refusals[0].reason
    return None


def _host_source(mount, volume):
    """The host path a mount shows: a bind's source, or the path a local volume binds; else None."""
    if mount.get("Type") == "bind":
        return mount.get("Source") or "/"
    options = (volume or {}).get("Options") or {}
    mount_options = [option.strip() for option in str(options.get("o") or "").split(",")]
    if (volume or {}).get("Driver", "local") == "local" and ("bind" in mount_options or "rbind" in mount_options):
        return str(options.get("device") or "/")
    return None


def _reaches_socket(destination, host_source, socket_path, socket_id, destinations, allowances):
    socket = normalize_path(socket_path)
    target = normalize_path(destination)
    if target is None or target == socket:
        return True
    if socket and under(socket, target) and socket not in destinations:
        return True
    if host_source is not None and socket_reachable(normalize_path(host_source) or "/", allowances.engine_sockets):
        return True
    if socket_id is None:
        return False
    if _file_id(destination) == socket_id:
        return True
    try:
        if not stat.S_ISDIR(os.stat(destination).st_mode):
            return False
        entries = [os.path.join(destination, entry) for entry in os.listdir(destination)]
    except OSError:
        return False
    return any(normalize_path(path) not in destinations and _file_id(path) == socket_id for path in entries)


def _file_id(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
