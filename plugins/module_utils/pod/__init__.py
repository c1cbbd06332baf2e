# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The pod core: a component definition (Compose keys in labels) to the engine's container settings, the policy
on them, namespace sharing, start order, probes, copy, and the runtime that runs and stops the pod.

Imports the shared modules of ``module_utils`` and ``engine/``; never host/, stack/, template/, kube/, controller/.
"""
