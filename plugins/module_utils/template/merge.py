# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Merge rules for template output, args and stack files (see docs/templates.md, "Merge rules")."""

import copy

# Keys copied from the original service onto the controller when the pod templates did not set them.
# rycus86/podlike also copies entrypoint, env_file, environment, healthcheck, privileged, read_only,
# stdin_open, tmpfs, tty, ulimits, user and working_dir: those describe the application process, and on the
# controller they break it (an app healthcheck cannot run there, `user` can cut it off from the Docker socket).
MERGED_POD_KEYS = (
    "configs",
    "credential_spec",
    "deploy",
    "dns",
    "dns_search",
    "domainname",
    "expose",
    "extra_hosts",
    "hostname",
    "ipc",
    "isolation",
    "labels",
    "logging",
    "mac_address",
    "networks",
    "pid",
    "ports",
    "secrets",
    "shm_size",
    "stop_grace_period",
    "volumes",
)

# Keys copied from the original service onto the main component when the transformer templates did not set them.
MERGED_TRANSFORMER_KEYS = (
    "blkio_config",
    "cap_add",
    "cap_drop",
    "command",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "depends_on",
    "device_cgroup_rules",
    "devices",
    "entrypoint",
    "env_file",
    "environment",
    "group_add",
    "healthcheck",
    "image",
    "isolation",
    "labels",
    "logging",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "oom_kill_disable",
    "oom_score_adj",
    "pids_limit",
    "privileged",
    "read_only",
    "runtime",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "user",
    "userns_mode",
    "volumes",
    "working_dir",
)


def list_to_mapping(items):
    """Convert ``["k=v", ...]`` to a mapping; None when an item is not a ``k=v`` string."""
    mapping = {}
    for item in items:
        if not isinstance(item, str) or "=" not in item:
            return None
        key, value = item.split("=", 1)
        mapping[key] = value
    return mapping


def merge_recursively(target, source):
    """Merge ``source`` into ``target`` in place (rycus86/podlike's mergeRecursively); return ``target``.

    A missing key is added; maps merge recursively; lists are appended (a string is appended to a list);
    a map meets a list by converting the list from ``k=v`` items (skipped when that fails); for anything
    else the existing value is kept: the first definition wins.
    """
    for key, incoming in source.items():
        if key not in target:
            target[key] = copy.deepcopy(incoming)
            continue
        existing = target[key]
        if isinstance(existing, dict) and isinstance(incoming, dict):
            merge_recursively(existing, incoming)
        elif isinstance(existing, dict) and isinstance(incoming, list):
            converted = list_to_mapping(incoming)
            if converted is not None:
                merge_recursively(existing, converted)
        elif isinstance(existing, list) and isinstance(incoming, list):
            existing.extend(copy.deepcopy(incoming))
        elif isinstance(existing, list) and isinstance(incoming, dict):
            converted = list_to_mapping(existing)
            if converted is not None:
                target[key] = merge_recursively(converted, incoming)
        elif isinstance(existing, list) and isinstance(incoming, str):
            existing.append(incoming)
    return target


def merge_args(*layers):
    """Merge args mappings, the first layer having the highest precedence.

    Maps merge recursively; any other value (lists included) is taken from the first layer that defines it.
    rycus86/podlike appends lists here, so a list given at two levels was silently concatenated.
    """
    merged = {}
    for layer in reversed([layer for layer in layers if layer]):
        merged = _override(merged, layer)
    return merged


def _override(base, override):
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key] = _override(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _short_target(volume):
    parts = str(volume).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _port_identity(port):
    if isinstance(port, dict):
        return (str(port.get("published")), str(port.get("target")), port.get("protocol", "tcp"))
    return str(port)


def merge_stack_files(base, override):
    """Merge a later stack file over an earlier one (later scalars win, maps merge, keyed lists merge)."""
    result = copy.deepcopy(base)
    for key, value in override.items():
        if key == "services" and isinstance(value, dict) and isinstance(result.get(key), dict):
            services = result[key]
            for name, service in value.items():
                if isinstance(services.get(name), dict) and isinstance(service, dict):
                    services[name] = _merge_service(services[name], service)
                else:
                    services[name] = copy.deepcopy(service)
        elif isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key] = _override(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _merge_service(base, override):
    result = copy.deepcopy(base)
    for key, value in override.items():
        existing = result.get(key)
        if key in _KEYED_LISTS and isinstance(existing, list) and isinstance(value, list):
            identity = _KEYED_LISTS[key]
            merged = {identity(item): item for item in existing}
            for item in value:
                merged[identity(item)] = copy.deepcopy(item)
            result[key] = list(merged.values())
        elif isinstance(existing, dict) and isinstance(value, dict):
            result[key] = _override(existing, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


# Service keys whose list items are unique by an identity: a later stack file replaces the item with the same
# identity and appends new ones, as `docker stack deploy -c a -c b` does.
_KEYED_LISTS = {
    "ports": _port_identity,
    "volumes": lambda item: item.get("target") if isinstance(item, dict) else _short_target(item),
    "secrets": lambda item: item.get("source") if isinstance(item, dict) else item,
    "configs": lambda item: item.get("source") if isinstance(item, dict) else item,
}
