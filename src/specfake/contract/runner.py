"""Run the rules (and Schemathesis, in negative mode) against a server; collect the verdicts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from specfake.contract import cohort_rules, pathway_rules
from specfake.contract.probe import Exchange, Probe
from specfake.contract.report import RuleResult
from specfake.contract.rules import RULES, Needs, RuleContext
from specfake.errors import Problem, SpecfakeError
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.response_check import response_errors
from specfake.pipeline.router import Router
from specfake.spec import CompiledOperation, compile_operations, load_spec

API_OPERATIONS = {
    pathway_rules.API: ("PATCH", "/v1/plan-definitions/{id}/draft"),
    cohort_rules.API: ("POST", cohort_rules.PATH),
}
JSON_TYPES = ("application/json", "application/problem+json")
# Checks that judge accepted (positive) data: meaningless when only invalid data is sent.
POSITIVE_ONLY_CHECKS = (
    "positive_data_acceptance",
    "use_after_free",
    "ensure_resource_availability",
)
MAX_MESSAGES = 10


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What ``specfake check`` may send; see the README's "Check any server" for each mode."""

    url: str
    specs: list[Path]
    token: str = "dev"
    sandbox_drafts: list[str] = field(default_factory=list)
    allow_publish: bool = False
    allow_writes: bool = False
    schemathesis: bool = True


def run_checks(options: CheckOptions) -> list[RuleResult]:
    """Every rule the options allow, the cross-cutting rules, then Schemathesis per spec."""
    operations = [op for path in options.specs for op in compile_operations(load_spec(path))]
    served = {(op.method, op.path_template) for op in operations}
    apis = {api for api, key in API_OPERATIONS.items() if key in served}
    probe = Probe(options.url, options.token)
    try:
        health = probe.send("GET", "/__specfake__/health", authorization=None, record=False)
        context = RuleContext(
            probe=probe,
            sandbox_drafts=list(options.sandbox_drafts),
            has_state_api=health.status == 200,
            run_id=uuid.uuid4().hex[:12],
        )
        results = []
        for rule in RULES:
            if rule.api not in apis:
                continue
            result = RuleResult(rule.name, rule.description)
            if not _allowed(rule.needs, options):
                result.skip(f"not run: it {rule.needs.value}")
            else:
                rule.check(context, result)
            results.append(result)
        results += [_json_content_types(probe.exchanges), _match_spec(probe.exchanges, operations)]
    finally:
        probe.close()
    if options.schemathesis:
        results += [_schemathesis(options, spec) for spec in options.specs]
    return results


def _allowed(needs: Needs, options: CheckOptions) -> bool:
    return {
        Needs.NOTHING: True,
        Needs.SANDBOX: True,  # the rule skips itself when no --sandbox-draft was given
        Needs.PUBLISH: options.allow_publish,
        Needs.WRITES: options.allow_writes,
    }[needs]


def _json_content_types(exchanges: list[Exchange]) -> RuleResult:
    result = RuleResult("json-content-types", "every answer with a body is JSON or problem+json")
    for exchange in exchanges:
        if exchange.raw and exchange.content_type not in JSON_TYPES:
            _add(result, f"{exchange.method} {exchange.path} → {exchange.status} "
                         f"with Content-Type {exchange.content_type!r}")  # fmt: skip
    return result


def _match_spec(exchanges: list[Exchange], operations: list[CompiledOperation]) -> RuleResult:
    result = RuleResult("responses-match-spec", "every answer's status and body are documented")
    router = Router(operations)
    for exchange in exchanges:
        try:
            operation = router.match(exchange.method, exchange.path).operation
        except Problem:
            continue  # no operation: the method/path rules judge those answers
        if exchange.raw and exchange.body is None:
            _add(result, f"{exchange.method} {exchange.path} → {exchange.status}: body is not JSON")
            continue
        outcome = Outcome(exchange.status, exchange.body, exchange.content_type, exchange.headers)
        for error in response_errors(operation, outcome)[:3]:
            _add(result, f"{exchange.method} {exchange.path} → {exchange.status}: "
                         f"{error.location} {error.path or '/'} {error.message}")  # fmt: skip
    return result


def _add(result: RuleResult, message: str) -> None:
    if len(result.messages) < MAX_MESSAGES:
        result.fail(message)
    else:
        result.status = "fail"


def _schemathesis(options: CheckOptions, spec: Path) -> RuleResult:
    """Schemathesis's own checks plus specfake's, with invalid data only (it cannot write)."""
    result = RuleResult(
        f"schemathesis:{spec.name}",
        "Schemathesis checks (negative data, coverage + fuzzing; publish excluded)",
    )
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(spec.resolve()),
            "--url", options.url, "-H", f"Authorization: Bearer {options.token}",
            "--mode", "negative", "--phases", "coverage,fuzzing", "--max-examples", "25",
            "--exclude-operation-id", "publish", "--checks", "all",
            "--exclude-checks", ",".join(POSITIVE_ONLY_CHECKS),
            "--report", "junit", "--report-junit-path", str(report),
        ]  # fmt: skip
        environment = {**os.environ, "SCHEMATHESIS_HOOKS": "specfake.contract.schemathesis_checks"}
        try:
            done = subprocess.run(
                command, cwd=scratch, env=environment, capture_output=True, text=True, timeout=900
            )
        except subprocess.TimeoutExpired as error:
            raise SpecfakeError(f"Schemathesis did not finish on {spec.name}") from error
        if not report.exists():
            raise SpecfakeError(
                f"Schemathesis failed to run on {spec.name}:\n{done.stdout[-2000:]}"
            )
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            for failure in [*case.iter("failure"), *case.iter("error")]:
                first_line = (failure.get("message") or failure.text or "").strip().splitlines()
                _add(result, f"{case.get('name')}: {first_line[0] if first_line else 'failed'}")
    return result
