# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Checks every module makes before it acts, beyond what Ansible's argument spec expresses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.podlike.swarm.plugins.module_utils.libraries import LIBRARIES, MissingLibrary
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import HAS_YAML


class OptionError(ValueError):
    """Options a module cannot act on; the message is one line naming the option."""


def check_options(params, non_empty=()):
    """Raise MissingLibrary without PyYAML, OptionError when a required string option is empty or blank."""
    if not HAS_YAML:
        raise MissingLibrary(LIBRARIES["yaml"])
    empty = [name for name in non_empty if isinstance(params.get(name), str) and not params[name].strip()]
    if empty:
        raise OptionError("%s must not be empty" % " and ".join(empty))


def module_client(module, missing_required_lib, connect, non_empty=()):
    """The engine client for a module's options, or the module failed in one line.

    ``connect`` builds the client from the options (``engine.connection.client_from_params``; its option errors are
    ValueErrors); ``missing_required_lib`` is Ansible's, passed in as nothing here imports ``ansible``.
    """
    try:
        check_options(module.params, non_empty=non_empty)
        return connect(module.params)
    except MissingLibrary as exc:
        module.fail_json(msg=missing_required_lib(exc.library, reason=exc.reason))
    except ValueError as exc:
        module.fail_json(msg=str(exc))
