"""``specfake`` command line: each subcommand parses its options and calls the library."""

from __future__ import annotations

import argparse
import sys

from specfake.cli import check, diff, import_docs, proxy, serve, verify
from specfake.errors import SpecfakeError

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="specfake",
        description="A local mock and contract-testing server driven by OpenAPI specs.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (serve, import_docs, check, proxy, diff, verify):
        module.register(commands)
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.run(arguments) or 0)
    except SpecfakeError as error:
        print(f"specfake: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
