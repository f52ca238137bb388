"""``specfake check --url URL``: the semantic contract checks against any server."""

from __future__ import annotations

import argparse
from pathlib import Path

from specfake.resources import bundled_contract_specs


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="check a running server against the specs' semantic contract",
        description=(
            "Exit 0: no violation. 1: violations found. 2: usage or connection error. "
            "With no options only requests that cannot change data are sent."
        ),
    )
    parser.add_argument(
        "specs", nargs="*", type=Path, metavar="SPEC",
        help="default: the bundled contract specs (specs/contract/)",
    )  # fmt: skip
    parser.add_argument("--url", required=True, help="base URL of the server under test")
    parser.add_argument("--token", default="dev", help="bearer token to send (default: dev)")
    parser.add_argument(
        "--sandbox-draft", action="append", default=[], metavar="ID", dest="sandbox_drafts",
        help="a pathway draft the checks may edit; repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--allow-publish", action="store_true",
        help="also publish the first sandbox draft (irreversible on a real server)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-writes", action="store_true",
        help="also create cohort drafts (soft ones, then rejected, plus one live draft)",
    )  # fmt: skip
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument(
        "--skip-schemathesis", action="store_true", help="run only specfake's own rules"
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    from specfake.contract import CheckOptions, run_checks
    from specfake.contract.report import render_text, write_junit

    options = CheckOptions(
        url=arguments.url,
        specs=list(arguments.specs or bundled_contract_specs()),
        token=arguments.token,
        sandbox_drafts=arguments.sandbox_drafts,
        allow_publish=arguments.allow_publish,
        allow_writes=arguments.allow_writes,
        schemathesis=not arguments.skip_schemathesis,
    )
    results = run_checks(options)
    print(render_text(results, arguments.url))
    if arguments.junit:
        write_junit(results, arguments.url, arguments.junit)
    return 1 if any(result.status == "fail" for result in results) else 0
