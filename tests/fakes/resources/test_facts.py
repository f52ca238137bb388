"""What the fake reads once per operation (:class:`OperationFacts`) is what it computed from
the spec on every request before: the same statuses, headers, body members and parents, for
every planned operation of the test specs."""

from __future__ import annotations

import pytest

from specfake.fakes.resources import answers, inputs
from specfake.fakes.resources.facts import facts_of
from specfake.fakes.resources.plan import body_property_names
from specfake.fakes.resources.state import ancestors
from tests.fakes.resources.planned import bounds

BOUNDS = bounds()


def per_request_storable(bound, body):
    """The stored members of ``body`` as ``inputs.storable`` read them on every call."""
    if not isinstance(body, dict):
        return {}
    declaration = bound.declaration
    sources = (declaration.version.expected, declaration.idempotency)
    never = {source.body_field for source in sources if source is not None} - {None}
    return {name: value for name, value in body.items() if name not in never} if never else body


@pytest.mark.parametrize("bound", BOUNDS, ids=lambda b: f"{b.operation.spec_name}.{b.role}")
def test_the_facts_are_what_each_request_computed(bound):
    facts = facts_of(bound)
    operation = bound.operation
    assert facts.read_status == (answers.success_status(operation, (200,)) or 200)
    assert facts.created_status == (answers.success_status(operation, (201, 200)) or 201)
    assert facts.written_status == (answers.success_status(operation, (200, 201)) or 200)
    assert facts.replaced_new_status == (answers.success_status(operation, (201, 200)) or 200)
    assert facts.deleted_status == answers.success_status(operation, (204, 200, 202))
    assert facts.documents_etag == any(
        answers.documents_header(bound, int(code), "etag")
        for code in operation.responses if code.isdigit()
    )  # fmt: skip
    created = answers.success_status(operation, (201, 200)) or 201
    assert facts.documents_location == answers.documents_header(bound, created, "location")
    assert facts.documents_404 == (operation.response_for(404) is not None)
    written = answers.success_status(operation, (200, 201)) or 200
    assert facts.action_answers_record == answers.answers_record(bound, written)
    assert facts.ancestors == tuple(ancestors(bound.resource))
    assert facts.body_names == body_property_names(operation)


@pytest.mark.parametrize("bound", BOUNDS, ids=lambda b: f"{b.operation.spec_name}.{b.role}")
def test_the_stored_members_are_what_each_request_computed(bound):
    facts = facts_of(bound)
    names = sorted(facts.body_names | facts.control_fields)
    for body in ({}, {name: 1 for name in names}, {"extra": 2, **{n: None for n in names[:1]}},
                 [1, 2], None, "text"):  # fmt: skip
        assert inputs.storable(body, facts.control_fields) == per_request_storable(bound, body)


def test_some_operation_has_control_fields_parents_and_headers():
    facts = [facts_of(bound) for bound in BOUNDS]
    assert any(f.control_fields for f in facts)  # the pathway's expectedVersionId
    assert any(f.ancestors for f in facts)  # the bookshop's books under authors
    assert any(f.documents_etag for f in facts) and any(f.documents_location for f in facts)
