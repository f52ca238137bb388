"""``specfake verify --url URL --recording FILE``: replay a recording against a real server."""

from __future__ import annotations

import argparse
from pathlib import Path

from specfake.errors import SpecfakeError
from specfake.resources import bundled_contract_specs

DIFFERENCES = 1
REFUSED = 2


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "verify",
        help="replay a recording against a real server and report where its answers differ",
        description=(
            "Exit 0: same behaviour. 1: differences. 2: usage or connection error, or the "
            "recording acts on ids it did not create and --id does not name."
        ),
    )
    parser.add_argument(
        "specs", nargs="*", type=Path, metavar="SPEC",
        help="default: the bundled contract specs (specs/contract/)",
    )  # fmt: skip
    parser.add_argument("--url", required=True, help="base URL of the server under test")
    parser.add_argument("--recording", required=True, type=Path, metavar="FILE",
                        help="a HAR file (GET /__specfake__/requests?format=har)")  # fmt: skip
    parser.add_argument("--token", default="dev", help="bearer token to send (default: dev)")
    parser.add_argument(
        "--id", action="append", default=[], metavar="OLD=NEW", dest="ids",
        help="send NEW where the recording has the fixture id OLD (OLD=OLD: as it is); repeatable",
    )  # fmt: skip
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing"
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    from specfake.verify import Replay, VerifyOptions, read_recording
    from specfake.verify.report import render_plan, render_text, write_junit

    options = VerifyOptions(
        url=arguments.url,
        interactions=read_recording(arguments.recording),
        specs=list(arguments.specs or bundled_contract_specs()),
        token=arguments.token,
        ids=_id_map(arguments.ids),
    )
    replay = Replay(options)
    if arguments.dry_run:
        unnamed = replay.unnamed_ids()
        print(render_plan(replay.planned(), arguments.url))
        if unnamed:
            print(f"\nwould refuse to run: ids not created by the recording: {', '.join(unnamed)}")
            return REFUSED
        return 0
    outcomes = replay.run()
    print(render_text(outcomes, arguments.url))
    if arguments.junit:
        write_junit(outcomes, arguments.url, arguments.junit)
    return DIFFERENCES if any(outcome.differences for outcome in outcomes) else 0


def _id_map(pairs: list[str]) -> dict[str, str]:
    mapped = {}
    for pair in pairs:
        old, separator, new = pair.partition("=")
        if not separator or not old or not new:
            message = f"--id {pair!r}: write it as OLD=NEW (the recording's id=the server's)"
            raise SpecfakeError(message)
        mapped[old] = new
    return mapped
