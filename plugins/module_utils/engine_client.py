# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The Docker host options every module shares, and the DockerClient they describe."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.podlike.swarm.plugins.module_utils.docker_api import DEFAULT_HOST, DockerClient

# Names and meaning as in community.docker.
ENGINE_ARGUMENT_SPEC = dict(
    docker_host=dict(type="str", aliases=["docker_url"]),
    tls=dict(type="bool", default=False),
    validate_certs=dict(type="bool", default=False, aliases=["tls_verify"]),
    ca_path=dict(type="path", aliases=["ca_cert", "tls_ca_cert", "cacert_path"]),
    client_cert=dict(type="path", aliases=["tls_client_cert", "cert_path"]),
    client_key=dict(type="path", aliases=["tls_client_key", "key_path"]),
    api_version=dict(type="str", default="auto", aliases=["docker_api_version"]),
    timeout=dict(type="int", default=60),
)


def engine_argument_spec(**module_options):
    """The module's own options plus the Docker host options."""
    spec = dict(ENGINE_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


def client_from_params(params, environ=None):
    """A DockerClient for the docker_host/tls options (environment variables fill what is unset)."""
    environ = os.environ if environ is None else environ
    base_url = params.get("docker_host") or environ.get("DOCKER_HOST") or DEFAULT_HOST
    api_version = params.get("api_version")
    if not api_version or api_version == "auto":
        api_version = environ.get("DOCKER_API_VERSION") or None
    return DockerClient(
        base_url, api_version=api_version, timeout=params.get("timeout") or 60, tls=tls_settings(params)
    )


def tls_settings(params):
    """The DockerClient tls dict, or None for a plain connection."""
    if not (params.get("tls") or params.get("validate_certs")):
        return None
    return {
        "ca_cert": params.get("ca_path"),
        "client_cert": params.get("client_cert"),
        "client_key": params.get("client_key"),
        "verify": bool(params.get("validate_certs")),
    }
