# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""podlike_stack's work: the stack the options describe, deployed or removed, from Compose files and manifests."""

from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import cli_connection
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import DockerCli, ensure_absent, ensure_present


def kube_stacks(params, warn):
    """The stack translated from the ``kube`` manifests (a list of one), or an empty list; ``warn`` gets notes."""
    if not params["kube"]:
        return []
    # Imported here: the translator is most of the module's code and most runs have no manifests.
    from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import stack_for_deploy

    stack, warnings = stack_for_deploy(
        params["kube"], params["name"], params["controller_image"], params["allow_host_paths"], params["lenient"]
    )
    for warning in warnings:
        warn(warning)
    return [stack]


def apply(params, client, docker_bin, check_mode, warn):
    """Bring the stack to ``params["state"]`` with the docker CLI at ``docker_bin``; return the module result."""
    environment, flags = cli_connection(params)
    cli = DockerCli(docker_bin, environment, flags)
    if params["state"] == "absent":
        return ensure_absent(client, cli, params["name"], timeout=params["wait_timeout"], check_mode=check_mode)
    compose = kube_stacks(params, warn) + list(params["compose"] or [])
    return ensure_present(client, cli, params["name"], compose, params, check_mode=check_mode)
