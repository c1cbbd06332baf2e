# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A running pod: creates, starts, watches, signals and stops its components.

The controller adapts this to its own container. Everything the pod learns about its components comes
from the engine's events stream; nothing is polled from the engine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

try:
    # The C module alone: queue.py adds classes the pod does not use and heapq, 70 kB of every controller.
    from _queue import Empty, SimpleQueue
except ImportError:  # pragma: no cover - CPython always has it
    from queue import Empty, SimpleQueue

from ansible_collections.podlike.swarm.plugins.module_utils import json_codec, trace
from ansible_collections.podlike.swarm.plugins.module_utils import threads as threading  # threading's, on _thread
from ansible_collections.podlike.swarm.plugins.module_utils.constants import DEFAULT_GRACE_PERIOD, LABEL_CONTROLLER_ID
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    Conflict,
    DockerError,
    NotFound,
    event_subject,
    read_json_lines,
    remove_and_wait,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import (
    GUARD,
    INFRA,
    create_body,
    guard_body,
    infra_body,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError, StartError, UnexpectedError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.guard import GONE_STATES, event_time, pod_containers
from ansible_collections.podlike.swarm.plugins.module_utils.pod.logs import copy_logs, print_last_lines
from ansible_collections.podlike.swarm.plugins.module_utils.pod.order import start_levels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.probes import run_probes
from ansible_collections.podlike.swarm.plugins.module_utils.pod.state import ComponentState, pod_health

RESTART_BACKOFF = 1.0
RESTART_BACKOFF_MAX = 30.0


class Pod:
    """One pod, driven from its controller container."""

    def __init__(self, client, controller, definition, context, output):
        self.client = client
        self.controller = controller
        self.definition = definition
        self.context = context
        self.output = output
        self.states = dict((c.name, ComponentState(c)) for c in definition.all_components())
        self.levels = start_levels(definition.components)
        self.infra_id = None
        self.guard_id = None
        self._infra_stdin = None
        self.intents = SimpleQueue()
        self.stopping = False
        self.lock = threading.Lock()
        self._changed = threading.Condition(self.lock)  # notified when a component ends while the pod stops
        self._stop_events = threading.Event()
        self._start_failed = threading.Event()
        self._failure = None
        self._infra_created = threading.Event()
        self._infra_started = threading.Event()
        self._guard_sent = threading.Event()
        self._image_checks = {}
        self._restarts_due = {}
        self._completion_deps = set(
            dep
            for c in definition.components
            for dep, cond in c.depends_on.items()
            if cond == "service_completed_successfully"
        )

    # lifecycle --------------------------------------------------------------------------------
    def run(self):
        """Start the pod, react to events and signals until it ends; return the exit code."""
        self._start_event_stream()
        try:
            self.start()
        except PodError as exc:
            if not isinstance(exc, UnexpectedError):
                self.output.error(str(exc))
            self.stop(reason="start failed")
            return exc.exit_code
        if self.stopping:
            self.stop(reason="terminated")
            return 0
        self.output.info("pod %s is running (%d components)" % (self.context.pod_name, len(self.states)))
        return self._loop()

    def start(self):
        """Bring every component up: init ones in order, then all others as their dependencies allow.

        The guard and the infra are created at once; no component is created, and the infra is not started,
        before the guard's start is on its way to the engine, so that a controller killed at any later moment
        leaves nothing behind. The components are created while the infra is attached and started.
        """
        self.reap_leftovers()
        helpers = [self._thread(self._start_guard, name="guard")]
        if self.context.needs_infra:
            helpers.append(self._thread(self._start_infra, name="infra"))
        else:
            self._guard_sent.wait()
            self._infra_created.set()
            self._infra_started.set()
        try:
            for component in self.definition.init_components:
                self._infra_started.wait()
                if self.stopping or self._start_failed.is_set():
                    break
                self._call_recording(self._run_init, component)
            if not (self.stopping or self._start_failed.is_set()):
                self._bring_up_all([c for level in self.levels for c in level])
        finally:
            for thread in helpers:
                thread.join()
        if self._failure is not None:
            raise self._failure

    def _bring_up_all(self, components):
        """Create every component at once; start each as soon as its dependencies are met."""

        def bring_up(component):
            client = self.client.clone()
            try:
                self._infra_created.wait()
                if self.stopping or self._start_failed.is_set():
                    return
                self._create(component, client)
                self._infra_started.wait()
                self._wait_for_dependencies(component)
                if not (self.stopping or self._start_failed.is_set()):
                    self._start_component(component, client)
            except DockerError as exc:
                raise StartError("the engine refused: %s" % exc, component.name)
            finally:
                client.close()

        in_threads(lambda component: self._call_recording(bring_up, component), components)

    def _call_recording(self, target, *args):
        """Call target; a PodError, an engine refusal or anything unexpected fails the start (first one wins)."""
        try:
            target(*args)
        except PodError as exc:
            self._fail(exc)
        except DockerError as exc:
            self._fail(StartError("the engine refused: %s" % exc))
        except Exception as exc:  # noqa: BLE001 - one line and exit code 1, never a dead thread's traceback
            self.fail_unexpectedly(exc)

    def _fail(self, error):
        with self.lock:
            if self._failure is None:
                self._failure = error
        self._start_failed.set()

    def fail_unexpectedly(self, exc):
        """An exception nobody expected, in any thread: one line, then the pod stops with exit code 1."""
        error = UnexpectedError("unexpected failure: %s: %s" % (type(exc).__name__, exc))
        self.output.error(str(error))
        self._fail(error)
        self.intents.put(("fatal", error))

    def _thread(self, target, *args, **kwargs):
        """A started daemon thread whose failures end the pod instead of printing a traceback."""
        thread = threading.Thread(target=self._call_recording, args=(target,) + args, name=kwargs.get("name"))
        thread.daemon = True
        thread.start()
        return thread

    def _loop(self):
        while True:
            code = self._restart_due_components()
            if code is not None:
                return code
            try:
                kind, value = self.intents.get(timeout=self._next_wakeup())
            except Empty:
                continue
            if kind == "signal":
                code = self._on_signal(value)
            elif kind == "event":
                code = self._on_event(value)
            elif kind == "fatal":
                self.stop(reason="unexpected failure")
                code = value.exit_code
            if code is not None:
                return code

    # signals and events -----------------------------------------------------------------------
    def deliver_signal(self, name):
        """Called from a signal handler: turn the signal into an intent for the loop."""
        trace.mark("signal SIG%s" % name)
        if name in ("TERM", "INT"):
            self.stopping = True
        self.intents.put(("signal", name))

    def _on_signal(self, name):
        if name in ("HUP", "USR1", "USR2", "INT"):
            self.forward_signal(name)
        if name in ("TERM", "INT"):
            self.stop(reason="received SIG%s" % name)
            return 0
        return None

    def forward_signal(self, name):
        for state in self._running():
            try:
                self.client.kill_container(state.container_id, "SIG" + name)
                self.output.info("forwarded SIG%s to %s" % (name, state.component.name))
            except DockerError as exc:
                self.output.warn("could not forward SIG%s to %s: %s" % (name, state.component.name, exc))

    def _on_event(self, event):
        container_id, action = event_subject(event)
        if action == "die" and not self.stopping and container_id in (self.infra_id, self.guard_id):
            role = "infra" if container_id == self.infra_id else "guard"
            self.output.error("the pod's %s container ended; stopping the pod" % role)
            self.stop(reason="%s ended" % role)
            return 1
        state = self._state_for(container_id)
        if state is None:
            return None
        if action.startswith("health_status"):
            self.output.info("%s is %s" % (state.component.name, action.split(":", 1)[1].strip()))
            return None
        if action == "oom":
            self.output.warn("%s was killed: out of memory" % state.component.name)
            return None
        if action != "die" or state.status in ("exited", "removed"):
            return None
        code = _exit_code(event)
        with self.lock:
            state.status = "exited"
            state.exit_code = code
        if self.stopping or state.component.init:
            return None
        return self._after_exit(state, code)

    def _after_exit(self, state, code):
        """Restart the component, or end the pod, or carry on, by the restart and exit policies."""
        component = state.component
        if code == 0 and component.name in self._completion_deps:
            state.completed = True
            self.output.info("%s completed" % component.name)
            return None
        if component.restart.should_restart(code, state.restarts):
            delay = restart_delay(state.restarts)
            self.output.warn(
                "%s exited with code %d; restarting in %.1fs (restart %d)"
                % (component.name, code, delay, state.restarts + 1)
            )
            self._restarts_due[component.name] = time.time() + delay
            return None
        if self.context.settings.exit_policy == "continue":
            self.output.warn("%s exited with code %d; the pod carries on without it" % (component.name, code))
            if any(s.status == "running" for s in self.states.values() if not s.component.init):
                return None
            self.stop(reason="no component left running")
            return 0 if all(s.exit_code == 0 for s in self.states.values()) else 1
        self.output.warn("%s exited with code %d; stopping the pod" % (component.name, code))
        self.stop(reason="%s exited" % component.name)
        if code:
            return code
        all_done = all(s.exit_code == 0 for s in self.states.values() if not s.component.init)
        return 0 if all_done else 1

    def _next_wakeup(self):
        if not self._restarts_due:
            return 5
        return max(0.01, min(self._restarts_due.values()) - time.time())

    def _restart_due_components(self):
        now = time.time()
        for name, due in sorted(self._restarts_due.items(), key=lambda item: item[1]):
            if due > now or self.stopping:
                continue
            del self._restarts_due[name]
            state = self.states[name]
            self._call_recording(self._restart, state)
            if self._failure is not None:
                if not isinstance(self._failure, UnexpectedError):
                    self.output.error(str(self._failure))
                self.stop(reason="restart of %s failed" % name)
                return self._failure.exit_code
            with self.lock:
                state.restarts += 1
        return None

    def _restart(self, state):
        self._remove(state.container_id)
        self._check_named_volumes(state.component)
        self._create(state.component, self.client)
        self._start_component(state.component, self.client)

    def _check_named_volumes(self, component):
        """The policy's volume rows before a component is created again: its named volumes may have changed."""
        host = component.host_config
        named = [mount for mount in host.get("Mounts") or [] if mount.get("Type") == "volume"]
        if not named and not any(not str(bind).startswith("/") for bind in host.get("Binds") or []):
            return
        from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy  # only for such restarts

        socket = self.context.engine_socket
        allowances = policy.Allowances.from_settings(
            self.context.settings, engine_sockets=[socket[0]] if socket else []
        )

        def inspect_volume(name):
            return self.client.find_volume(self.context.volume_names.get(name, name))

        policy.check_named_volumes(component.name, host, allowances, inspect_volume)

    def _state_for(self, container_id):
        for state in self.states.values():
            if state.container_id and state.container_id == container_id:
                return state
        return None

    def _running(self):
        return [s for s in self.states.values() if s.status == "running" and s.container_id]

    def _start_event_stream(self):
        self._thread(self._read_events, name="events")

    def _read_events(self):
        client = self.client.clone()
        filters = {
            "type": ["container"],
            "label": ["%s=%s" % (LABEL_CONTROLLER_ID, self.context.controller_id)],
            "event": ["die", "health_status", "oom", "start"],
        }
        cursor = EventCursor("%.9f" % time.time())
        while not self._stop_events.is_set():
            try:
                stream = client.events(filters=filters, since=cursor.since)
                for event in read_json_lines(stream):
                    if not cursor.is_new(event):
                        continue
                    self._observe(event)
                    self.intents.put(("event", event))
            except (DockerError, OSError, ValueError):
                pass
            self._stop_events.wait(0.5)

    def _observe(self, event):
        """Record health and exits as they happen, for the threads waiting on dependencies."""
        container_id, action = event_subject(event)
        state = self._state_for(container_id)
        if state is None:
            return
        with self._changed:
            if action.startswith("health_status"):
                state.health = action.split(":", 1)[1].strip()
            elif action == "die":
                state.observed_exit = _exit_code(event)
                self._changed.notify_all()

    # starting ---------------------------------------------------------------------------------
    def reap_leftovers(self):
        """Remove containers left by an earlier run of this controller, or by controllers that are gone.

        The rule is the guard's and the node sweeper's (guard.owner_of): a container is removed on its own
        labels only, and only when the controller they name is this one or no longer runs.
        """
        found, self.context.leftovers = self.context.leftovers, None  # looked for at start, else now
        if found is None:
            try:
                found = pod_containers(self.client.containers(labels=[LABEL_CONTROLLER_ID]))
            except DockerError as exc:
                self.output.warn("could not look for leftover components: %s" % exc)
                return
        owners = set(owner for _id, _name, owner in found)
        owners.discard(self.context.controller_id)
        alive = set()
        if owners:
            try:
                alive = set(
                    c["Id"] for c in self.client.containers(ids=sorted(owners)) if c.get("State") not in GONE_STATES
                )
            except DockerError as exc:
                self.output.warn("could not look for leftover components: %s" % exc)
                return
        for container_id, name, owner in found:
            if owner == self.context.controller_id or owner not in alive:
                self.output.info("removing leftover container %s" % name)
                self._remove(container_id)

    def _start_guard(self):
        """Create the guard and send its start; _guard_sent is set as soon as the start is on its way."""
        if self.context.sweeper:
            self.output.info(
                "no guard: the node sweeper %s removes what is left if the controller is killed "
                "(pod.controller.guard: always to have one)" % self.context.sweeper
            )
            self._guard_sent.set()
            return
        if not self.context.engine_socket:
            self.output.warn(
                "the engine is not reached through a mounted unix socket: the pod has no guard, and components "
                "created but not started are left behind if the controller is killed"
            )
            self._guard_sent.set()
            return
        client = self.client.clone()
        try:
            body = guard_body(self.context, self._own_image())
            self.guard_id = self._create_helper(client, GUARD, body)
            self._start_helper(client, GUARD, self.guard_id, on_sent=self._guard_sent.set)
        finally:
            self._guard_sent.set()
            client.close()

    def _start_infra(self):
        """Create the infra, attach to its stdin (the dead-man's switch), start it."""
        client = self.client.clone()
        try:
            try:
                self.infra_id = self._create_helper(client, INFRA, infra_body(self.context, self._own_image()))
                self.context.infra_id = self.infra_id
            finally:
                self._guard_sent.wait()
                self._infra_created.set()
            if self._start_failed.is_set():
                return
            try:
                self._infra_stdin = client.attach_stdin(self.infra_id)
            except DockerError as exc:
                raise StartError("the pod's infra container: the engine refused to attach to it: %s" % exc)
            self._start_helper(client, INFRA, self.infra_id)
        finally:
            self._infra_started.set()
            client.close()

    def _own_image(self):
        """The controller's image by ID: a tag may have moved to another build since the controller started."""
        return self.controller.get("Image") or self.controller["Config"]["Image"]

    def _create_helper(self, client, name, body):
        try:
            return client.create_container(self.context.container_name(name), body)["Id"]
        except DockerError as exc:
            raise StartError("the pod's %s container: the engine refused to create it: %s" % (name[1:], exc))

    def _start_helper(self, client, name, container_id, on_sent=None):
        try:
            client.start_container(container_id, on_sent=on_sent)
        except DockerError as exc:
            raise StartError("the pod's %s container: the engine refused to start it: %s" % (name[1:], exc))

    def _create(self, component, client):
        state = self.states[component.name]
        body = create_body(component, self.context, warn=self.output.warn)
        if component.init:
            body["HostConfig"]["AutoRemove"] = False
        name = self.context.container_name(component.name)
        pull_policy = component.pull_policy or ("always" if self.context.settings.pull else "missing")
        if pull_policy == "always":
            self._pull(component, client)
        try:
            created = self._create_or_pull(component, client, name, body, pull_policy)
        except Conflict as exc:
            raise StartError("a container named %s already exists: %s" % (name, exc), component.name)
        except DockerError as exc:
            raise StartError("the engine refused to create it: %s" % exc, component.name)
        for warning in created.get("Warnings") or []:
            self.output.warn("%s: %s" % (component.name, warning))
        with self.lock:
            state.container_id = created["Id"]
            state.status = "created"
            state.health = None
            state.observed_exit = None
        pairs = self.definition.copies.get(component.name)
        if pairs:
            from ansible_collections.podlike.swarm.plugins.module_utils.pod.copy import copy_into

            try:
                copy_into(client, state.container_id, component.name, pairs)
            except DockerError as exc:
                raise StartError("the engine refused the copy into it: %s" % exc, component.name)

    def _create_or_pull(self, component, client, name, body, pull_policy):
        try:
            return client.create_container(name, body)
        except NotFound as exc:
            if pull_policy == "never":
                raise StartError(
                    'key "image": image %s is not on this node (pull_policy: never)' % component.image, component.name
                )
            if "image" not in str(exc).lower():
                raise
        self._pull(component, client)
        return client.create_container(name, body)

    def _pull(self, component, client):
        from ansible_collections.podlike.swarm.plugins.module_utils.pod.registry_auth import auth_header

        self.output.info("pulling image %s for %s" % (component.image, component.name))
        try:
            client.pull_image(component.image, auth_header=auth_header(component.image, warn=self.output.warn))
        except DockerError as exc:
            raise StartError(
                'key "image": image %s is not on this node and could not be pulled: %s' % (component.image, exc),
                component.name,
            )

    def _start_component(self, component, client):
        state = self.states[component.name]
        self.output.info("starting %s" % component.name)
        try:
            client.start_container(state.container_id)
        except DockerError as exc:
            raise StartError("the engine refused to start it: %s" % exc, component.name)
        has_healthcheck = self._has_healthcheck(component, client)
        with self.lock:
            if state.status == "created":
                state.status = "running"
            if has_healthcheck:
                state.health = state.health or "starting"
            if component.probes:
                state.ready = "starting" if "readiness" in component.probes else None
        if self.context.settings.logs:
            self._background(
                copy_logs,
                client.clone(),
                state.container_id,
                component.name,
                component.tty,
                self.output,
            )
        if component.post_start:
            self._run_hook(state, "post_start", component.post_start, client, fatal=True)
        if component.probes:
            self._background(self._probe, state, state.container_id)

    def _background(self, target, *args):
        self._thread(target, *args)

    def _probe(self, state, container_id):
        """Run the component's probes; a failed startup or liveness probe kills it (its restart policy acts)."""
        client = self.client.clone()

        def active():
            return not self.stopping and state.container_id == container_id and state.status == "running"

        def on_failure(kind, count):
            self.output.warn("%s: %s probe failed %d times; killing it" % (state.component.name, kind, count))
            try:
                client.kill_container(container_id)
            except DockerError:
                pass

        try:
            run_probes(
                client,
                state.component.probes,
                container_id,
                active,
                lambda ready, failed: self._set_ready(state, container_id, ready, failed),
                on_failure,
            )
        finally:
            client.close()

    def _set_ready(self, state, container_id, ready, failed):
        with self.lock:
            if state.container_id != container_id:
                return
            before = state.ready
            if ready:
                state.ready = True
            elif failed and before is True:
                state.ready = False
            after = state.ready
        if before != after:
            self.output.info("%s is %s" % (state.component.name, "ready" if after is True else "not ready"))

    def _run_hook(self, state, key, command, client, fatal=False, timeout=30):
        try:
            code, output = client.exec_run(state.container_id, command, timeout=timeout)
        except DockerError as exc:
            if fatal:
                raise StartError("the engine refused to run its %s hook: %s" % (key, exc), state.component.name)
            code, output, failure = -1, getattr(exc, "output", ""), str(exc)
        else:
            failure = None
        for line in output.splitlines():
            self.output.component_line(state.component.name + " " + key, line.encode("utf-8"))
        if code != 0:
            message = (
                "%s hook: %s" % (key, failure)
                if failure
                else "%s hook %s exited with code %s"
                % (
                    key,
                    " ".join(command),
                    code,
                )
            )
            if fatal:
                raise StartError(message, state.component.name)
            self.output.warn("%s: %s" % (state.component.name, message))

    def _wait_for_dependencies(self, component):
        """Block until each dependency meets its condition; sidecars come before main components."""
        conditions = dict(component.depends_on)
        if not component.sidecar:
            for sidecar in self.definition.components:
                if sidecar.sidecar:
                    conditions.setdefault(sidecar.name, "service_healthy")
        for name, condition in sorted(conditions.items()):
            self._wait_for(component, self.states[name], condition)

    def _wait_for(self, component, dependency, condition):
        announced = False
        while not (self.stopping or self._start_failed.is_set()):
            with self.lock:
                status, health, exit_code = dependency.status, dependency.health, dependency.observed_exit
            if condition == "service_completed_successfully":
                if exit_code == 0:
                    return
                if exit_code is not None:
                    raise StartError(
                        "dependency %s exited with code %d instead of completing successfully"
                        % (dependency.component.name, exit_code),
                        component.name,
                    )
            elif exit_code is not None:
                raise StartError(
                    "dependency %s exited with code %d before %s could start"
                    % (dependency.component.name, exit_code, component.name),
                    component.name,
                )
            elif status == "running" and (condition == "service_started" or health in (None, "healthy")):
                return
            if not announced and status == "running":
                self.output.info("%s waits for %s (%s)" % (component.name, dependency.component.name, condition))
                announced = True
            time.sleep(0.01 if status != "running" else 0.05)

    def _has_healthcheck(self, component, client):
        """A healthcheck of the component's own (not disabled), or else one of its image (looked up once)."""
        own = component.healthcheck
        if own is not None:
            return own.get("Test") != ["NONE"]
        if component.image not in self._image_checks:
            try:
                image = client.inspect_image(component.image)
                test = ((image.get("Config") or {}).get("Healthcheck") or {}).get("Test")
            except DockerError:
                test = None
            self._image_checks[component.image] = bool(test) and test != ["NONE"]
        return self._image_checks[component.image]

    def _run_init(self, component):
        """Run an init component to its end; a stop asked meanwhile (SIGTERM) ends the wait, and the stop ends it."""
        self._create(component, self.client)
        state = self.states[component.name]
        self._start_component(component, self.client)
        ended = {}
        waiter = threading.Thread(target=self._wait_for_end, args=(state.container_id, ended), name="init")
        waiter.daemon = True
        waiter.start()
        while "done" not in ended and not self.stopping:
            waiter.join(0.2)  # the main thread: signal handlers run between the joins
        if self.stopping:
            return
        if "error" in ended:
            raise StartError("waiting for the init component failed: %s" % ended["error"], component.name)
        code = int((ended.get("result") or {}).get("StatusCode", 1))
        with self.lock:
            state.status = "exited"
            state.exit_code = code
        if code != 0 and not self.context.settings.logs:
            print_last_lines(self.client, state.container_id, component.name, self.output)
        self._remove(state.container_id)
        if code != 0:
            error = StartError("init component exited with code %d" % code, component.name)
            error.exit_code = code
            raise error
        self.output.info("%s completed" % component.name)

    def _wait_for_end(self, container_id, ended):
        """ended["result"]: the engine's answer to waiting for the container, or ended["error"]; then ended["done"]."""
        client = self.client.clone()
        try:
            ended["result"] = client.wait_container(container_id, timeout=None)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread, in one line
            ended["error"] = exc
        finally:
            client.close()
            ended["done"] = True

    # stopping ---------------------------------------------------------------------------------
    def stop(self, reason="stopping"):
        """Stop components in reverse start order within the grace period, then remove them and the helpers."""
        self.stopping = True
        self.output.info("stopping the pod (%s)" % reason)
        deadline = time.time() + self.grace_period() - 0.5
        # A level waits for the one above it to have ended, not to be removed: removals go on in the background.
        workers, stopped = [], set()
        for level in reversed(self.levels):
            workers += self._stop_level([self.states[c.name] for c in level], deadline)
            stopped.update(c.name for c in level)
            trace.mark("stop: level of %d ended" % len(level))
        leftovers = [
            s
            for s in self.states.values()
            if s.container_id and s.status != "removed" and s.component.name not in stopped
        ]
        workers += self._stop_level(leftovers, deadline)
        workers += self._remove_helpers()
        trace.mark("stop: helpers' removal started")
        for thread in workers:
            thread.join()
        trace.mark("stop: all removed")
        self.infra_id = self.guard_id = None
        self._stop_events.set()
        self.output.info("pod stopped")

    def _remove_helpers(self):
        """Threads removing the infra and the guard, once every component has stopped: its namespaces are no
        longer needed, and a component stopped but not yet removed is removed by the engine (auto-remove)."""
        if self._infra_stdin is not None:
            self._infra_stdin.close()
            self._infra_stdin = None
        helpers = [container_id for container_id in (self.infra_id, self.guard_id) if container_id]
        return [self._thread(self._remove_with_own_client, container_id) for container_id in helpers]

    def _remove_with_own_client(self, container_id):
        client = self.client.clone()
        try:
            self._remove(container_id, client)
        finally:
            client.close()

    def grace_period(self):
        configured = self.context.settings.grace_period
        if configured:
            return float(configured)
        timeout = (self.controller.get("Config") or {}).get("StopTimeout")
        return float(timeout or DEFAULT_GRACE_PERIOD)

    def _stop_level(self, states, deadline):
        """Stop, then remove, the containers of states, each in a thread; return the threads once each container
        has ended: its die event came (the first sign), or the engine answered its stop."""
        states = [s for s in states if s.container_id and s.status != "removed"]
        answered = set()

        def stop_and_remove(state):
            client = self.client.clone()
            try:
                try:
                    self._stop_one(state, deadline, client)
                finally:
                    with self._changed:
                        answered.add(state.component.name)
                        self._changed.notify_all()
                self._remove(state.container_id, client)
            finally:
                client.close()
            with self.lock:
                state.status = "removed"

        threads = [self._thread(stop_and_remove, state) for state in states]
        with self._changed:
            while not all(s.component.name in answered or s.observed_exit is not None for s in states):
                self._changed.wait()
        return threads

    def _stop_one(self, state, deadline, client):
        own = state.component.stop_grace_period
        if state.status == "running" and state.component.pre_stop:
            remaining = max(0.0, deadline - time.time())
            self._run_hook(state, "pre_stop", state.component.pre_stop, client, timeout=max(1, int(remaining)))
        remaining = max(0.0, deadline - time.time())
        timeout = int(min(own if own is not None else remaining, remaining))
        if state.status == "running":
            try:
                client.stop_container(state.container_id, timeout)
            except NotFound:
                pass
            except DockerError as exc:
                self.output.warn("could not stop %s: %s" % (state.component.name, exc))

    def _remove(self, container_id, client=None):
        """Remove a container; when the engine is already removing it, wait for that to end."""
        try:
            remove_and_wait(client or self.client, container_id)
        except DockerError as exc:
            self.output.warn("could not remove %s: %s" % (container_id[:12], exc))

    # health -----------------------------------------------------------------------------------
    def health(self):
        """(state, [component dicts]) of the pod's long-running components."""
        with self.lock:
            components = [s.as_dict() for s in self.states.values() if not s.component.init]
        return pod_health(components, self.stopping), components

    def health_report(self):
        state, components = self.health()
        return state + "\n" + json_codec.dumps({"pod": self.context.pod_name, "state": state, "components": components})


def restart_delay(restarts):
    """Seconds before the next restart: at once the first time, then 1, 2, 4 ... up to the maximum."""
    if restarts == 0:
        return 0.0
    return min(RESTART_BACKOFF * (2 ** (restarts - 1)), RESTART_BACKOFF_MAX)


def in_threads(target, items):
    """Call target(item) for every item, each in its own thread; return when all are done."""
    threads = [threading.Thread(target=target, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class EventCursor:
    """Where the events stream resumes after a reconnection, and the events at that time already passed on.

    The engine sends again the events at `since` (its time is inclusive), exact to the nanosecond (event_time).
    """

    def __init__(self, since):
        self.since = since
        self._seen = set()

    def is_new(self, event):
        """Whether event is to be passed on (not seen before); moves the resume point to its time."""
        at = event_time(event)
        if at is None:
            return True
        key = (event_subject(event), event.get("timeNano"))
        if at != self.since:
            self.since, self._seen = at, set()
        elif key in self._seen:
            return False
        self._seen.add(key)
        return True


def _exit_code(event):
    """The exit code of a die event; 1 when it holds none that is a number."""
    try:
        return int(str((event.get("Actor") or {}).get("Attributes", {}).get("exitCode", 1)), 10)
    except ValueError:
        return 1
