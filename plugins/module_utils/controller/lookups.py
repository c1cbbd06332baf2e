# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine lookups every controller start begins with: its own container, the engine's info, the node sweeper.

They are sent at once, each from a thread and on a connection of its own, as soon as the engine client is
loaded, so that the engine answers while the pod core's modules load: the two overlap instead of adding up.
The three lookups carry no API version in their paths (the engine answers in its own), so that none waits for
the version's negotiation (GET /_ping), sent beside them; a version set by hand (DOCKER_API_VERSION) is tried
there with a versioned GET /_ping, and an engine that refuses it ends the start with its own line before anything
else. Nothing here imports `threading` or `re`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils import trace
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery
from ansible_collections.podlike.swarm.plugins.module_utils.pod.guard import LABEL_ROLE, SWEEPER_ROLE, covering_sweeper
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError
from ansible_collections.podlike.swarm.plugins.module_utils.threads import Thread

ENGINE_TIMEOUT = 120


class StartLookups:
    """The API version, find_self(), /info and the node sweeper, in four threads; result() waits for them."""

    def __init__(self, client=None):
        self.client = client or DockerClient(timeout=ENGINE_TIMEOUT)
        self._controller = self._info = None
        self._errors = {}
        self.sweeper = None
        self._threads = [
            Thread(target=self._look_up, args=(name, lookup), name=name)
            for name, lookup in (
                ("version", self._negotiate),
                ("self", self._find_self),
                ("info", self._read_info),
                ("sweeper", self._find_sweeper),
            )
        ]
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
        self._controller = _on_a_clone(self.client, find_self)
        trace.mark("self-discovery: controller inspected")

    def _read_info(self):
        self._info = _on_a_clone(self.client, lambda client: client.info())
        trace.mark("engine info read")

    def _find_sweeper(self):
        self.sweeper = _on_a_clone(self.client, find_sweeper)
        trace.mark("node sweeper looked for")

    def own_container(self):
        """This controller's container, as soon as it is known (the other lookups may still be on their way)."""
        self._wait(self._threads[:2])
        return self._controller

    def result(self):
        """(this controller's container, the engine's info); what a lookup raised, raised here (the version's first)."""
        self._wait(self._threads)
        return self._controller, self._info

    def _wait(self, threads):
        for thread in threads:
            thread.join()
        for thread in threads:
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


def find_self(client):
    """Inspect this process's own container, found from /proc (cgroup v1 or v2) or the hostname."""
    candidates = discovery.read_candidates()
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
