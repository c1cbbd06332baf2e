# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The engine connection options of every module, named as in community.docker."""

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker engine to talk to, as V(unix:///path/to/docker.sock) or V(tcp://host:port).
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_HOST) is used
        instead. If that is not set either, the default value is used.
      - V(ssh://) engines are refused; connect to the node with Ansible's C(ssh) connection and use the default
        V(unix:///var/run/docker.sock) there.
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  tls_hostname:
    description:
      - The name the engine's certificate is checked against when O(validate_certs=true).
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_TLS_HOSTNAME) is
        used instead. If that is not set either, the host of O(docker_host) is used.
      - The docker command line client (M(podlike.swarm.podlike_stack)) always checks the host of O(docker_host).
    type: str
  api_version:
    description:
      - The Engine API version to use. V(auto) negotiates the version with the engine (the engine's version, at
        most V(1.51); Docker 20.10 or newer is needed).
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_API_VERSION) is
        used instead. If that is not set either, the default value is used.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for an answer from the engine.
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_TIMEOUT) is used
        instead. If that is not set either, the default value is used.
    type: int
    default: 60
  ca_path:
    description:
      - The CA certificate that signed the engine's certificate.
      - If the value is not specified in the task and the environment variable E(DOCKER_CERT_PATH) is set, the file
        C(ca.pem) from that directory is used.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - The client certificate to present to the engine.
      - If the value is not specified in the task and the environment variable E(DOCKER_CERT_PATH) is set, the file
        C(cert.pem) from that directory is used.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - The key of O(client_cert).
      - If the value is not specified in the task and the environment variable E(DOCKER_CERT_PATH) is set, the file
        C(key.pem) from that directory is used.
    type: path
    aliases: [tls_client_key, key_path]
  tls:
    description:
      - Talk TLS to the engine without verifying its certificate. O(validate_certs=true) takes precedence.
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_TLS) is used
        instead. If that is not set either, the default value is used.
    type: bool
    default: false
  validate_certs:
    description:
      - Talk TLS to the engine and verify its certificate against O(ca_path) and O(tls_hostname).
      - If the value is not specified in the task, the value of the environment variable E(DOCKER_TLS_VERIFY) is
        used instead. If that is not set either, the default value is used.
    type: bool
    default: false
    aliases: [tls_verify]
requirements:
  - Python 3.9 or later and PyYAML on the managed node.
notes:
  - The modules talk to the Engine API directly with Python's standard library; they need no Docker SDK for Python.
  - The connection options are the same in every module of the collection, so they can be set once for all of them
    with C(module_defaults) and the action group C(group/podlike.swarm.podlike).
"""
