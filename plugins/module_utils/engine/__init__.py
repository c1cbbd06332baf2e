# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The one Docker engine client: HTTP over the engine's socket (``transport``), the Engine API with its version
negotiation (``api``), and the connection options the modules share (``connection``).

Imports the standard library and the shared ``constants``, ``trace`` and ``json_codec`` only: no other package of
the collection.
"""
