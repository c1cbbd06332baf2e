# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Change detection for a stack: a digest per rendered service, compared with what Swarm runs.

The digest of a service is stored in its Swarm service label ``podlike.stack.digest`` (``deploy.labels``), so
the next run compares digests instead of re-deriving a stack file from service specs the engine normalised.
A change made outside (``docker service update``) leaves that label alone: it is found by comparing the live
service specs with the specs read back right after the last deploy, which the stack's record keeps, for the
services whose recorded spec carries the digest the service still has.
"""

import copy
import hashlib
import json

from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_STACK_NAMESPACE
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import key_values

DIGEST_LABEL = "podlike.stack.digest"
# Top-level sections other than services: their digest is kept with the record of the rendered stack.
RESOURCE_SECTIONS = ("configs", "networks", "secrets", "volumes")


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value):
    """sha256 hex digest of a plain value, independent of key order."""
    return hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def _labels_mapping(labels):
    """Compose labels (a mapping or a list of key=value) as a mapping of strings."""
    return key_values(labels or None)


def without_digest(service):
    """A copy of a service definition without its digest label (what the digest is computed from)."""
    service = copy.deepcopy(service)
    deploy = service.get("deploy")
    if isinstance(deploy, dict) and deploy.get("labels"):
        labels = _labels_mapping(deploy["labels"])
        labels.pop(DIGEST_LABEL, None)
        if labels:
            deploy["labels"] = labels
        else:
            del deploy["labels"]
        if not deploy:
            del service["deploy"]
    return service


def service_digest(service):
    """Digest of one rendered service definition, ignoring a digest label already on it."""
    return digest(without_digest(service))


def resources_digest(stack):
    """Digest of the stack's top-level networks, volumes, configs and secrets."""
    return digest({section: stack.get(section) or {} for section in RESOURCE_SECTIONS})


def with_digests(stack):
    """A copy of a rendered stack whose every service carries its digest in deploy.labels."""
    stack = copy.deepcopy(stack)
    for name, service in (stack.get("services") or {}).items():
        value = service_digest(service)
        service = without_digest(service)
        deploy = service.setdefault("deploy", {})
        labels = _labels_mapping(deploy.get("labels"))
        labels[DIGEST_LABEL] = value
        deploy["labels"] = {key: labels[key] for key in sorted(labels)}
        stack["services"][name] = service
    return stack


def desired_digests(stack):
    """{service name: digest} of a rendered stack."""
    return {name: service_digest(service) for name, service in (stack.get("services") or {}).items()}


def spec_digest(spec):
    """The digest label of an Engine API service spec, or None."""
    return (spec.get("Labels") or {}).get(DIGEST_LABEL)


def deployed_digests(services, namespace):
    """{service name in the stack: digest or None} from Engine API service objects of one stack."""
    return {name: spec_digest(spec) for name, spec in live_specs(services, namespace).items()}


def live_specs(services, namespace):
    """{service name in the stack: Spec} from Engine API service objects of one stack."""
    prefix = namespace + "_"
    specs = {}
    for service in services:
        spec = service.get("Spec") or {}
        if (spec.get("Labels") or {}).get(LABEL_STACK_NAMESPACE) == namespace:
            specs[spec.get("Name", "").removeprefix(prefix)] = spec
    return specs


def drifted(live, recorded):
    """Services whose live spec differs from the one recorded after the deploy that gave it its digest.

    A recorded spec with another digest label is older than the service (a later deploy updated it and failed, or
    its record could not be written): it tells nothing about changes made outside, and is not compared.
    """
    return sorted(
        name
        for name, spec in live.items()
        if name in recorded
        and spec_digest(spec) == spec_digest(recorded[name])
        and digest(spec) != digest(recorded[name])
    )


def spec_differences(before, after):
    """(before, after) reduced to the branches of two specs that differ, for a readable diff."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return before, after
    reduced_before, reduced_after = {}, {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        old, new = spec_differences(before.get(key), after.get(key))
        if key in before:
            reduced_before[key] = old
        if key in after:
            reduced_after[key] = new
    return reduced_before, reduced_after


class StackPlan:
    """What a deploy would do: services to create, update and remove, and whether that is a change.

    ``drift`` names the services among ``update`` whose definition did not change but whose live spec was
    changed outside; the deploy puts them back.
    """

    def __init__(self, create, update, remove, unchanged, resources_changed=False, drift=()):
        self.create = create
        self.update = update
        self.remove = remove
        self.unchanged = unchanged
        self.resources_changed = resources_changed
        self.drift = list(drift)

    @property
    def changed(self):
        return bool(self.create or self.update or self.remove or self.resources_changed)

    def as_dict(self):
        return {
            "create": self.create,
            "update": self.update,
            "remove": self.remove,
            "unchanged": self.unchanged,
            "resources_changed": self.resources_changed,
            "drift": self.drift,
        }


def plan(desired, deployed, prune=False, desired_resources=None, deployed_resources=None, drift=()):
    """Compare {service: digest} maps; services outside the stack count only when pruning.

    Resource digests are compared only when both are known: a stack deployed without a record of its
    rendered text is judged by its services alone. ``drift`` names services changed outside: they are updated.
    """
    create = sorted(name for name in desired if name not in deployed)
    same = sorted(name for name in desired if name in deployed and deployed[name] == desired[name])
    drift = sorted(name for name in same if name in drift)
    update = sorted(name for name in desired if (name in deployed and name not in same) or name in drift)
    unchanged = sorted(name for name in same if name not in drift)
    remove = sorted(name for name in deployed if name not in desired) if prune else []
    resources_changed = (
        desired_resources is not None and deployed_resources is not None and desired_resources != deployed_resources
    )
    return StackPlan(create, update, remove, unchanged, resources_changed, drift)
