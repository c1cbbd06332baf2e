# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Python libraries outside the standard library that some code paths need, and the error when one is missing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

# import name: distribution name (what requirements.txt and the error message name)
LIBRARIES = {"yaml": "PyYAML", "jinja2": "Jinja2"}


class MissingLibrary(Exception):
    """A library that is not installed on this host; modules report it with Ansible's missing_required_lib."""

    def __init__(self, library, reason=None):
        super(MissingLibrary, self).__init__("%s is not installed%s" % (library, " (%s)" % reason if reason else ""))
        self.library = library
        self.reason = reason


def load_site_packages():
    """Make the installed libraries importable where the interpreter started without `site` (-S).

    The controller's does, to start faster: most pods never import a library from outside the standard library.
    """
    if sys.flags.no_site and "site" not in sys.modules:
        import site

        site.main()


def import_jinja2():
    """The jinja2 module, or MissingLibrary("Jinja2")."""
    load_site_packages()
    try:
        import jinja2
    except ImportError:
        raise MissingLibrary(LIBRARIES["jinja2"], "needed for templates in Jinja2 syntax")
    return jinja2
