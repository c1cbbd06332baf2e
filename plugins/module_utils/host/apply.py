# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""podlike_pod's work: the pod the options describe, brought to the requested state on this host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.constants import NAME_SEPARATOR
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import (
    HostPod,
    check_pod_options,
    diff_texts,
    digest,
    normalize,
    plan,
    planned_pod,
    pod_labels,
    pull_policy,
    recorded_definition,
    validate,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError


def read_text(path):
    """The text of a file on this host."""
    with open(path) as handle:
        return handle.read()


def desired(params):
    """(recorded definition, labels, digest, parsed pod) from the options, validated; all None without components."""
    if not params["components"] and not params["compose_file"]:
        return None, None, None, None
    if NAME_SEPARATOR in "." + params["name"] + ".":
        raise SpecError(
            "a pod's name holds no 'podlike' between dots: its containers are named <pod>%s<component>"
            % NAME_SEPARATOR,
            key="name",
        )
    check_pod_options(params)
    params = dict(params, labels={k: str(v) for k, v in (params["labels"] or {}).items()})
    definition = normalize(params)
    compose_text = None
    if definition.get("compose_file"):
        try:
            compose_text = read_text(definition["compose_file"])
        except OSError as exc:
            raise SpecError(
                "cannot read %s: %s" % (definition["compose_file"], exc.strerror or exc), key="compose_file"
            )
    definition_digest = digest(definition, compose_text)
    definition = recorded_definition(definition, compose_text)
    labels = pod_labels(definition, definition_digest)
    try:
        parsed = validate(
            labels, read_file=lambda path: compose_text if path == definition.get("compose_file") else read_text(path)
        )
    except SpecError as exc:
        if exc.key == "pod.copy":  # the copy option names a component the pod does not have
            raise SpecError("names no component of this pod", component=exc.component, key="copy")
        raise
    return definition, labels, definition_digest, parsed


def apply(params, client, check_mode, progress=None):
    """Bring the pod to the requested state; return the module result.

    ``progress["changed"]`` turns true as soon as an action is carried out, so a later failure still reports it.
    """
    progress = {} if progress is None else progress
    definition, labels, definition_digest, parsed = desired(params)
    pod = HostPod(client, params["name"])
    controller = pod.controller()
    leftovers = params["state"] == "absent" and bool(pod.leftovers())
    actions = plan(params["state"], controller, definition_digest, params["recreate"], leftovers)
    before, after = diff_texts(controller, definition, definition_digest, params["state"])
    result = dict(changed=bool(actions), actions=actions, diff=dict(before=before, after=after))
    if check_mode:
        if "create" in actions:
            state = "created" if "start" not in actions else "running"
            result["pod"] = planned_pod(params["name"], definition, parsed, state)
        elif controller is not None and params["state"] != "absent":
            result["pod"] = pod.describe(controller)
        return result
    controller_id = controller["Id"] if controller else None
    for action in actions:
        progress["changed"] = True
        if action == "remove":
            pod.remove(controller)
        elif action == "create":
            pod.ensure_image(definition["controller_image"], pull_policy(params["pull"]))
            controller_id = pod.create(definition, labels)
        elif action == "start":
            pod.start(controller_id)
        elif action == "stop":
            pod.stop(controller)
        elif action == "restart":
            pod.stop(controller)
            pod.start(controller_id)
    if params["state"] == "absent":
        return result
    if params["wait"] and params["state"] != "stopped" and controller_id:
        pod.wait_healthy(controller_id, params["wait_timeout"])
    result["pod"] = pod.describe()
    return result
