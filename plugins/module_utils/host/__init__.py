# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A pod on one Docker host, as the modules and ``podlike debug`` see it: its controller container made from a
definition (``pod``), brought to a requested state (``apply``), described (``status``) and debugged (``debug``).

Imports the shared modules of ``module_utils``, ``engine/`` and ``pod/``; never template/, kube/, stack/,
controller/.
"""
