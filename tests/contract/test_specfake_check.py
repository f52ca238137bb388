"""`specfake check` passes the fake and a server that differs from it only where the docs are
silent, fails every faulty fake naming the broken rule, and in its default mode sends no write
that succeeds."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import DOCS_PATHWAY, FIXTURES, ROOT, SPECS
from tests.servers import running_faulty_server, running_server, running_test_server

OTHER_DRAFT = "3f6c2a9e-1b7d-4c55-8e21-7a9d0c4b5e10"
EVERYTHING = [
    "--sandbox-draft", OTHER_DRAFT, "--sandbox-draft", DOCS_PATHWAY,
    "--allow-publish", "--allow-writes",
]  # fmt: skip
FAULTS = {
    "ignore-expected-version": "stale-version-409",
    "bump-version-by-two": "version-bump-by-one",
    "edit-published-rows": "publish-makes-immutable",
    "apply-retries-twice": "idempotent-replay",
    "apply-soft-before-ack": "soft-invisible-until-ack",
    "drop-required-field": "responses-match-spec",
    "fail-on-malformed-json": "pathway-malformed-json-400",
    "accept-missing-token": "auth-required",
    "wrong-response-content-type": "json-content-types",
}


def check(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "specfake", "check", "--url", url, *options]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


def failed_rules(output: str) -> set[str]:
    return {
        line.split()[1].rstrip(":") for line in output.splitlines() if line.startswith("  FAIL")
    }


def test_the_fake_passes_every_rule_and_schemathesis(tmp_path: Path):
    junit = tmp_path / "check.xml"
    with running_server() as url:
        result = check(url, *EVERYTHING, "--junit", str(junit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed, 0 skipped" in result.stdout
    assert "PASS  schemathesis:plan-definitions.openapi.yaml" in result.stdout
    suite = ElementTree.parse(junit).getroot()
    assert int(suite.get("tests")) >= 19 and suite.get("failures") == "0"


def test_a_server_that_differs_only_where_the_docs_are_silent_passes_every_mode():
    """Judged by the contract specs (the default), a server with other problem bodies and a
    sparser form_state has no violation; judged by the served specs it would cry wolf."""
    served = [str(path) for path in sorted(SPECS.glob("*.openapi.yaml"))]
    with running_test_server("tests.contract.other_choices_server") as url:
        result = check(url, *EVERYTHING)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 failed, 0 skipped" in result.stdout
        assert "PASS  schemathesis:cohort-draft.openapi.yaml" in result.stdout
        by_served = check(url, *served, *EVERYTHING, "--skip-schemathesis")
    assert by_served.returncode == 1
    assert 'body /form_state/status "status" is a required property' in by_served.stdout
    assert 'body /errors/0/in "in" is a required property' in by_served.stdout


@pytest.mark.parametrize(("fault", "rule"), FAULTS.items(), ids=list(FAULTS))
def test_each_planted_fault_fails_naming_its_rule(fault: str, rule: str):
    with running_faulty_server(fault) as url:
        result = check(url, *EVERYTHING, "--skip-schemathesis")
    assert result.returncode == 1, result.stdout + result.stderr
    assert rule in failed_rules(result.stdout), result.stdout


def test_default_mode_sends_no_write_that_succeeds():
    with running_server() as url:
        result = check(url)
        journal = httpx.get(f"{url}/__specfake__/requests").json()["requests"]
        state = httpx.get(f"{url}/__specfake__/state").json()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skip  publish-makes-immutable" in result.stdout
    writes = [e for e in journal if e["method"] in {"POST", "PATCH", "PUT", "DELETE"}]
    assert len(writes) > 20  # the checks did send requests, Schemathesis's included
    succeeded = [e for e in writes if e["status"] < 400]
    assert succeeded == [], succeeded
    fixture = yaml.safe_load((FIXTURES / "pathways.yaml").read_text())["pathways"]
    assert state["pathways"] == fixture
    assert (
        state["cohort_drafts"]
        == yaml.safe_load((FIXTURES / "cohort-drafts.yaml").read_text())["cohort_drafts"]
    )


def test_unreachable_server_is_exit_code_2():
    result = check("http://127.0.0.1:9", "--skip-schemathesis")
    assert result.returncode == 2
    assert "cannot reach" in result.stderr
