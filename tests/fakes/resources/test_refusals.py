"""A refusal put into its status's shape (read from the spec once per operation and status)
is the refusal the plain reading of the spec on every call gives, for every planned operation
of the test specs and many problems."""

from __future__ import annotations

from typing import Any

import pytest

from specfake.errors import PROBLEM_CONTENT_TYPE, Problem, conflict, not_found
from specfake.fakes.resources.answers import checked, documented_body, json_media
from specfake.fakes.resources.plan import Bound, json_schema_of
from specfake.fakes.resources.refusals import refusal
from specfake.fakes.resources.schemas import view
from specfake.pipeline.outcome import Outcome, problem_outcome
from tests.fakes.resources.planned import bounds

TEXT_FIELDS = ("detail", "message", "error", "description", "title")
PROBLEMS = [
    conflict("version 6 is not 7", currentVersionId=7),
    conflict("record is active", currentVersionId=2.5, currentStatus="active", code="x"),
    not_found("No book with id 'x'."),
    not_found(""),
    Problem(412, "precondition-failed", "Precondition failed", "stale", extensions={"v": 1}),
    Problem(422, "validation-failed", "Does not match", "1 field", headers={"X-A": "b"}),
    Problem(418, "teapot", "Teapot", "an undocumented status", extensions={"message": 5}),
]


def plain_refusal(bound: Bound, problem: Problem) -> Outcome:
    """The refusal as the spec says, read afresh on every call (the code before the shapes)."""
    operation = bound.operation
    response = operation.response_for(problem.status)
    if response is not None and not response.media:
        return checked(bound, Outcome(problem.status, None, headers=dict(problem.headers)))
    schema = json_schema_of(response)
    if response is None or schema is None or PROBLEM_CONTENT_TYPE in response.media:
        return checked(bound, problem_outcome(problem))
    properties = view(schema, operation.schema_root).properties
    if {"type", "title", "status", "detail"} & set(properties) >= {"title", "detail"}:
        return checked(bound, problem_outcome(problem))
    body: Any = documented_body(operation, problem.status)
    if isinstance(body, dict):
        body = dict(body)
        for name in TEXT_FIELDS:
            if name in properties and view(properties[name], operation.schema_root).is_object:
                continue
            if name in properties:
                body[name] = problem.detail
        for name, value in problem.extensions.items():
            if name in properties:
                body[name] = value
        if "code" in properties and isinstance(body.get("code"), int):
            body["code"] = problem.status
    outcome = Outcome(problem.status, body, json_media(response), dict(problem.headers))
    return checked(bound, outcome)


def answer_of(outcome: Outcome) -> tuple[Any, ...]:
    return (outcome.status, outcome.body, outcome.media_type, outcome.headers, outcome.checked)


BOUNDS = bounds()


@pytest.mark.parametrize("bound", BOUNDS, ids=lambda b: f"{b.operation.spec_name}.{b.role}")
def test_a_shaped_refusal_is_the_plain_one(bound):
    for problem in PROBLEMS:
        for _ in range(2):  # the first call reads the shape, the second reuses it
            refused = refusal(bound, problem)
            assert answer_of(refused) == answer_of(plain_refusal(bound, problem))
            assert refused.problem is problem  # for the journal: returned, not raised


def test_the_shapes_cover_every_kind():
    kinds = set()
    for bound in BOUNDS:
        for problem in PROBLEMS:
            refusal(bound, problem)
        kinds |= {shape.kind for key, shape in bound.memo.items() if key[0] == "refusal"}
    assert kinds == {"empty", "problem", "documented"}
