# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The one Docker engine client: HTTP over the engine's socket (``transport``), the Engine API with its version
negotiation (``api``), and the connection options the modules share (``connection``).

Imports the standard library and the shared ``constants``, ``trace``, ``json_codec`` and ``threads`` only: no other
package of the collection.
"""
