# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A pod on one Docker host: its controller container made from a definition, idempotently.

The definition (what the user wrote, normalized) is stored on the controller with its digest;
the same digest on a running controller means there is nothing to do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import time

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    CONTROLLER_COMMAND,
    CONTROLLER_IMAGE,
    DEFAULT_GRACE_PERIOD,
    DOCKER_SOCKET,
    LABEL_COMPONENT_PREFIX,
    LABEL_COMPOSE_FILE,
    LABEL_COPY_PREFIX,
    LABEL_INIT_COMPONENTS,
    LABEL_POD,
    LABEL_SETTING_PREFIX,
    NAME_SEPARATOR,
)
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    DockerError,
    NotFound,
    read_frames,
    remove_and_wait,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod import definition as pod_definition
from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_copy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import port_entries
from ansible_collections.podlike.swarm.plugins.module_utils.host.status import defines_pod, describe_pod
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml, load_yaml

LABEL_DIGEST = "podlike.definition.digest"
LABEL_DEFINITION = "podlike.definition"
# The recorded definition's key for the sha256 of the Compose file's text, which the definition names only by path.
COMPOSE_DIGEST_KEY = "compose_file_sha256"
# Extra seconds the engine gives the controller on stop, beyond the components' grace period.
STOP_MARGIN = 5
SHARE_SETTINGS = (("share_pid", "pids"), ("share_ipc", "ipc"))
DEFINITION_KEYS = (
    "components",
    "compose_file",
    "init_components",
    "copy",
    "share_pid",
    "share_ipc",
    "share_volumes",
    "grace_period",
    "volumes",
    "published_ports",
    "networks",
    "labels",
    "restart_policy",
    "pull",
    "controller_image",
)


def pull_policy(pull):
    """missing, always or never from the pull option; true and false are aliases of always and missing."""
    if pull is True:
        return "always"
    if pull is False or pull is None:
        return "missing"
    return pull


class PodStateError(Exception):
    """The host is not in a state the pod can be put in (a foreign container, a failed start)."""


# definition -----------------------------------------------------------------------------------
def check_pod_options(params):
    """Raise SpecError naming the option, and what was given, for options no label can carry as written."""
    grace = params.get("grace_period")
    if grace is not None and grace < 0:
        raise SpecError(
            "%s is negative; give the seconds the components get to stop (0 or more)" % grace, key="grace_period"
        )
    for name, entries in (params.get("copy") or {}).items():
        try:
            parse_copy(name, entries)
        except SpecError as exc:
            shown = json.dumps(entries, sort_keys=True, default=str)
            raise SpecError("%s, got %s" % (exc.detail, shown), component=name, key="copy")


def normalize(params):
    """The user's definition with only the keys that were set, in a stable JSON-safe form."""
    definition = {}
    for key in DEFINITION_KEYS:
        value = params.get(key)
        if value is None or value == [] or value == {}:
            continue
        definition[key] = value
    # Only always changes the pod (its controller pulls the components); stored as before the policies existed.
    definition["pull"] = pull_policy(params.get("pull")) == "always"
    definition.setdefault("controller_image", CONTROLLER_IMAGE)
    network_endpoints(definition)
    return json.loads(json.dumps(definition, sort_keys=True))


def digest(definition, compose_text=None):
    """sha256 of the definition, and of the Compose file's text when the pod reads one."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    if compose_text is not None:
        text += "\n" + compose_text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_definition(definition, compose_text=None):
    """The definition stored on the controller and shown in diff mode: with the sha256 of the Compose file's text,
    whose change recreates the pod, when it reads one."""
    if compose_text is None:
        return definition
    return dict(definition, **{COMPOSE_DIGEST_KEY: hashlib.sha256(compose_text.encode("utf-8")).hexdigest()})


def definition_text(definition):
    """The definition as YAML, for diff mode; empty when there is none."""
    return dump_yaml(definition) if definition else ""


def diff_texts(controller, definition, definition_digest, state):
    """(before, after) of diff mode: the controller's recorded definition and the one the options give.

    A controller with the options' digest has their definition, though an older record may lack the Compose file's
    digest: both sides are the options' then.
    """
    labels = (controller or {}).get("Config", {}).get("Labels") or {}
    before = definition_text(stored_definition(controller)) if controller else ""
    after = definition_text(definition) if definition else before
    if controller and definition and labels.get(LABEL_DIGEST) == definition_digest:
        before = after
    return before, "" if state == "absent" else after


def pod_labels(definition, definition_digest):
    """The controller labels that define the pod, in the rycus86/podlike format."""
    labels = dict(definition.get("labels") or {})
    for name, component in (definition.get("components") or {}).items():
        labels[LABEL_COMPONENT_PREFIX + name] = dump_yaml(component)
    if definition.get("compose_file"):
        labels[LABEL_COMPOSE_FILE] = definition["compose_file"]
    if definition.get("init_components"):
        labels[LABEL_INIT_COMPONENTS] = dump_yaml(definition["init_components"])
    for name, entries in (definition.get("copy") or {}).items():
        labels[LABEL_COPY_PREFIX + name] = dump_yaml(entries)
    for option, setting in SHARE_SETTINGS:
        if definition.get(option) is not None:
            labels[LABEL_SETTING_PREFIX + setting] = "true" if definition[option] else "false"
    if definition.get("pull"):
        labels[LABEL_SETTING_PREFIX + "pull"] = "true"
    labels[LABEL_SETTING_PREFIX + "grace-period"] = "%ds" % grace_period(definition)
    labels[LABEL_DEFINITION] = json.dumps(definition, sort_keys=True)
    labels[LABEL_DIGEST] = definition_digest
    return labels


def validate(labels, read_file=None):
    """Parse the labels as the controller will; raise SpecError naming the component and key."""
    parsed = pod_definition.from_labels(labels, read_file=read_file)
    resolve({}, parsed.settings)
    # The controller podlike_pod starts has no flags: the policy's defaults apply.
    policy.check_pod(parsed.all_components(), policy.Allowances())
    return parsed


def grace_period(definition):
    value = definition.get("grace_period")
    return DEFAULT_GRACE_PERIOD if value is None else int(value)


def stored_definition(controller):
    """The definition a controller was made from; rebuilt from its labels when it was made elsewhere."""
    labels = controller.get("Config", {}).get("Labels") or {}
    if labels.get(LABEL_DEFINITION):
        try:
            return json.loads(labels[LABEL_DEFINITION])
        except ValueError:
            pass
    components = {}
    for key, value in labels.items():
        if key.startswith(LABEL_COMPONENT_PREFIX):
            try:
                components[key[len(LABEL_COMPONENT_PREFIX) :]] = load_yaml(value)
            except ValueError:
                components[key[len(LABEL_COMPONENT_PREFIX) :]] = value
    return {"components": components} if components else {}


# controller container -------------------------------------------------------------------------
def port_bindings(spec):
    """[(container port key, host binding)] of a docker run -p value: [[ip:]host:]container[/proto], ranges too."""
    try:
        entries = port_entries(spec)
    except ValueError as exc:
        raise SpecError(str(exc), key="published_ports")
    return [
        (
            "%s/%s" % (entry["target"], entry["protocol"]),
            {"HostIp": entry.get("host_ip", ""), "HostPort": str(entry.get("published", ""))},
        )
        for entry in entries
    ]


def controller_config(definition, labels):
    """The body of the create call for the controller container."""
    exposed, bindings = {}, {}
    for spec in definition.get("published_ports") or []:
        for port, binding in port_bindings(spec):
            exposed[port] = {}
            bindings.setdefault(port, []).append(binding)
    binds = ["%s:%s:ro" % (DOCKER_SOCKET, DOCKER_SOCKET)]
    if definition.get("compose_file"):
        binds.append("%s:%s:ro" % (definition["compose_file"], definition["compose_file"]))
    binds.extend(definition.get("volumes") or [])
    host = {
        "Binds": binds,
        "PortBindings": bindings,
        "RestartPolicy": {"Name": definition.get("restart_policy") or "no"},
    }
    if definition.get("share_ipc") is not False:
        # A shareable controller lends its IPC namespace: no extra infra container is needed.
        host["IpcMode"] = "shareable"
    config = {
        "Image": definition.get("controller_image") or CONTROLLER_IMAGE,
        "Labels": labels,
        "ExposedPorts": exposed,
        "StopTimeout": grace_period(definition) + STOP_MARGIN,
        "HostConfig": host,
    }
    if definition.get("share_volumes"):
        config["Cmd"] = list(CONTROLLER_COMMAND) + ["-volumes=true"]  # a flag only: a label cannot set it
    networks = network_endpoints(definition)
    if networks:
        name, endpoint = networks[0]
        host["NetworkMode"] = name
        config["NetworkingConfig"] = {"EndpointsConfig": {name: endpoint}}
    return config


def network_endpoints(definition):
    """[(network name, endpoint config)] of the networks option: names, or mappings with name and aliases."""
    endpoints = []
    for index, network in enumerate(definition.get("networks") or []):
        if isinstance(network, str) and network.strip():
            endpoints.append((network, {}))
            continue
        if not isinstance(network, dict) or not isinstance(network.get("name"), str) or not network["name"].strip():
            raise SpecError("item %d: a network name or a mapping with a name" % index, key="networks")
        unknown = sorted(set(network) - {"name", "aliases"})
        if unknown:
            raise SpecError("item %d: unknown key %s (expected name, aliases)" % (index, unknown[0]), key="networks")
        aliases = network.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            raise SpecError("item %d: aliases must be a list of names" % index, key="networks")
        endpoints.append((network["name"], {"Aliases": aliases} if aliases else {}))
    return endpoints


class HostPod:
    """Engine calls for one pod named `name` (its controller container has that name)."""

    def __init__(self, client, name):
        self.client = client
        self.name = name

    def controller(self):
        """The controller's inspect answer, or None; PodStateError for a container that is no controller."""
        try:
            container = self.client.inspect_container(self.name)
        except NotFound:
            return None
        if not defines_pod(container.get("Config", {}).get("Labels")):
            raise PodStateError(
                "a container named %s exists and is not a pod controller; remove or rename it" % self.name
            )
        return container

    def ensure_image(self, image, policy):
        """Pull the controller image as ``policy`` (missing, always, never) says."""
        if policy == "always":
            self.client.pull_image(image)
            return
        try:
            self.client.inspect_image(image)
        except NotFound:
            if policy == "never":
                raise PodStateError("the controller image %s is not on the host and pull is never" % image)
            self.client.pull_image(image)

    def create(self, definition, labels):
        config = controller_config(definition, labels)
        created = self.client.create_container(self.name, config)
        for network, endpoint in network_endpoints(definition)[1:]:
            self.client.post(
                "/networks/%s/connect" % network, body={"Container": created["Id"], "EndpointConfig": endpoint}
            )
        return created["Id"]

    def start(self, controller_id):
        self.client.start_container(controller_id)

    def stop(self, controller):
        """Stop the controller, which stops and removes its components within the grace period."""
        timeout = (controller.get("Config") or {}).get("StopTimeout") or DEFAULT_GRACE_PERIOD + STOP_MARGIN
        try:
            self.client.stop_container(controller["Id"], timeout)
        except NotFound:
            pass

    def remove(self, controller):
        """Stop and remove the controller, then any container of the pod still left."""
        if controller is not None:
            if (controller.get("State") or {}).get("Running"):
                self.stop(controller)
            remove_and_wait(self.client, controller["Id"])
        for leftover in self.leftovers():
            remove_and_wait(self.client, leftover["Id"])

    def leftovers(self):
        return self.client.containers(labels=["%s=%s" % (LABEL_POD, self.name)])

    def wait_healthy(self, controller_id, timeout, interval=0.5):
        """Wait for the controller's Docker health to be healthy; PodStateError on exit, failure or timeout."""
        deadline = time.time() + timeout
        while True:
            state = self.client.inspect_container(controller_id).get("State") or {}
            health = (state.get("Health") or {}).get("Status")
            if state.get("Status") in ("exited", "dead"):
                raise PodStateError(
                    "the controller of pod %s exited with code %s: %s"
                    % (self.name, state.get("ExitCode"), self.last_output(controller_id))
                )
            if health == "healthy" or (health is None and state.get("Running")):
                return
            if time.time() >= deadline:
                raise PodStateError(
                    "pod %s is not healthy after %ss (health: %s): %s"
                    % (self.name, timeout, health, self.last_output(controller_id))
                )
            time.sleep(interval)

    def last_output(self, controller_id, lines=10):
        """The controller's last output lines, joined on one line, for error messages."""
        try:
            response = self.client.logs(controller_id, follow=False, tail=lines, timeout=10)
            text = b"".join(chunk for _stream, chunk in read_frames(response)).decode("utf-8", "replace")
            response.close()
        except (DockerError, OSError):
            return "(no output)"
        lines = text.split("\n")  # a component's lines hold no other line break (controller/output.py, printable)
        return " | ".join(line.strip() for line in lines if line.strip()) or "(no output)"

    def describe(self, controller=None):
        controller = controller or self.controller()
        return describe_pod(self.client, controller) if controller else None


def planned_pod(name, definition, parsed, state):
    """What `pod` will look like once the plan runs (check mode shows this instead of acting).

    parsed is the PodDefinition the labels give (validate's result): its components, init ones too, as the
    controller will read them.
    """
    components = [
        {
            "name": component.name,
            "role": "init" if component.init else "component",
            "container": name + NAME_SEPARATOR + component.name,
            "container_id": None,
            "state": None,
            "health": None,
            "exit_code": None,
            "restarts": 0,
            "image": component.image,
        }
        for component in parsed.all_components()
    ]
    return {
        "name": name,
        "controller_id": None,
        "image": definition.get("controller_image"),
        "state": state,
        "health": None,
        "stack": None,
        "service": None,
        "components": sorted(components, key=lambda entry: (entry["role"] != "component", entry["name"])),
    }


def plan(state, controller, desired_digest, recreate=False, leftovers=False):
    """The actions (remove, create, start, stop, restart) that bring the host to `state`.

    `controller` is the inspect answer of the pod's controller or None; desired_digest is None
    when no definition was given (then an existing controller is kept as it is).
    """
    if state == "absent":
        return ["remove"] if controller is not None or leftovers else []
    if controller is None:
        if desired_digest is None:
            return []
        return ["create"] if state == "stopped" else ["create", "start"]
    labels = controller.get("Config", {}).get("Labels") or {}
    outdated = desired_digest is not None and (recreate or labels.get(LABEL_DIGEST) != desired_digest)
    running = bool((controller.get("State") or {}).get("Running"))
    if outdated:
        return ["remove", "create"] if state == "stopped" else ["remove", "create", "start"]
    if state == "stopped":
        return ["stop"] if running else []
    if state == "restarted":
        return ["restart"] if running else ["start"]
    return [] if running else ["start"]
