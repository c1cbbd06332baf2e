# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The Docker host options, named as in community.docker."""

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker engine to talk to, as V(unix:///path/to/docker.sock) or V(tcp://host:port).
      - When unset, the E(DOCKER_HOST) environment variable of the target is used, else V(unix:///var/run/docker.sock).
    type: str
    aliases: [docker_url]
  tls:
    description:
      - Talk TLS to a V(tcp://) engine without verifying its certificate (see O(validate_certs)).
    type: bool
    default: false
  validate_certs:
    description:
      - Talk TLS to the engine and verify its certificate against O(ca_path).
    type: bool
    default: false
    aliases: [tls_verify]
  ca_path:
    description:
      - The CA certificate that signed the engine's certificate.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - The client certificate to present to the engine.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - The key of O(client_cert).
    type: path
    aliases: [tls_client_key, key_path]
  api_version:
    description:
      - The Engine API version to use. V(auto) uses E(DOCKER_API_VERSION) when set, else negotiates with the engine
        (the engine's version, at most V(1.51); Docker 20.10 or newer is needed).
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for an answer from the engine.
    type: int
    default: 60
notes:
  - The modules talk to the Engine API directly and need no Python package on the target beyond PyYAML.
"""
