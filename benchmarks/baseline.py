"""The baseline: the same containers as a pod, made directly through the Docker API (docker SDK).

An infra container running `sleep` (under the engine's init, so SIGTERM ends it) stands in for the
controller; components join its network and PID namespaces. Each component is created and started
in its own thread, so nothing waits that the dependency order does not require.

With pid_holder, the baseline has a pod's boundary too: a second container, started after the infra and
before the members, holds the members' PID and IPC namespaces (as a pod's infra does), while the first
holds the network (as a pod's controller does).
"""

import contextlib
import threading
import time

import docker.errors
from events import Event

BASELINE_LABEL = "bench.baseline"
ROLE_LABEL = "bench.role"


def _in_threads(function, items):
    errors = []

    def run(item):
        try:
            function(item)
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class BaselinePod:
    """An infra container and N components sharing its namespaces, driven by plain API calls."""

    def __init__(self, api, name, components, image, pid_holder=False):
        self.pid_holder = pid_holder
        self.holder_id = None
        self.api = api
        self.name = name
        self.components = components  # name -> {"command": [...], "healthcheck": {...} or None}
        self.image = image
        self.infra_id = None
        self.component_ids = {}
        self._supervisor = None

    def _labels(self, role):
        return {BASELINE_LABEL: self.name, ROLE_LABEL: role}

    def start(self):
        """Create and start the infra, then every component concurrently; return the time of the first call."""
        started = time.time()
        infra = self.api.create_container(
            self.image,
            command=["sleep", "infinity"],
            name=self.name,
            labels=self._labels("infra"),
            host_config=self.api.create_host_config(init=True),
        )
        self.infra_id = infra["Id"]
        self.api.start(self.infra_id)
        if self.pid_holder:
            holder = self.api.create_container(
                self.image,
                command=["sleep", "infinity"],
                name=self.name + ".holder",
                labels=self._labels("holder"),
                host_config=self.api.create_host_config(
                    init=True, network_mode="container:" + self.infra_id, ipc_mode="shareable"
                ),
            )
            self.holder_id = holder["Id"]
            self.api.start(self.holder_id)
        _in_threads(self._start_component, sorted(self.components))
        return started

    def _start_component(self, component):
        definition = self.components[component]
        namespaces = self.holder_id or self.infra_id
        host_config = self.api.create_host_config(
            network_mode="container:" + self.infra_id,
            pid_mode="container:" + namespaces,
            ipc_mode="container:" + self.holder_id if self.holder_id else None,
            auto_remove=True,
        )
        created = self.api.create_container(
            self.image,
            command=definition["command"],
            name=f"{self.name}.{component}",
            labels=self._labels("component"),
            host_config=host_config,
            healthcheck=definition.get("healthcheck"),
        )
        self.component_ids[component] = created["Id"]
        self.api.start(created["Id"])

    def stop(self, timeout=10):
        """Stop every component concurrently (they remove themselves), then remove the infra."""
        started = time.time()
        _in_threads(lambda cid: self._stop_one(cid, timeout), list(self.component_ids.values()))
        if self.holder_id:
            self.api.remove_container(self.holder_id, force=True)
        self.api.remove_container(self.infra_id, force=True)
        return started

    def _stop_one(self, container_id, timeout):
        with contextlib.suppress(docker.errors.APIError):  # already gone is fine
            self.api.stop(container_id, timeout=timeout)
            self.api.wait(container_id, condition="removed", timeout=timeout + 30)

    def supervise(self, events_client):
        """Act like a controller: when a component dies, stop the others and end the infra."""
        stream = events_client.events(
            decode=True, filters={"type": "container", "event": "die", "label": f"{BASELINE_LABEL}={self.name}"}
        )

        def watch():
            for raw in stream:
                event = Event(raw)
                if event.labels.get(ROLE_LABEL) != "component":
                    continue
                dead = event.container_id
                others = [cid for cid in self.component_ids.values() if cid != dead]
                _in_threads(lambda cid: self._stop_one(cid, 10), others)
                self.api.kill(self.infra_id)
                break
            stream.close()

        self._supervisor = threading.Thread(target=watch, name="bench-supervisor", daemon=True)
        self._supervisor.start()

    def remove(self):
        """Remove whatever is left (after a measurement or a failure)."""
        for container_id in list(self.component_ids.values()) + [self.holder_id, self.infra_id]:
            if container_id:
                with contextlib.suppress(docker.errors.APIError):  # already gone
                    self.api.remove_container(container_id, force=True)


def baseline_components(count, healthcheck=None):
    """N `sleep` components, optionally with a healthcheck in the API's form."""
    components = {}
    for index in range(count):
        components[f"c{index}"] = {"command": ["sleep", "300"], "healthcheck": healthcheck}
    return components


def start_many(api, pods):
    """Start several baseline pods at once, one thread each; return the time of the first call."""
    started = time.time()
    _in_threads(lambda pod: pod.start(), pods)
    return started


def remove_many(pods):
    _in_threads(lambda pod: pod.remove(), pods)
