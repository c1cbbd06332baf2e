# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The component model: a Compose service definition parsed once into a typed, normalized Component.

Every Compose key a component may use is checked and translated here and nowhere else: the controller (labels
and pod.compose.file), the policy, the template renderer, podlike_pod and podlike_stack all read the result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_COPY_PREFIX, NAME_SEPARATOR
from ansible_collections.podlike.swarm.plugins.module_utils.pod.component import Component, RestartPolicy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.probes import parse_probes
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import (
    parse_bool,
    parse_duration,
    parse_size,
    shell_words,
)

# Labels a component may not set: the pod's own (who owns a container), a stack's and Swarm's (what a stack holds).
RESERVED_LABEL_PREFIXES = ("podlike.", "com.docker.stack.", "com.docker.swarm.", "com.docker.compose.")
# The engine copies a container's labels over the attributes of its events that it sets first (it sets `image`
# and `name` after): a label named as one of these would stand in for the exit code (or signal...) the pod acts on.
EVENT_ATTRIBUTES = frozenset(("exitCode", "execDuration", "execID", "signal"))

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NAME_CHARACTERS = _NAME_START | frozenset("_.-")

# Keys a component can never use, with what to do instead.
UNSUPPORTED_KEYS = {
    "build": "build the image beforehand and name it in 'image'",
    "cgroup_parent": "components always live in the pod's cgroup",
    "container_name": "component containers are named <pod>.podlike.<component>",
    "deploy": "set deploy options on the pod's service",
    "dns": "set it on the pod (components share its network namespace)",
    "dns_opt": "set it on the pod (components share its network namespace)",
    "dns_search": "set it on the pod (components share its network namespace)",
    "domainname": "set it on the pod (components share its UTS namespace)",
    "expose": "components share the pod's network: every port is reachable on localhost",
    "extends": "not supported in components",
    "external_links": "set networks on the pod",
    "extra_hosts": "set it on the pod (components share its /etc/hosts)",
    "hostname": "set it on the pod (components share its UTS namespace)",
    "ipc": "IPC sharing is a pod setting (pod.controller.ipc)",
    "links": "components reach each other on localhost",
    "mac_address": "set it on the pod",
    "network_mode": "components always join the pod's network namespace",
    "networks": "set networks on the pod's service",
    "pid": "PID sharing is a pod setting (pod.controller.pids)",
    "platform": "not supported in components",
    "ports": "publish ports on the pod's service",
    "scale": "scale the pod's service",
    "volume_driver": "declare the volume with its driver on the stack",
    "volumes_from": "volume sharing is a pod setting (pod.controller.volumes)",
    "secrets": "mount secrets on the pod and copy them with pod.copy.<component>",
    "configs": "mount configs on the pod and copy them with pod.copy.<component>",
}

_SCALAR_CONFIG = {
    "working_dir": "WorkingDir",
    "user": "User",
    "stop_signal": "StopSignal",
}
_BOOL_CONFIG = {"tty": "Tty", "stdin_open": "OpenStdin"}
_BOOL_HOST = {
    "privileged": "Privileged",
    "read_only": "ReadonlyRootfs",
    "oom_kill_disable": "OomKillDisable",
    "init": "Init",
}
_STRING_HOST = {"userns_mode": "UsernsMode", "runtime": "Runtime", "isolation": "Isolation", "cpuset": "CpusetCpus"}
_LIST_HOST = {
    "cap_add": "CapAdd",
    "cap_drop": "CapDrop",
    "group_add": "GroupAdd",
    "security_opt": "SecurityOpt",
    "device_cgroup_rules": "DeviceCgroupRules",
}
_INT_HOST = {
    "cpu_shares": "CpuShares",
    "cpu_period": "CpuPeriod",
    "cpu_quota": "CpuQuota",
    "cpu_rt_period": "CpuRealtimePeriod",
    "cpu_rt_runtime": "CpuRealtimeRuntime",
    "cpu_count": "CpuCount",
    "cpu_percent": "CpuPercent",
    "mem_swappiness": "MemorySwappiness",
    "pids_limit": "PidsLimit",
    "oom_score_adj": "OomScoreAdj",
}
_SIZE_HOST = {
    "mem_limit": "Memory",
    "memswap_limit": "MemorySwap",
    "mem_reservation": "MemoryReservation",
    "shm_size": "ShmSize",
}

# Keys handled by the pod itself rather than by the container settings.
_POD_KEYS = (
    "depends_on",
    "restart",
    "pull_policy",
    "post_start",
    "pre_stop",
    "startup_probe",
    "liveness_probe",
    "readiness_probe",
    "x-podlike-sidecar",
    "labels",
    "environment",
    "env_file",
)
PULL_POLICIES = ("always", "missing", "never", "if_not_present")

SUPPORTED_KEYS = frozenset(
    [
        "image",
        "entrypoint",
        "command",
        "volumes",
        "tmpfs",
        "healthcheck",
        "devices",
        "storage_opt",
        "sysctls",
        "ulimits",
        "logging",
        "cpus",
        "blkio_config",
        "stop_grace_period",
    ]
    + list(_SCALAR_CONFIG)
    + list(_BOOL_CONFIG)
    + list(_BOOL_HOST)
    + list(_STRING_HOST)
    + list(_LIST_HOST)
    + list(_INT_HOST)
    + list(_SIZE_HOST)
    + list(_POD_KEYS)
)

# HostConfig fields set from keys that are not in the tables above.
_HOST_FIELD_KEYS = {
    "NanoCpus": "cpus",
    "Mounts": "volumes",
    "Binds": "volumes",
    "Tmpfs": "tmpfs",
    "Devices": "devices",
    "StorageOpt": "storage_opt",
    "Sysctls": "sysctls",
    "Ulimits": "ulimits",
    "LogConfig": "logging",
    "VolumesFrom": "volumes_from",
    "NetworkMode": "network_mode",
    "PidMode": "pid",
    "IpcMode": "ipc",
    "UTSMode": "uts",
    "CgroupParent": "cgroup_parent",
    "CgroupnsMode": "cgroup",
}
for _table in (_BOOL_HOST, _STRING_HOST, _LIST_HOST, _INT_HOST, _SIZE_HOST):
    _HOST_FIELD_KEYS.update((field, key) for key, field in _table.items())

DEPENDENCY_CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")


def is_component_name(name):
    """A letter or digit, then letters, digits, '_', '.' and '-' (without `re`: see yaml_flat)."""
    return (
        isinstance(name, str)
        and bool(name)
        and name[0] in _NAME_START
        and set(name) <= _NAME_CHARACTERS
        and NAME_SEPARATOR not in "." + name + "."  # <pod>.podlike.<name> must not read as another pod's container
    )


def component_keys(name, definition, strict=True):
    """The definition's Compose keys after the key checks; SpecError for a refused or unknown key.

    strict refuses unsupported keys (labels, templates); a Compose file (strict=False) may carry keys that
    make sense for Compose only, and those are left out.
    """
    if not is_component_name(name):
        raise SpecError(
            "the name must start with a letter or digit, hold only letters, digits, '_', '.', '-', and no 'podlike'"
            " between dots",
            component=name,
        )
    if not isinstance(definition, dict):
        raise SpecError(
            "the definition must be a mapping of Compose service keys, got %s" % _type_name(definition), component=name
        )
    clean = {}
    for key, value in definition.items():
        if not isinstance(key, str):
            raise SpecError("keys must be strings", component=name, key=key)
        if key.startswith("x-") and key not in _POD_KEYS:
            continue
        if key in UNSUPPORTED_KEYS:
            if strict:
                raise SpecError("unsupported in a component: " + UNSUPPORTED_KEYS[key], component=name, key=key)
            continue
        if key not in SUPPORTED_KEYS:
            raise SpecError("unknown Compose key", component=name, key=key)
        clean[key] = value
    return clean


def parse_component(name, definition, init=False, strict=True, source="label"):
    """The Component of one Compose service definition; SpecError naming the component and key otherwise."""
    clean = component_keys(name, definition, strict)
    if not clean.get("image") or not isinstance(clean.get("image"), str):
        raise SpecError("an image is required", component=name, key="image")
    config, host_config = container_settings(name, clean)
    parsed = {
        "config": config,
        "host_config": host_config,
        "environment": _parsed(name, clean, "environment", key_values) or {},
        "env_files": _parsed(name, clean, "env_file", env_file_paths) or [],
        "depends_on": parse_depends_on(name, clean.get("depends_on")),
        "stop_grace_period": _parsed(name, clean, "stop_grace_period", parse_duration),
        "sidecar": bool(_parsed(name, clean, "x-podlike-sidecar", parse_bool)),
        "restart": parse_restart(name, clean.get("restart")),
        "post_start": parse_hook(name, clean, "post_start"),
        "pre_stop": parse_hook(name, clean, "pre_stop"),
        "probes": parse_probes(name, clean),
        "pull_policy": clean.get("pull_policy"),
    }
    if parsed["pull_policy"] is not None and parsed["pull_policy"] not in PULL_POLICIES:
        raise SpecError("must be one of %s" % ", ".join(PULL_POLICIES), component=name, key="pull_policy")
    return Component(name, clean, parsed, init=init, source=source)


def parse_restart(name, value):
    if value is None or value is False:
        return RestartPolicy()
    text = str(value).strip()
    mode, _sep, count = text.partition(":")
    if mode not in ("no", "on-failure", "always", "unless-stopped") or (count and mode != "on-failure"):
        raise SpecError("must be no, on-failure[:N], always or unless-stopped", component=name, key="restart")
    try:
        retries = int(count) if count else None
    except ValueError:
        raise SpecError("the retry count of on-failure must be a number", component=name, key="restart")
    return RestartPolicy(mode, retries)


def parse_hook(name, definition, key):
    """A lifecycle hook: a command (string or list), or a mapping with 'command'."""
    value = definition.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("command")
    try:
        command = shell_words(value)
    except ValueError as exc:
        raise SpecError(str(exc), component=name, key=key)
    if not command:
        raise SpecError("needs a command", component=name, key=key)
    return command


def parse_depends_on(name, value):
    """{dependency: condition} from the list or the mapping form of depends_on."""
    if value is None:
        return {}
    if isinstance(value, list):
        deps = {}
        for item in value:
            if not isinstance(item, str):
                raise SpecError("list items must be component names", component=name, key="depends_on")
            deps[item] = "service_started"
        return deps
    if isinstance(value, dict):
        deps = {}
        for dep, options in value.items():
            condition = "service_started"
            if options is not None:
                if not isinstance(options, dict):
                    raise SpecError("%s: expected a mapping with 'condition'" % dep, component=name, key="depends_on")
                condition = options.get("condition") or "service_started"
            if condition not in DEPENDENCY_CONDITIONS:
                raise SpecError(
                    "%s: condition must be one of %s" % (dep, ", ".join(DEPENDENCY_CONDITIONS)),
                    component=name,
                    key="depends_on",
                )
            deps[str(dep)] = condition
        return deps
    raise SpecError("expected a list or a mapping", component=name, key="depends_on")


def compose_key(host_field):
    """The Compose key a HostConfig field comes from (blkio_config for the Blkio* fields), else the field."""
    if host_field.startswith("Blkio"):
        return "blkio_config"
    return _HOST_FIELD_KEYS.get(host_field, host_field)


def container_settings(name, definition):
    """(config, host_config) for the Docker create call, from a component definition."""
    config = {}
    host = {}
    for key, value in definition.items():
        try:
            _translate(key, value, config, host)
        except SpecError:
            raise
        except (ValueError, TypeError, AttributeError) as exc:
            raise SpecError(str(exc) or "invalid value", component=name, key=key)
    return config, host


def _translate(key, value, config, host):
    if key == "image":
        config["Image"] = _string(value)
    elif key in ("entrypoint", "command"):
        config["Entrypoint" if key == "entrypoint" else "Cmd"] = shell_words(value)
    elif key in _FIELDS:
        in_host, field, converter = _FIELDS[key]
        (host if in_host else config)[field] = converter(value)
    elif key == "cpus":
        host["NanoCpus"] = _cpus(value)
    elif key == "stop_grace_period":
        seconds = parse_duration(value)
        if seconds > 0:
            config["StopTimeout"] = max(1, int(round(seconds)))
    elif key == "healthcheck":
        config["Healthcheck"] = healthcheck(value)
    elif key == "volumes":
        host["Mounts"] = [mount(item) for item in _list(value)]
    elif key == "tmpfs":
        host["Tmpfs"] = tmpfs(value)
    elif key == "devices":
        host["Devices"] = [device(item) for item in _list(value)]
    elif key == "storage_opt":
        host["StorageOpt"] = dict((str(k), _scalar_text(v)) for k, v in _mapping(value).items())
    elif key == "sysctls":
        host["Sysctls"] = key_values(value)
    elif key == "ulimits":
        host["Ulimits"] = ulimits(value)
    elif key == "logging":
        logging = _mapping(value)
        unknown = set(logging) - {"driver", "options"}
        if unknown:
            raise ValueError("unknown logging key(s): %s" % ", ".join(sorted(str(k) for k in unknown)))
        host["LogConfig"] = {
            "Type": _string(logging.get("driver", "json-file")),
            "Config": dict((str(k), _scalar_text(v)) for k, v in _mapping(logging.get("options") or {}).items()),
        }
    elif key == "blkio_config":
        host.update(blkio(value))
    elif key == "labels":
        config["Labels"] = key_values(value)
        for label in sorted(config["Labels"]):
            if label.strip().lower().startswith(RESERVED_LABEL_PREFIXES):
                raise ValueError(
                    "label %s is reserved: the pod, the engine and Swarm tell containers apart by the labels under %s"
                    % (label, ", ".join(RESERVED_LABEL_PREFIXES))
                )
            if label in EVENT_ATTRIBUTES:
                raise ValueError(
                    "label %s is reserved: the engine reports its own %s in the container's events" % (label, label)
                )
    # depends_on, restart, environment, env_file and x-podlike-* are read by the pod.


def healthcheck(value):
    """Docker's HealthConfig from a Compose healthcheck mapping."""
    spec = _mapping(value)
    if _bool(spec.get("disable", False)):
        return {"Test": ["NONE"]}
    result = {}
    test = spec.get("test")
    if isinstance(test, str):
        result["Test"] = ["CMD-SHELL", test]
    elif isinstance(test, list):
        result["Test"] = [_string(item) for item in test]
    elif test is not None:
        raise ValueError("test must be a string or a list")
    for key, field in (
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start_period", "StartPeriod"),
        ("start_interval", "StartInterval"),
    ):
        if spec.get(key) is not None:
            result[field] = int(parse_duration(spec[key]) * 1e9)
    if spec.get("retries") is not None:
        result["Retries"] = _int(spec["retries"])
    unknown = set(spec) - {"test", "interval", "timeout", "start_period", "start_interval", "retries", "disable"}
    if unknown:
        raise ValueError("unknown healthcheck key(s): %s" % ", ".join(sorted(unknown)))
    return result


# A short-syntax volume source starting with one of these is a host path (Compose's rule), else a volume name.
HOST_PATH_STARTS = ("/", ".", "~")


def short_volume(text):
    """The Compose long syntax of a short volume entry, source:target[:mode,...] or a bare target."""
    parts = _string(text).split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0]}
    if len(parts) > 3:
        raise ValueError("%r: expected source:target[:mode]" % text)
    source, target = parts[0], parts[1]
    modes = parts[2].split(",") if len(parts) == 3 else []
    entry = {"type": "bind" if source.startswith(HOST_PATH_STARTS) else "volume", "source": source, "target": target}
    if "ro" in modes:
        entry["read_only"] = True
    if entry["type"] == "volume" and "nocopy" in modes:
        entry["volume"] = {"nocopy": True}
    return entry


def mount(item):
    """A Docker Mount from the short (src:dst[:mode]) or the long volume syntax."""
    spec = short_volume(item) if isinstance(item, str) else _mapping(item)
    target = spec.get("target")
    if not target:
        raise ValueError("a volume needs a target")
    source = spec.get("source")
    kind = spec.get("type") or ("bind" if source and str(source).startswith(HOST_PATH_STARTS) else "volume")
    if kind not in ("bind", "volume", "tmpfs", "npipe"):
        raise ValueError("volume type %r is not one of bind, volume, tmpfs" % kind)
    unknown = set(spec) - {"type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"}
    if unknown:
        raise ValueError("unknown volume key(s): %s" % ", ".join(sorted(str(k) for k in unknown)))
    result = {"Type": kind, "Target": _string(target)}
    if source:
        result["Source"] = _string(source)
    if source or not isinstance(item, str):
        result["ReadOnly"] = _bool(spec.get("read_only", False))
    options = dict((name, _mapping(spec.get(name) or {})) for name in ("bind", "volume", "tmpfs"))
    if kind == "bind" and options["bind"].get("propagation"):
        result["BindOptions"] = {"Propagation": _string(options["bind"]["propagation"])}
    if kind == "volume" and options["volume"].get("nocopy") is not None:
        result["VolumeOptions"] = {"NoCopy": _bool(options["volume"]["nocopy"])}
    if kind == "tmpfs" and options["tmpfs"].get("size") is not None:
        result["TmpfsOptions"] = {"SizeBytes": parse_size(options["tmpfs"]["size"])}
    return result


def tmpfs(value):
    """{path: options} from a tmpfs string, list or mapping (path:opts is split at the first colon)."""
    if isinstance(value, dict):
        return dict((str(k), _scalar_text(v)) for k, v in value.items())
    result = {}
    for item in [value] if isinstance(value, str) else _list(value):
        path, _sep, options = _string(item).partition(":")
        result[path] = options
    return result


def device(item):
    if isinstance(item, dict):
        return {
            "PathOnHost": _string(item.get("source") or item.get("path_on_host")),
            "PathInContainer": _string(item.get("target") or item.get("source")),
            "CgroupPermissions": _string(item.get("permissions", "rwm")),
        }
    parts = _string(item).split(":")
    return {
        "PathOnHost": parts[0],
        "PathInContainer": parts[1] if len(parts) > 1 else parts[0],
        "CgroupPermissions": parts[2] if len(parts) > 2 else "rwm",
    }


def ulimits(value):
    result = []
    for name, limit in _mapping(value).items():
        if isinstance(limit, dict):
            if "soft" not in limit or "hard" not in limit:
                raise ValueError("%s: both soft and hard are required" % name)
            result.append({"Name": str(name), "Soft": _int(limit["soft"]), "Hard": _int(limit["hard"])})
        else:
            result.append({"Name": str(name), "Soft": _int(limit), "Hard": _int(limit)})
    return result


def blkio(value):
    spec = _mapping(value)
    result = {}
    if spec.get("weight") is not None:
        result["BlkioWeight"] = _int(spec["weight"])
    if spec.get("weight_device"):
        result["BlkioWeightDevice"] = [
            {"Path": d["path"], "Weight": _int(d["weight"])} for d in _list(spec["weight_device"])
        ]
    for key, field, converter in (
        ("device_read_bps", "BlkioDeviceReadBps", parse_size),
        ("device_write_bps", "BlkioDeviceWriteBps", parse_size),
        ("device_read_iops", "BlkioDeviceReadIOps", _int),
        ("device_write_iops", "BlkioDeviceWriteIOps", _int),
    ):
        if spec.get(key):
            result[field] = [{"Path": d["path"], "Rate": converter(d["rate"])} for d in _list(spec[key])]
    return result


def key_values(value, bare=""):
    """A string mapping from a list of k=v or from a mapping; a bare k or a null value gives bare."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict((str(k), bare if v is None else _scalar_text(v)) for k, v in value.items())
    result = {}
    for item in _list(value):
        key, sep, val = _string(item).partition("=")
        result[key] = val if sep else bare
    return result


def env_file_paths(value):
    """The paths of env_file: one path, or a list of paths or of mappings with 'path'."""
    if isinstance(value, str):
        return [value]
    paths = []
    for item in _list(value):
        path = item.get("path") if isinstance(item, dict) else item
        paths.append(_string(path))
    return paths


def parse_copy(name, value):
    """[(source, target)] from a pod.copy value: 'src:dst', a list of them, or a mapping src: dst."""
    key = LABEL_COPY_PREFIX + name
    if isinstance(value, str):
        entries = [value]
    elif isinstance(value, list):
        entries = value
    elif isinstance(value, dict):
        entries = ["%s:%s" % (src, dst) for src, dst in value.items()]
    else:
        raise SpecError("expected 'src:dst', a list of them or a mapping", component=name, key=key)
    pairs = []
    for entry in entries:
        if not isinstance(entry, str):
            raise SpecError("entries must be strings of the form src:dst", component=name, key=key)
        parts = [part.strip() for part in entry.split(":")]
        if len(parts) != 2 or not all(parts):
            raise SpecError("%r is not of the form /source:/target" % entry, component=name, key=key)
        pairs.append((parts[0], parts[1]))
    return pairs


def _scalar_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise ValueError("values must be strings, numbers or booleans")
    return str(value)


def _parsed(name, definition, key, converter):
    if definition.get(key) is None:
        return None
    try:
        return converter(definition[key])
    except (ValueError, TypeError) as exc:
        raise SpecError(str(exc), component=name, key=key)


def _string(value):
    if isinstance(value, (dict, list)) or value is None:
        raise ValueError("expected a string")
    return str(value)


def _bool(value):
    """A YAML boolean: the engine must get exactly what the definition means, so "TRUE" or 1 is an error."""
    if not isinstance(value, bool):
        raise ValueError("expected true or false (a YAML boolean), got %s" % _type_name(value))
    return value


def _cpus(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expected a number of CPUs")
    return int(float(value) * 1e9)


def _string_list(value):
    return [_string(item) for item in _list(value)]


def _int(value):
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    return int(value)


def _list(value):
    if isinstance(value, list):
        return value
    raise ValueError("expected a list, got %s" % _type_name(value))


def _mapping(value):
    if isinstance(value, dict):
        return value
    raise ValueError("expected a mapping")


def _type_name(value):
    names = {str: "a string", list: "a list", dict: "a mapping", bool: "a boolean", type(None): "nothing"}
    if type(value) in names:
        return names[type(value)]
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


# Keys that set one field from one value: key -> (in HostConfig, field, converter).
_FIELDS = {}
for _table, _in_host, _converter in (
    (_SCALAR_CONFIG, False, _string),
    (_BOOL_CONFIG, False, _bool),
    (_BOOL_HOST, True, _bool),
    (_STRING_HOST, True, _string),
    (_LIST_HOST, True, _string_list),
    (_INT_HOST, True, _int),
    (_SIZE_HOST, True, parse_size),
):
    _FIELDS.update((key, (_in_host, field, _converter)) for key, field in _table.items())
