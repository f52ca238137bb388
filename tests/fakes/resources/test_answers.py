"""The shapes of stored records' answers are read from the spec once per operation and
status (:func:`answers.record_shape`): each answer from its shape equals the one computed from
the schema afresh."""

from __future__ import annotations

import pytest

from specfake.fakes.resources import answers
from specfake.fakes.resources.answers import answer_errors
from specfake.fakes.resources.plan import Bound, json_schema_of
from specfake.fakes.resources.schemas import view
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.response_check import response_errors
from tests.fakes.resources.planned import bounds


def plain_body(bound: Bound, record: dict, status: int):
    """What the answer's body is, computed from the schema on every call."""
    root = bound.operation.schema_root
    schema = json_schema_of(bound.operation.response_for(status))
    record_schema = schema
    if bound.envelope is not None:
        record_schema = view(schema, root).properties.get(bound.envelope, {})
    documented = bound.declaration.answer == "documented"
    return answers._projected(record, record_schema, root, documented)


def _answers_a_body(bound) -> bool:
    status = answers.success_status(bound.operation, (200, 201))
    return status is not None and json_schema_of(bound.operation.response_for(status)) is not None


ANSWERING = [bound for bound in bounds() if _answers_a_body(bound)]


@pytest.mark.parametrize("bound", ANSWERING, ids=lambda bound: bound.operation.operation_id)
def test_a_memoized_record_answer_is_the_one_computed_afresh(bound):
    status = answers.success_status(bound.operation, (200, 201))
    id_field = bound.resource.id_field
    record = {id_field: "x1", "title": "t", "status": "draft", "versionId": 2, "extra": True}
    bound.memo.clear()
    for _ in range(2):  # the first call fills the memo, the second reads it
        body = answers.record_answer(bound, dict(record), status).body
        expected = plain_body(bound, record, status)
        if bound.envelope is not None:
            fields = answers._example_fields(bound.operation, status)
            expected = {**fields, bound.envelope: expected}
        assert body == expected
    assert ("record answer", status) in bound.memo


def _outcomes(bound: Bound):
    """Answers of every documented status and media type, valid (the spec's own mock body)
    and not, with and without a header."""
    for code, response in bound.operation.responses.items():
        status = int(code) if code.isdigit() else 599
        documented = answers.documented_body(bound.operation, status)
        for media_type in [*response.media, "application/json", "text/plain"]:
            for body in (documented, None, {}, {"unknown": 1}, [], "text", 7,
                         {**documented, "id": None} if isinstance(documented, dict) else None):
                for headers in ({}, {"ETag": '"3"'}, {"Location": "/x"}):
                    yield Outcome(status, body, media_type, dict(headers))


def test_the_quick_check_of_an_answer_is_the_full_one():
    quick = failing = 0
    for bound in bounds():
        for outcome in _outcomes(bound):
            errors = answer_errors(bound, outcome)
            assert errors == response_errors(bound.operation, outcome)
            failing += bool(errors)
            validator = bound.memo[("body validator", outcome.status, outcome.media_type)]
            quick += validator is not None and outcome.body is not None and not errors
    assert quick > 100 and failing > 100  # both ways were taken, many times


def _as_sent(outcome: Outcome):
    return (outcome.status, outcome.body, outcome.media_type, outcome.headers, outcome.checked)


@pytest.mark.parametrize("bound", bounds(), ids=lambda bound: bound.operation.operation_id)
def test_a_status_without_a_body_is_answered_without_one_with_its_headers(bound):
    """A write's answer of a status documenting no body (or none at all) is ``record_answer``'s
    no-body answer, as the fake once built it apart: the status, the headers, nothing else."""
    record = {bound.resource.id_field: "x1", "versionId": 2}
    statuses = [int(code) for code in bound.operation.responses if code.isdigit()] + [299]
    for status in statuses:
        response = bound.operation.response_for(status)
        if response is not None and response.media:
            continue
        for headers in ({}, {"ETag": '"2"'}):
            apart = answers.checked(bound, Outcome(status, None, headers=dict(headers)))
            assert _as_sent(answers.record_answer(bound, record, status, dict(headers))) == (
                _as_sent(apart))  # fmt: skip


def test_checking_by_a_shapes_validator_is_checking():
    """:func:`answers.checked_by`, given the validator a shape read once, marks and warns
    exactly as :func:`answers.checked`, for valid and invalid answers alike."""
    for bound in bounds():
        for outcome in _outcomes(bound):
            validator = answers.headerless_validator(bound, outcome.status, outcome.media_type)
            plain = Outcome(outcome.status, outcome.body, outcome.media_type,
                            dict(outcome.headers))  # fmt: skip
            quick = answers.checked_by(bound, outcome, validator)
            assert _as_sent(quick) == _as_sent(answers.checked(bound, plain))
