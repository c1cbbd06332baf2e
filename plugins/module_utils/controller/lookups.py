# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine lookups every controller start begins with: its own container, the engine's info, the node sweeper.

They are sent from two threads as soon as the engine client is loaded, so that the engine answers while the
pod core's modules (PyYAML among them) load: the two overlap instead of adding up. `/info`, the slowest of them
(7 ms on an idle engine), has its own connection and thread. Nothing here imports `threading` or `re`: the first
call goes out about 6 ms sooner.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils import trace
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery
from ansible_collections.podlike.swarm.plugins.module_utils.pod.guard import LABEL_ROLE, SWEEPER_ROLE, covering_sweeper
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError
from ansible_collections.podlike.swarm.plugins.module_utils.threads import Thread

# Seconds the controller waits for one engine call. A node starting 150 containers at once (50 pods) took longer
# than 15 s to start some of them; a call that times out ends the pod, so the limit is that of a hung engine.
ENGINE_TIMEOUT = 120


class StartLookups:
    """find_self() and the node sweeper, and /info, of one client, in two threads; result() waits for them."""

    def __init__(self, client=None):
        self.client = client or DockerClient(timeout=ENGINE_TIMEOUT)
        self._controller = self._info = None
        self._errors = []
        self.sweeper = None
        self._threads = [Thread(target=self._look_up_self, name="lookups"), Thread(target=self._read_info, name="info")]
        for thread in self._threads:
            thread.start()

    def _look_up_self(self):
        try:
            self._controller = find_self(self.client)
            trace.mark("self-discovery: controller inspected")
            self.sweeper = find_sweeper(self.client)
            trace.mark("node sweeper looked for")
        except Exception as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._errors.append(exc)

    def _read_info(self):
        try:
            client = self.client.clone()
            try:
                self._info = client.info()
            finally:
                client.close()
            trace.mark("engine info read")
        except Exception as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._errors.append(exc)

    def result(self):
        """(this controller's container, the engine's info); what a lookup raised, raised here."""
        for thread in self._threads:
            thread.join()
        if self._errors:
            raise self._errors[0]
        return self._controller, self._info


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
