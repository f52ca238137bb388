"""The same specs through Schemathesis's Python API, in-process against the ASGI app.

The token goes in through Schemathesis's config (like the CLI's ``-H``), not per call: then
Schemathesis knows which generated cases are meant to lack it, and judges them accordingly.
"""

from __future__ import annotations

import asyncio

import schemathesis
from schemathesis.config import SchemathesisConfig

from specfake import ServerConfig, create_app
from tests.conftest import AUTH, FIXTURES, SPECS

# Schemathesis's in-process client names the host "testserver", as Starlette's TestClient does.
APP = create_app(
    ServerConfig(
        specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES, allowed_hosts=("testserver",)
    )
)
WITH_TOKEN = SchemathesisConfig.from_dict({"headers": AUTH})

pathways = schemathesis.openapi.from_path(
    SPECS / "plan-definitions.openapi.yaml", config=WITH_TOKEN
)
pathways.app = APP
cohorts = schemathesis.openapi.from_path(SPECS / "cohort-draft.openapi.yaml")
cohorts.app = APP


def reset() -> None:
    """The fixtures, before every case (this client runs no lifespan, which would load them)."""
    asyncio.run(APP.state.specfake.reset())


@pathways.parametrize()
def test_plan_definitions(case):
    reset()
    case.call_and_validate()


@cohorts.parametrize()
def test_cohort_draft(case):
    reset()
    case.call_and_validate()


class PathwayWorkflows(pathways.as_state_machine()):
    def setup(self) -> None:
        reset()


class CohortWorkflows(cohorts.as_state_machine()):
    def setup(self) -> None:
        reset()


TestPathwayWorkflows = PathwayWorkflows.TestCase
TestCohortWorkflows = CohortWorkflows.TestCase
