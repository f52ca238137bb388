"""CI's contract run: the Schemathesis CLI, every check and phase, against `specfake serve`.

Exactly the README's command lines, one process per spec suite. Each spec runs twice after a
reset: the examples/coverage/fuzzing phases, then the stateful phase on its own, because the
examples phase publishes the docs' pathway (irreversible) and the stateful workflows need it
still a draft. JUnit reports land in `reports/`; the link coverage is printed and saved there.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.servers import running_server

REPORTS = ROOT / "reports"
SUITES = [
    ("plan-definitions", ["-H", "Authorization: Bearer dev"]),
    ("cohort-draft", []),
]
PHASE_GROUPS = {"fuzz": "examples,coverage,fuzzing", "stateful": "stateful"}


@pytest.fixture(scope="module")
def fuzzed_server() -> Iterator[str]:
    with running_server() as base_url:
        yield base_url


def schemathesis_run(spec: str, url: str, extra: list[str], phases: str, report: Path):
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run",
        f"specs/{spec}.openapi.yaml", "--url", url, *extra,
        "--phases", phases, "--report", "junit", "--report-junit-path", str(report),
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(("spec", "extra"), SUITES, ids=[name for name, _ in SUITES])
@pytest.mark.parametrize("group", list(PHASE_GROUPS))
def test_schemathesis_cli_finds_no_failures(fuzzed_server, spec, extra, group):
    REPORTS.mkdir(exist_ok=True)
    assert httpx.post(f"{fuzzed_server}/__specfake__/reset").status_code == 204
    report = REPORTS / f"schemathesis-{spec}-{group}.xml"
    result = schemathesis_run(spec, fuzzed_server, extra, PHASE_GROUPS[group], report)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    suite = ElementTree.parse(report).getroot()
    failures = sum(
        int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suite.iter("testsuite")
    )
    assert failures == 0, summary
    if group == "stateful":
        links = re.search(
            r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total", result.stdout
        )
        assert links, summary
        covered, selected = int(links.group(1)), int(links.group(2))
        line = f"{spec}: {covered} of {selected} API links covered by the stateful phase\n"
        with (REPORTS / "link-coverage.txt").open("a") as out:
            out.write(line)
        print(line, end="")
        assert covered >= 1, f"the stateful phase followed no link:\n{summary}"
