# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""``podlike template``: print the rendered stack of one or more stack files (or ``-`` for stdin)."""

import argparse
import os
import sys

from ansible_collections.podlike.swarm.plugins.module_utils.cli_errors import report_error
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import MissingLibrary
from ansible_collections.podlike.swarm.plugins.module_utils.template.compose import parse_yaml
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import (
    ENDPOINT_MODES,
    PUBLISH_MODES,
    dump_stack,
    render_stack,
)
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import YAMLError, load_yaml

PROG = "podlike template"


class UsageError(Exception):
    """A mistake on the command line: one line and exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises UsageError instead of printing its usage and exiting."""

    def error(self, message):
        raise UsageError(message)


def add_stack_options(parser, controller_image_help):
    """The options every command that prints a stack shares: endpoint and publish modes, controller image."""
    parser.add_argument("--endpoint-mode", choices=ENDPOINT_MODES, help="set deploy.endpoint_mode on every service")
    parser.add_argument("--publish-mode", choices=PUBLISH_MODES, help="set the mode of every published port")
    parser.add_argument("--controller-image", help=controller_image_help)


def _parser():
    parser = Parser(prog=PROG, description="Render x-podlike templates into a plain stack file.")
    parser.add_argument(
        "-a",
        "--arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template arg, over the files' x-podlike args; dotted keys nest (http_cache.port=8080); YAML values",
    )
    add_stack_options(parser, "the default controller image")
    parser.add_argument("files", nargs="+", metavar="FILE", help="stack files, merged in order; - reads stdin")
    return parser


def parse_args_option(values):
    """Turn ``["a.b=1", "c=x"]`` into ``{"a": {"b": 1}, "c": "x"}``."""
    args = {}
    for item in values:
        key, separator, text = item.partition("=")
        if not separator or not key:
            raise UsageError(f"an arg must be KEY=VALUE, got {item!r}")
        try:
            value = load_yaml(text) if text else ""
        except YAMLError:
            value = text
        target = args
        parts = key.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise UsageError(f"arg {key!r} conflicts with another arg")
        target[parts[-1]] = value
    return args


def main(argv=None, stdin=None, stdout=None, stderr=None):
    """Run the renderer; return the exit status (0, or 2 on any error)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        options = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        items = [parse_yaml(stdin.read(), "stdin") if path == "-" else path for path in options.files]
        workdir = None if isinstance(items[0], str) else os.getcwd()
        stack = render_stack(
            items,
            args=parse_args_option(options.arg),
            workdir=workdir,
            endpoint_mode=options.endpoint_mode,
            publish_mode=options.publish_mode,
            controller_image=options.controller_image,
        )
    except (TemplateError, MissingLibrary, UsageError) as error:
        return report_error(stderr, PROG, error)
    except KeyboardInterrupt:
        return 130
    stdout.write(dump_stack(stack))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
