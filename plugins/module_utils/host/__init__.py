# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A pod on one Docker host, as the modules and ``podlike debug`` see it: its controller container made from a
definition (``pod``), brought to a requested state (``apply``), described (``status``) and debugged (``debug``).

Imports the pod core (``pod/``), the engine client (``engine/``) and the shared modules of ``module_utils``;
never ``ansible``.
"""
