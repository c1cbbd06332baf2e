# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Controller settings from flags (-pids -ipc -volumes -cgroup -logs -pull) and pod.controller.* labels.

Flags follow Go's flag syntax as rycus86/podlike accepts it: -flag, --flag, -flag=false, -flag=value or
-flag value for the flags that take one. A flag given on the command line wins over a label; a label wins
over the default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import parse_bool, parse_duration, parse_size

BOOLEAN_SETTINGS = {
    "pids": (True, "share the controller's PID namespace with the components"),
    "ipc": (True, "share one IPC namespace between the components"),
    "volumes": (False, "give components every mount of the controller except the engine's socket"),
    "cgroup": (True, "put components in the controller's cgroup, under its limits"),
    "logs": (True, "stream component output to the controller's output, prefixed with the component name"),
    "pull": (False, "always pull component images before creating them"),
    "allow-privileged": (
        False,
        "let components ask for what reaches the host: privileges, devices, host namespaces, the Docker socket",
    ),
}
DEFAULT_COPY_LIMIT = 64 * 1024 * 1024
# Settings an operator gives on the command line only: a pod definition cannot allow itself.
# What widens a pod's reach on the node is the operator's: -volumes hands the controller's mounts to the components.
FLAG_ONLY = ("allow-privileged", "allow-host-path", "copy-limit", "volumes")
VALUE_SETTINGS = {
    "grace-period": (None, "time to stop every component (default: the controller's stop timeout, else 10s)"),
    "copy-limit": (DEFAULT_COPY_LIMIT, "bytes pod.copy may copy into the pod's components in all (default 64m)"),
}
# Flags that may be repeated; each gives one more value.
LIST_SETTINGS = {
    "allow-host-path": "let components bind-mount host paths under this prefix (repeatable)",
}
CHOICE_SETTINGS = {
    "guard": (
        "auto",
        ("auto", "always"),
        "the pod's guard container: auto (none while a healthy node sweeper covers the engine, which then "
        "removes what a killed controller leaves) or always",
    ),
    "exit-policy": (
        "exit",
        ("exit", "continue"),
        "when a component exits and will not restart: exit (the pod stops, so Swarm reschedules) "
        "or continue (the others go on)",
    ),
}


class Settings:
    """The effective controller settings."""

    def __init__(self, values):
        self.values = values

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name.replace("_", "-")]
        except KeyError:
            raise AttributeError(name)


def parse_flags(argv):
    """{setting: value} for the flags given; raise SpecError on an unknown flag or a bad value."""
    given = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg in ("-", "--"):
            raise SpecError("invalid command line argument %r (flags look like -logs or -pids=false)" % arg)
        name, sep, value = arg.lstrip("-").partition("=")
        if name in BOOLEAN_SETTINGS:
            given[name] = _bool(name, value if sep else "true", "-" + name)
            continue
        if name not in VALUE_SETTINGS and name not in CHOICE_SETTINGS and name not in LIST_SETTINGS:
            raise SpecError("unknown flag %r (known: %s)" % (arg, ", ".join(flag_names())))
        if not sep:
            if not args:
                raise SpecError("flag -%s needs a value" % name)
            value = args.pop(0)
        if name in LIST_SETTINGS:
            given.setdefault(name, []).append(_list_value(name, value, "-" + name))
        elif name in VALUE_SETTINGS:
            given[name] = _value(name, value, "-" + name)
        else:
            given[name] = _choice(name, value, "-" + name)
    return given


def resolve(flags, label_settings):
    """Settings from explicit flags, then pod.controller.* labels, then defaults."""
    values = dict((name, default) for name, (default, _text) in BOOLEAN_SETTINGS.items())
    values.update((name, default) for name, (default, _text) in VALUE_SETTINGS.items())
    values.update((name, spec[0]) for name, spec in CHOICE_SETTINGS.items())
    values.update((name, []) for name in LIST_SETTINGS)
    for name, text in (label_settings or {}).items():
        label = "pod.controller." + name
        if name in FLAG_ONLY:
            raise SpecError("can only be set as a flag of the controller (-%s)" % name, key=label)
        if name in BOOLEAN_SETTINGS:
            values[name] = _bool(name, text, label)
        elif name in VALUE_SETTINGS:
            values[name] = _value(name, text, label)
        elif name in CHOICE_SETTINGS:
            values[name] = _choice(name, text, label)
        else:
            raise SpecError("unknown controller setting (known: %s)" % ", ".join(flag_names()), key=label)
    values.update(flags)
    return Settings(values)


def flag_names():
    return sorted(BOOLEAN_SETTINGS) + sorted(VALUE_SETTINGS) + sorted(CHOICE_SETTINGS) + sorted(LIST_SETTINGS)


def usage():
    lines = ["Flags (also settable as labels pod.controller.<name>):"]
    for name in sorted(BOOLEAN_SETTINGS):
        default, text = BOOLEAN_SETTINGS[name]
        lines.append("  -%-14s %s (default %s)" % (name, text, str(default).lower()))
    for name in sorted(VALUE_SETTINGS):
        default, text = VALUE_SETTINGS[name]
        lines.append("  -%-14s %s" % (name + "=D", text))
    for name in sorted(CHOICE_SETTINGS):
        default, choices, text = CHOICE_SETTINGS[name]
        lines.append("  -%-14s %s (default %s)" % (name + "=X", text, default))
    for name in sorted(LIST_SETTINGS):
        lines.append("  -%-14s %s" % (name + "=P", LIST_SETTINGS[name]))
    lines.append("Flags only (a label cannot set them): %s" % ", ".join("-" + name for name in FLAG_ONLY))
    return "\n".join(lines)


def _bool(name, text, where):
    try:
        return parse_bool(text)
    except ValueError:
        raise SpecError("expected true or false, got %r" % text, key=where)


def _value(name, text, where):
    try:
        return parse_size(text) if name == "copy-limit" else parse_duration(text)
    except ValueError as exc:
        raise SpecError(str(exc), key=where)


def _list_value(name, text, where):
    """A host path prefix: absolute, normalized."""
    # Imported here: the running controller reads its Settings without the policy (controller/apart.py).
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.policy import normalize_path

    path = normalize_path(text)
    if path is None:
        raise SpecError("expected an absolute path, got %r" % text, key=where)
    return path


def _choice(name, text, where):
    choices = CHOICE_SETTINGS[name][1]
    if text not in choices:
        raise SpecError("expected one of %s, got %r" % (", ".join(choices), text), key=where)
    return text
