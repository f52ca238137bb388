"""What a rule is, the modes that allow it, and the registry ``specfake check`` runs from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from specfake.contract.probe import Probe
from specfake.contract.report import RuleResult


class Needs(Enum):
    """What a rule may change on the server, and so which option must allow it."""

    NOTHING = "sends only requests that cannot change data"
    SANDBOX = "edits the --sandbox-draft pathways"
    PUBLISH = "publishes a --sandbox-draft pathway (--allow-publish; irreversible)"
    WRITES = "creates cohort drafts (--allow-writes)"


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may use: the probe, the sandbox drafts, and whether a state API exists."""

    probe: Probe
    sandbox_drafts: list[str]
    has_state_api: bool
    run_id: str


RuleFunction = Callable[[RuleContext, RuleResult], None]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    description: str
    api: str  # "pathways" or "cohorts": the rule runs when a served spec has that API
    needs: Needs
    check: RuleFunction = field(repr=False)


RULES: list[Rule] = []


def rule(
    name: str, description: str, api: str, needs: Needs
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule; the docstring of the function says what it sends."""

    def register(function: RuleFunction) -> RuleFunction:
        RULES.append(Rule(name, description, api, needs, function))
        return function

    return register


def expect_status(result: RuleResult, what: str, status: int, expected: set[int]) -> bool:
    """Record a failure unless ``status`` is one of ``expected``; True when it is."""
    if status in expected:
        return True
    wanted = " or ".join(str(code) for code in sorted(expected))
    result.fail(f"{what}: got {status}, expected {wanted}")
    return False
