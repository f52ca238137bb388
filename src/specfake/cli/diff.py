"""``specfake diff OLD NEW``: the changes between two spec versions, classified for clients."""

from __future__ import annotations

import argparse
from pathlib import Path

BREAKING = 1


def register(commands: argparse._SubParsersAction) -> None:
    from specfake.diff import FORMATS

    parser = commands.add_parser(
        "diff",
        help="list the changes between two versions of a spec, breaking ones first",
        description="Exit 0: no breaking change. 1: breaking changes. 2: usage error.",
    )
    parser.add_argument("old", type=Path, metavar="OLD_SPEC")
    parser.add_argument("new", type=Path, metavar="NEW_SPEC")
    parser.add_argument("--format", choices=FORMATS, default="text", dest="output_format")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    from specfake.diff import diff_specs, render
    from specfake.spec import load_spec

    old, new = load_spec(arguments.old), load_spec(arguments.new)
    changes = diff_specs(old, new)
    print(render(changes, str(arguments.old), str(arguments.new), arguments.output_format))
    return BREAKING if any(change.breaking for change in changes) else 0
