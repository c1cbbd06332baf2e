# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The controller: the ``podlike`` command (run a pod from its own labels, ``health``, ``template``, ``kube``,
``debug``), its self-discovery and start, the health socket and the log output.

The top layer: may import every other package of ``module_utils``; nothing imports it.
"""
