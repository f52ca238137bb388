"""The declared checks of a write: the version check read once per operation
(:func:`records.version_check`) refuses exactly what the per-request reading of the
declaration refused, with the same problem, on every planned operation of the test specs."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import Headers

from specfake.errors import Problem, conflict
from specfake.fakes.resources import records
from specfake.fakes.resources.plan import Bound
from specfake.pipeline.outcome import OperationRequest
from tests.fakes.resources.planned import bounds

BOUNDS = bounds()
LOCKED = [bound for bound in BOUNDS if bound.declaration.version.expected is not None]
VERSIONS: list[Any] = [None, 0, 1, 6, 7, 7.0, 7.5, True, "7", '"7"', 'W/"7"', "*", '"6", "7"',
                       "6", "", "x", [7], {"v": 7}]  # fmt: skip


def plain_refused_version(bound: Bound, record: dict[str, Any],
                          request: OperationRequest) -> Problem | None:  # fmt: skip
    """The version check as it read the declaration and resource on every request."""
    rule, field = bound.declaration.version, bound.resource.version_field
    if rule.expected is None or field is None:
        return None
    expected = rule.expected.read(request)
    current = record.get(field)
    if expected is None or records._matches(rule.expected.location, expected, current):
        return None
    shown = records._number(expected) if isinstance(expected, int | float) else repr(
        str(expected))  # fmt: skip
    detail = (f"{rule.expected.label} {shown} does not match the current {field} {current}; "
              "fetch the record again and retry with its version.")  # fmt: skip
    extensions = {f"current{field[:1].upper()}{field[1:]}": current,
                  **records.conflict_fields(bound.declaration, record)}  # fmt: skip
    if rule.conflict == 412:
        return Problem(412, "precondition-failed", "Precondition failed", detail,
                       extensions=extensions)  # fmt: skip
    return conflict(detail, **extensions)


def request_carrying(bound: Bound, version: Any) -> OperationRequest:
    source = bound.declaration.version.expected
    assert source is not None
    headers, query, body = Headers({}), {}, {}
    if source.location == "header":
        headers = Headers({source.name: str(version)} if version is not None else {})
    elif source.location == "query":
        query = {source.name: version} if version is not None else {}
    elif version is not None:
        body = {source.steps[0]: version} if len(source.steps) == 1 else {}
    return OperationRequest(bound.operation, {}, query, headers, body)


def test_the_test_specs_declare_locks_of_each_kind():
    assert {bound.declaration.version.expected.location for bound in LOCKED} >= {"header", "body"}
    assert {bound.declaration.version.conflict for bound in LOCKED} == {409, 412}


@pytest.mark.parametrize("bound", LOCKED, ids=lambda b: f"{b.operation.spec_name}.{b.role}")
def test_the_version_check_read_once_refuses_as_the_plain_one(bound):
    check = records.version_check(bound.declaration, bound.resource)
    assert check is not None
    field = bound.resource.version_field
    for current in (7, 7.0, 2, "7", None):
        record = {"id": "r1", field: current, "status": "draft"}
        for version in VERSIONS:
            request = request_carrying(bound, version)
            got = records.refused_version(check, record, request)
            plain = plain_refused_version(bound, record, request)
            assert got == plain, (current, version)
            if got is not None:  # the members in the same order: the same body bytes
                assert list(got.extensions) == list(plain.extensions)


def test_an_operation_without_a_declared_version_has_no_check():
    unlocked = [bound for bound in BOUNDS if bound.declaration.version.expected is None]
    assert unlocked
    for bound in unlocked:
        assert records.version_check(bound.declaration, bound.resource) is None
