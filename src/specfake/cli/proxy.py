"""``specfake proxy --upstream URL``: validate traffic to a real server against the specs."""

from __future__ import annotations

import argparse
from pathlib import Path

from specfake.cli.serve import add_server_options, run_server


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "proxy",
        help="forward to a real server, validating requests and responses against the specs",
        description=(
            "Every request is validated, forwarded to --upstream, and its answer validated. "
            "Violations are logged, journaled and counted in a Specfake-Violations response "
            "header; with --errors an invalid request is refused (422, not forwarded) and an "
            "invalid answer is replaced by a 502 problem naming the fields."
        ),
    )
    parser.add_argument("specs", nargs="*", type=Path, metavar="SPEC", help="default: bundled")
    parser.add_argument("--upstream", required=True, help="base URL of the real server")
    parser.add_argument(
        "--errors",
        action="store_true",
        help="refuse invalid requests and answers (Prism's --errors)",
    )
    add_server_options(parser)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    return run_server(arguments, upstream=arguments.upstream, proxy_errors=arguments.errors)
