# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""``podlike kube``: print the stack of Kubernetes manifests (files, or ``-`` for stdin)."""

import os
import sys

from ansible_collections.podlike.swarm.plugins.module_utils.cli_errors import report_error
from ansible_collections.podlike.swarm.plugins.module_utils.kube.errors import KubeError
from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import (
    escape,
    load_manifests,
    translate,
    write_files,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.cli import Parser, UsageError, add_stack_options
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import dump_stack, render_stack

PROG = "podlike kube"


def _parser():
    parser = Parser(prog=PROG, description="Translate Kubernetes manifests into a pod stack file.")
    parser.add_argument("--lenient", action="store_true", help="warn about fields without meaning instead of failing")
    add_stack_options(parser, "the controller image")
    parser.add_argument(
        "--allow-host-path",
        action="append",
        default=[],
        metavar="PREFIX",
        help="allow hostPath volumes under PREFIX (passed on to the controller)",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="write ConfigMap and Secret data here for the stack")
    parser.add_argument("--name", default="", help="the stack name, to keep config and secret names apart")
    parser.add_argument("files", nargs="+", metavar="FILE", help="manifest files; - reads stdin")
    return parser


def main(argv=None, stdin=None, stdout=None, stderr=None):
    """Translate; return the exit status (0, or 2 on any error)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        options = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        sources = [("stdin", stdin.read()) if path == "-" else path for path in options.files]
        data_dir = os.path.abspath(options.data_dir) if options.data_dir else "kube-data"
        translation = translate(
            load_manifests(sources),
            controller_image=options.controller_image,
            allow_host_paths=options.allow_host_path,
            lenient=options.lenient,
            data_dir=escape(data_dir),
            name_prefix=options.name + "_" if options.name else "",
        )
        if translation.files and not options.data_dir:
            raise UsageError("the manifests hold ConfigMap or Secret data: give --data-dir DIR to write it")
        stack = render_stack(
            [translation.stack], endpoint_mode=options.endpoint_mode, publish_mode=options.publish_mode
        )
        if translation.files:
            write_files(translation.files, data_dir)
    except (UsageError, TemplateError, OSError) as error:
        return report_error(stderr, PROG, error)
    except KubeError as error:
        return report_error(stderr, PROG, error, each_line=True)
    for line in translation.warnings:
        stderr.write(f"{PROG}: warning: {line}\n")
    stdout.write(dump_stack(stack))
    return 0
