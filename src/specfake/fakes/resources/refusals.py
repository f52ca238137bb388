"""A fake's refusal (404, 409, 412...) in the body the operation documents for its status: a
problem document where the spec says so (or says nothing), else the documented example with
its text fields saying what went wrong and the problem's extensions where the schema has them
(petstore's 404 is ``{message}``, not problem+json).

Which of these a status gets, and the documented body's template, depend on the spec only:
:func:`refusal_shape` reads them once per (operation, status), and :func:`shaped` puts one
problem into its shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from specfake.errors import PROBLEM_CONTENT_TYPE, Problem
from specfake.fakes.resources.answers import (
    checked_by,
    documented_body,
    headerless_validator,
    json_media,
)
from specfake.fakes.resources.plan import Bound, json_schema_of
from specfake.fakes.resources.schemas import view
from specfake.pipeline.outcome import JSON, Outcome, problem_outcome
from specfake.spec.compile import CompiledOperation
from specfake.spec.defects import SpecWarning

_TEXT_FIELDS = ("detail", "message", "error", "description", "title")
_PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


@dataclass(frozen=True, slots=True)
class RefusalShape:
    """How one operation answers a refusal of one status: ``empty`` (documented without a
    body), ``problem`` (a problem document) or ``documented`` (its own body, from
    ``template``)."""

    kind: Literal["empty", "problem", "documented"]
    media_type: str = JSON
    template: Any = None  # the documented body the refusal's text goes into
    text_fields: tuple[str, ...] = ()  # the members that take the problem's detail
    properties: frozenset[str] = frozenset()  # the members the body's schema documents
    validator: Any = None  # :func:`headerless_validator` of the status and media type


def refusal(bound: Bound, problem: Problem) -> Outcome:
    """``problem`` as ``bound``'s operation documents its status, checked against the spec,
    carrying ``problem`` for the journal."""
    status = problem.status
    shape = bound.memoized(("refusal", status), refusal_shape, bound, status)
    outcome = shaped(problem, shape)
    outcome.problem = problem
    return checked_by(bound, outcome, shape.validator)


def refusal_shape(bound: Bound, status: int) -> RefusalShape:
    """The shape of ``bound``'s refusals of ``status``, read from its documented response."""
    operation = bound.operation
    response = operation.response_for(status)
    if response is not None and not response.media:
        return RefusalShape("empty")
    problem = RefusalShape(
        "problem", PROBLEM_CONTENT_TYPE,
        validator=headerless_validator(bound, status, PROBLEM_CONTENT_TYPE),
    )  # fmt: skip
    schema = json_schema_of(response)
    if response is None or schema is None or PROBLEM_CONTENT_TYPE in response.media:
        return problem
    root = operation.schema_root
    properties = view(schema, root).properties
    if _PROBLEM_MEMBERS & set(properties) >= {"title", "detail"}:
        return problem  # a problem schema under another media type
    text_fields = tuple(
        name for name in _TEXT_FIELDS
        if name in properties and not view(properties[name], root).is_object
    )  # fmt: skip
    media_type = json_media(response)
    return RefusalShape(
        "documented",
        media_type,
        documented_body(operation, status),
        text_fields,
        frozenset(properties),
        headerless_validator(bound, status, media_type),
    )


def shaped(problem: Problem, shape: RefusalShape) -> Outcome:
    """``problem`` in ``shape`` (not yet checked against the spec)."""
    if shape.kind == "empty":
        return Outcome(problem.status, None, headers=dict(problem.headers))
    if shape.kind == "problem":
        return problem_outcome(problem)
    body = shape.template
    if isinstance(body, dict):
        body = dict(body)
        for name in shape.text_fields:
            body[name] = problem.detail
        for name, value in problem.extensions.items():
            if name in shape.properties:
                body[name] = value
        if "code" in shape.properties and isinstance(body.get("code"), int):
            body["code"] = problem.status
    return Outcome(problem.status, body, shape.media_type, dict(problem.headers))


def undocumented_404(operation: CompiledOperation) -> SpecWarning:
    """The spec warning of an operation answering a deleted record's 404 it does not
    document."""
    path = operation.path_template.replace("~", "~0").replace("/", "~1")
    return SpecWarning(
        operation.spec_name,
        f"/paths/{path}/{operation.method.lower()}/responses",
        "a deleted record is answered 404, which this operation does not document; "
        "document the 404",
    )
