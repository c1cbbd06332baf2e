# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The ``.Service`` value templates see: the Compose service with docker/cli's Go field names."""

import functools

from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import env_file_paths, key_values
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import shell_words
from ansible_collections.podlike.swarm.plugins.module_utils.template.compose import long_ports, long_volume

# Compose keys whose Go field name is not the plain CamelCase of the key.
_GO_NAMES = {
    "dns": "DNS",
    "dns_search": "DNSSearch",
    "domainname": "DomainName",
    "healthcheck": "HealthCheck",
    "userns_mode": "UserNSMode",
    "uid": "UID",
    "gid": "GID",
    "ipv4_address": "Ipv4Address",
    "ipv6_address": "Ipv6Address",
    "external_links": "ExternalLinks",
    "host_ip": "HostIP",
    "nocopy": "NoCopy",
    "max_replicas_per_node": "MaxReplicas",
}

# Zero values of the docker/cli ServiceConfig fields, so unset fields print like Go ("" or [] or false).
_ZERO_FIELDS = {
    "Image": "",
    "Command": [],
    "Entrypoint": [],
    "Environment": {},
    "EnvFile": [],
    "Labels": {},
    "Ports": [],
    "Volumes": [],
    "Configs": [],
    "Secrets": [],
    "Networks": {},
    "CapAdd": [],
    "CapDrop": [],
    "DNS": [],
    "DNSSearch": [],
    "DependsOn": [],
    "Devices": [],
    "Expose": [],
    "ExtraHosts": [],
    "SecurityOpt": [],
    "Sysctls": {},
    "Tmpfs": [],
    "Ulimits": {},
    "User": "",
    "WorkingDir": "",
    "Hostname": "",
    "DomainName": "",
    "ContainerName": "",
    "Ipc": "",
    "Pid": "",
    "Isolation": "",
    "MacAddress": "",
    "NetworkMode": "",
    "Restart": "",
    "StopSignal": "",
    "UserNSMode": "",
    "CgroupParent": "",
    "ReadOnly": False,
    "Privileged": False,
    "StdinOpen": False,
    "Tty": False,
    "HealthCheck": None,
    "StopGracePeriod": None,
    "Logging": None,
    "Init": None,
    "CredentialSpec": {},
    "Extras": {},
}

_ZERO_DEPLOY = {
    "Mode": "",
    "Replicas": None,
    "Labels": {},
    "UpdateConfig": None,
    "RollbackConfig": None,
    "Resources": {},
    "RestartPolicy": None,
    "Placement": {},
    "EndpointMode": "",
}


class GoStruct(dict):
    """A mapping of Go field names that remembers the Compose value it was built from (for ``yaml``)."""

    def __init__(self, fields, compose_value):
        super().__init__(fields)
        self.compose_value = compose_value


@functools.lru_cache(maxsize=512, typed=True)
def go_name(key):
    """docker/cli's Go field name for a Compose key."""
    key = str(key)
    if key in _GO_NAMES:
        return _GO_NAMES[key]
    if key.startswith("x-"):
        return key
    return "".join(part[:1].upper() + part[1:] for part in key.replace("-", "_").split("_"))


def _struct(mapping, zero=None):
    fields = dict(zero or {})
    for key, value in mapping.items():
        fields[go_name(key)] = _generic(value)
    return GoStruct(fields, mapping)


def _generic(value):
    if isinstance(value, dict):
        return _struct(value)
    if isinstance(value, list):
        return [_generic(item) for item in value]
    return value


def _ports(ports):
    entries = []
    for port in ports or []:
        for entry in long_ports(port):
            fields = {"Mode": "ingress", "Protocol": "tcp", "Published": 0, "Target": 0, "HostIP": ""}
            fields.update({go_name(key): value for key, value in entry.items()})
            entries.append(GoStruct(fields, entry))
    return entries


def _volumes(volumes):
    entries = []
    for volume in volumes or []:
        entry = long_volume(volume)
        fields = {"Type": "", "Source": "", "Target": "", "ReadOnly": False, "Consistency": ""}
        fields.update({go_name(key): _generic(value) for key, value in entry.items()})
        fields.setdefault("Bind", None)
        fields.setdefault("Volume", None)
        fields.setdefault("Tmpfs", None)
        entries.append(GoStruct(fields, entry))
    return entries


def _file_references(references):
    entries = []
    for reference in references or []:
        entry = reference if isinstance(reference, dict) else {"source": reference}
        fields = {"Source": "", "Target": "", "UID": "", "GID": "", "Mode": None}
        fields.update({go_name(key): value for key, value in entry.items()})
        entries.append(GoStruct(fields, entry))
    return entries


def _networks(networks):
    if isinstance(networks, list):
        return {str(name): None for name in networks}
    return {
        str(name): (_struct(config) if isinstance(config, dict) else None) for name, config in (networks or {}).items()
    }


@functools.lru_cache(maxsize=256)
def _split_command(text):
    return tuple(shell_words(text))


def _command_words(value):
    """The command as a list; a string is split once, however many services share it."""
    if isinstance(value, str):
        return list(_split_command(value))
    return shell_words(value) or []


_CONVERTERS = {
    "command": _command_words,
    "entrypoint": _command_words,
    "environment": lambda value: key_values(value, bare=None),
    "labels": key_values,
    "ports": _ports,
    "volumes": _volumes,
    "configs": _file_references,
    "secrets": _file_references,
    "networks": _networks,
    "deploy": lambda value: _struct(value or {}, _ZERO_DEPLOY),
    "env_file": lambda value: [] if value is None else env_file_paths(value),
}


def service_view(name, service):
    """Build ``.Service`` for the Compose service mapping ``service`` named ``name``."""
    fields = dict(_ZERO_FIELDS)
    fields["Deploy"] = GoStruct(dict(_ZERO_DEPLOY), {})
    for key, value in service.items():
        if key == "x-podlike":
            continue
        converter = _CONVERTERS.get(key)
        fields[go_name(key)] = converter(value) if converter else _generic(value)
    fields["Name"] = name
    return GoStruct(fields, service)
