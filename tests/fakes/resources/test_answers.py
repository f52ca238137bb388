"""The shapes of stored records' answers are read from the spec once per operation and
status (:func:`answers.record_shape`): each answer from its shape equals the one computed from
the schema afresh."""

from __future__ import annotations

import pytest

from specfake.fakes.resources import answers
from specfake.fakes.resources.plan import Bound, json_schema_of
from specfake.fakes.resources.schemas import view
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
