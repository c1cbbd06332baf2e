# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""What the modules, the controller and the `podlike` command share, in layers that import only downwards.

The shared modules here (constants, trace, json_codec, threads, libraries, yaml_text, module_params, cli_errors)
import the standard library, PyYAML and each other; the packages: engine/ (the engine client), pod/ (the pod core),
template/ and kube/ (stack sources), host/ and stack/ (what a module asks for), controller/ (the `podlike` command).
Nothing imports ``ansible``: the controller image runs this with Python and PyYAML only. test_layers.py in the unit
tests checks.
"""
