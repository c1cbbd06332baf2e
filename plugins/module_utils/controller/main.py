# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller's command line: `podlike [flags]`, `podlike health`, `podlike template`, `podlike kube`..."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

from ansible_collections.podlike.swarm.plugins.module_utils.constants import VERSION
from ansible_collections.podlike.swarm.plugins.module_utils.controller.output import Output

USAGE = """usage: podlike [flags]             run the pod of this container (the controller)
       podlike health             print the pod's components and their health; exit 0 when healthy
       podlike healthcheck        exit 0 when the pod is healthy (asks over the health socket)
       podlike template FILE...   render an x-podlike stack to a plain stack file
       podlike kube FILE...       translate Kubernetes manifests to a pod stack file (see kube.md)
       podlike debug POD IMAGE [COMMAND...]
                                  run a throw-away container in a pod's network and PID namespaces
       podlike guard --node [--label KEY=VALUE]... [--interval SECONDS]
                                  the node's sweeper: remove the containers of pods whose controller is gone
       podlike version            print the version
"""

# The signals the controller acts on (TERM and INT stop the pod), as pod.deliver_signal names them.
HANDLED_SIGNALS = ("TERM", "INT", "HUP", "USR1", "USR2")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    if command in ("health", "healthcheck"):
        from ansible_collections.podlike.swarm.plugins.module_utils.controller.health import client_main

        return client_main(verbose=command == "health")
    if command == "template":
        from ansible_collections.podlike.swarm.plugins.module_utils.template.cli import main as template_main

        return template_main(argv[1:])
    if command == "kube":
        from ansible_collections.podlike.swarm.plugins.module_utils.kube.cli import main as kube_main

        return kube_main(argv[1:])
    if command == "debug":
        return debug_main(argv[1:])
    if command == "guard":
        from ansible_collections.podlike.swarm.plugins.module_utils.pod.guard import main as guard_main

        return guard_main(argv)
    if command == "version":
        sys.stdout.write("podlike.swarm controller %s\n" % VERSION)
        return 0
    if command in ("-h", "--help", "help"):
        from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import usage

        sys.stdout.write(USAGE + "\n" + usage() + "\n")
        return 0
    return run_controller(argv, apart=True)


def debug_main(argv):
    """Run IMAGE [COMMAND...] inside POD (a controller on this engine), like kubectl debug."""
    from ansible_collections.podlike.swarm.plugins.module_utils.cli_errors import report_error
    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient, DockerError
    from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import PodStateError
    from ansible_collections.podlike.swarm.plugins.module_utils.host.debug import run_in_pod

    if len(argv) < 2:
        sys.stderr.write("usage: podlike debug POD IMAGE [COMMAND...]\n")
        return 2
    client = DockerClient()
    try:
        result = run_in_pod(client, argv[0], argv[1], command=argv[2:] or None)
        sys.stderr.write("podlike debug: engine %s\n" % client.describe_api())
    except (PodStateError, DockerError) as exc:
        return report_error(sys.stderr, "podlike debug", exc)
    sys.stdout.write(result["stdout"])
    sys.stderr.write(result["stderr"])
    return result["rc"] or 0


def run_controller(argv, output=None, apart=False):
    """Run the pod whose definition is in this container's labels; return the exit code.

    apart: the definition is read in a child process (the controller's own run: see controller/apart.py).
    """
    from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError

    output = output or Output()
    try:
        pod = _boot_apart(argv, output) if apart else _boot(argv, output)
    except PodError as exc:
        output.error(str(exc))
        return exc.exit_code
    except DockerError as exc:
        output.error(str(exc))
        return 3
    _handle_signals(pod)
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.health import publish_state, serve

    if serve(pod, output) is None:
        publish_state(pod)
    try:
        return pod.run()
    except DockerError as exc:
        output.error(str(exc))
        code, reason = 3, "engine error"
    except Exception as exc:  # noqa: BLE001 - one line, the pod removed, never a traceback
        output.error("unexpected failure: %s: %s" % (type(exc).__name__, exc))
        code, reason = 1, "unexpected failure"
    try:
        pod.stop(reason=reason)
    except Exception as exc:  # noqa: BLE001 - the guard removes what is left when the controller ends
        output.error("unexpected failure while stopping: %s: %s" % (type(exc).__name__, exc))
    return code


def _boot(argv, output, parts=False):
    """The Pod (or, with parts, what it is built from), the engine lookups sent before the pod core loads."""
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.lookups import StartLookups

    lookups = StartLookups()  # the engine answers while the pod core's modules load
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.boot import boot, pod_parts

    return (pod_parts if parts else boot)(argv, output, lookups=lookups)


def _boot_apart(argv, output):
    """The Pod, built from what a child process read and checked: this process never loads PyYAML or the parsers."""
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.apart import Apart

    start_up = Apart(_pod_parts, argv, output)
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import Pod  # while the child works

    from ansible_collections.podlike.swarm.plugins.module_utils import trace

    client, controller, definition, context = start_up.result()
    pod = Pod(client, controller, definition, context, output)
    trace.mark("pod ready to start")
    return pod


def _pod_parts(argv, output):
    """What the Pod is built from; the child builds no Pod (it does not load the runtime)."""
    # While this thread imports the pod core, the lookups' threads get the interpreter within 0.5 ms, not 5.
    sys.setswitchinterval(0.0005)
    return _boot(argv, output, parts=True)


def _handle_signals(pod):
    """Turn the handled signals into the pod's intents; with `_signal`, as signal.py would load enum."""
    import _signal

    names = dict((getattr(_signal, "SIG" + name), name) for name in HANDLED_SIGNALS)

    def forward(signum, frame):
        pod.deliver_signal(names[signum])

    for signum in names:
        _signal.signal(signum, forward)


def entrypoint():
    """Console entry that never shows a traceback for an unexpected failure."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        from ansible_collections.podlike.swarm.plugins.module_utils.cli_errors import report_error

        report_error(sys.stderr, "podlike", "unexpected failure: %s: %s" % (type(exc).__name__, exc))
        if os.environ.get("PODLIKE_DEBUG"):
            raise
        code = 70
    sys.stdout.flush()
    from ansible_collections.podlike.swarm.plugins.module_utils import trace

    trace.mark("exit %s" % code)
    os._exit(code)
