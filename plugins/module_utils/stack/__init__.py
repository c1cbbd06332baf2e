# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A pod stack on Swarm for podlike_stack: rendered, checked by the pod core's policy, compared with what is
deployed, deployed with ``docker stack deploy``, waited for, removed.

Imports the shared modules of ``module_utils``, ``engine/``, ``pod/``, ``template/`` and ``kube/``; never host/
or controller/.
"""
