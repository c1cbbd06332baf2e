# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""podlike_stack's work: the stack the options describe, deployed or removed, from Compose files and manifests."""

from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import cli_connection
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import DockerCli, ensure_absent, ensure_present


def kube_stacks(params, warn, data_files):
    """The stack translated from the ``kube`` manifests (a list of one), or an empty list.

    ``warn`` gets the translation's notes, ``data_files`` the ConfigMap and Secret data ({file name: bytes}) that
    its deploy reads.
    """
    if not params["kube"]:
        return []
    # Imported here: the translator is most of the module's code and most runs have no manifests.
    from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import stack_for_deploy

    stack, warnings = stack_for_deploy(
        params["kube"],
        params["name"],
        data_files,
        params["controller_image"],
        params["allow_host_paths"],
        params["lenient"],
    )
    for warning in warnings:
        warn(warning)
    return [stack]


class KubeDataCli(DockerCli):
    """The docker CLI whose ``stack deploy`` reads the manifests' ConfigMap and Secret data.

    The files are in a fresh private directory, named by ``$PODLIKE_KUBE_DATA``, only while the command runs.
    """

    def __init__(self, binary, environment, flags, data_files):
        super().__init__(binary, environment, flags)
        self.data_files = data_files

    def run(self, args, data=None, cwd=None):
        if list(args[:2]) != ["stack", "deploy"]:
            return super().run(args, data=data, cwd=cwd)
        from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import DATA_DIR_VARIABLE, data_directory

        with data_directory(self.data_files) as directory:
            environment = {**self.environment, DATA_DIR_VARIABLE: directory}
            return DockerCli(self.binary, environment, self.flags).run(args, data=data, cwd=cwd)


def apply(params, client, docker_bin, check_mode, warn):
    """Bring the stack to ``params["state"]`` with the docker CLI at ``docker_bin``; return the module result."""
    environment, flags = cli_connection(params)
    if params["state"] == "absent":
        cli = DockerCli(docker_bin, environment, flags)
        return ensure_absent(client, cli, params["name"], timeout=params["wait_timeout"], check_mode=check_mode)
    data_files = {}
    compose = kube_stacks(params, warn, data_files) + list(params["compose"] or [])
    if data_files:
        cli = KubeDataCli(docker_bin, environment, flags, data_files)
    else:
        cli = DockerCli(docker_bin, environment, flags)
    return ensure_present(client, cli, params["name"], compose, params, check_mode=check_mode)
