# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine lookups every controller start begins with: its own container, the node sweeper, leftovers, /info.

They are sent at once, each from a thread and on a connection of its own, as soon as the engine client is
loaded, so that the engine answers while the pod core's modules load: the two overlap instead of adding up.
The lookups carry no API version in their paths (the engine answers in its own), so that none waits for
the version's negotiation (GET /_ping), sent beside them; a version set by hand (DOCKER_API_VERSION) is tried
there with a versioned GET /_ping, and an engine that refuses it ends the start with its own line before anything
else. GET /info, the slowest, is sent only where /proc/self/cgroup does not already answer what the pod needs
from it (see cgroups.cgroupfs_v1_path); info() asks for it later if a pod needs more. Nothing here imports
`threading` or `re`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils import trace
from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_CONTROLLER_ID
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod import cgroups, discovery
from ansible_collections.podlike.swarm.plugins.module_utils.pod.guard import (
    LABEL_ROLE,
    SWEEPER_ROLE,
    covering_sweeper,
    pod_containers,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError
from ansible_collections.podlike.swarm.plugins.module_utils.threads import Thread

ENGINE_TIMEOUT = 120


class StartLookups:
    """The API version, find_self(), the node sweeper, leftovers and maybe /info, in threads; result() waits."""

    def __init__(self, client=None):
        self.client = client or DockerClient(timeout=ENGINE_TIMEOUT)
        self.cgroup_text = discovery.read_own_cgroup()
        self._controller = self._info = None
        self._errors = {}
        self.sweeper = None
        # The containers of pods on this engine, to reap those whose controller is gone (None: not known).
        self.leftovers = None
        lookups = [  # the definition waits for the controller's own container: it goes first
            ("self", self._find_self),
            ("version", self._negotiate),
            ("sweeper", self._find_sweeper),
            ("leftovers", self._find_leftovers),
        ]
        if cgroups.cgroupfs_v1_path(self.cgroup_text) is None:
            lookups.append(("info", self._read_info))
        self._threads = [Thread(target=self._look_up, args=lookup, name=lookup[0]) for lookup in lookups]
        for thread in self._threads:
            thread.start()

    def _look_up(self, name, lookup):
        try:
            lookup()
        except Exception as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._errors[name] = exc

    def _negotiate(self):
        """The client's own connection: the pod's later calls use it."""
        self.client.check_api_version()
        trace.mark("API version negotiated")

    def _find_self(self):
        self._controller = _on_a_clone(self.client, lambda client: find_self(client, self.cgroup_text))
        trace.mark("self-discovery: controller inspected")

    def _read_info(self):
        self._info = _on_a_clone(self.client, lambda client: client.info())
        trace.mark("engine info read")

    def _find_sweeper(self):
        self.sweeper = _on_a_clone(self.client, find_sweeper)
        trace.mark("node sweeper looked for")

    def _find_leftovers(self):
        try:
            found = _on_a_clone(self.client, lambda client: client.containers(labels=[LABEL_CONTROLLER_ID]))
            self.leftovers = pod_containers(found)
        except Exception:  # noqa: BLE001 - the pod looks again before it starts, and says what went wrong
            self.leftovers = None
        trace.mark("leftovers looked for")

    def own_container(self):
        """This controller's container, as soon as it is known (the other lookups may still be on their way)."""
        self._wait(self._threads[:2])
        return self._controller

    def result(self):
        """This controller's container; what a lookup raised, raised here (the version's first)."""
        self._wait(self._threads)
        return self._controller

    def info(self):
        """The engine's /info: the answer to the lookup sent at start, or asked now (once) if none was sent."""
        self._wait(self._threads)
        if self._info is None:
            self._read_info()
        return self._info

    def _wait(self, threads):
        for thread in threads:
            thread.join()
        for thread in sorted(threads, key=lambda thread: thread.name != "version"):
            if thread.name in self._errors:
                raise self._errors[thread.name]


def _on_a_clone(client, lookup):
    clone = client.clone(versioned=False)
    try:
        return lookup(clone)
    finally:
        clone.close()


def find_sweeper(client):
    """The name of a healthy node sweeper covering every pod of this engine, else None (then the pod has a guard)."""
    try:
        return covering_sweeper(client.containers(labels=["%s=%s" % (LABEL_ROLE, SWEEPER_ROLE)], all=False))
    except Exception:  # noqa: BLE001 - whatever went wrong, the pod gets its own guard
        return None


def find_self(client, cgroup_text=None):
    """Inspect this process's own container, found from /proc (cgroup v1 or v2) or the hostname."""
    candidates = discovery.read_candidates(cgroup_text)
    for candidate in candidates:
        try:
            return client.inspect_container(candidate)
        except NotFound:
            continue
    raise PodError(
        "the controller does not appear to run in a container of this engine "
        "(looked for %s); mount the engine's socket and run it as a container"
        % (", ".join(c[:12] for c in candidates) or "a container ID in /proc/self")
    )
