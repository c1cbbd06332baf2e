# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""``x-podlike`` stack templating (Jinja2 and Go-template syntax), the template library, and Compose stacks
rendered into plain pod stacks whose components the pod core checks.

Imports the shared modules of ``module_utils`` and ``pod/``; never the engine, host/, stack/, kube/, controller/.
"""
