"""Stored records answered in the shape the spec documents: the record itself or wrapped in
an envelope (``{data: record, message}``, the other fields from the spec's example), a list
bare or wrapped with its counts (refusals: :mod:`specfake.fakes.resources.refusals`).

Every answer is checked against the spec here: one the spec does not allow (a status it does
not document, a stored record missing a field the answer requires) is still sent, with
``Specfake-Warning`` naming the rule, as the mocker does, instead of becoming a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfake.errors import FieldError
from specfake.fakes.resources.plan import Bound, json_schema_of
from specfake.fakes.resources.schemas import COUNT_PROPERTIES, list_property, property_names, view
from specfake.pipeline.body import is_json_media
from specfake.pipeline.mocker import WARNING_HEADER, checked_mock, header_safe
from specfake.pipeline.negotiation import MockChoice, choose_mock
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.preferences import NO_PREFERENCES
from specfake.pipeline.response_check import response_errors
from specfake.spec.compile import CompiledOperation

Record = dict[str, Any]


def success_status(operation: CompiledOperation, preferred: tuple[int, ...]) -> int | None:
    """The documented 2xx to answer with: the first of ``preferred`` documented, else the
    lowest documented 2xx, else ``None``."""
    codes = sorted(int(code) for code in operation.responses if code.isdigit() and code[0] == "2")
    for status in preferred:
        if str(status) in operation.responses:
            return status
    if codes:
        return codes[0]
    return preferred[0] if "2XX" in operation.responses else None


def record_answer(
    bound: Bound, record: Record, status: int, headers: dict[str, str] | None = None
) -> Outcome:
    """``record`` as the documented answer of ``status``: projected to the documented
    properties where declared (``answer: documented``) or where the schema is closed, wrapped
    in the envelope, with the envelope's other fields from the spec's example."""
    shape = bound.memoized(("record answer", status), record_shape, bound, status)
    if shape is None:
        return checked(bound, Outcome(status, None, headers=headers or {}))
    body: Any = _project(record, shape.kept)
    if bound.envelope is not None:
        body = {**shape.fields, bound.envelope: body}
    outcome = Outcome(status, body, shape.media_type, headers or {})
    return checked_by(bound, outcome, shape.validator)


@dataclass(frozen=True, slots=True)
class RecordShape:
    """How one operation answers a record with one status."""

    kept: frozenset[str] | None  # the record's fields it keeps; ``None``: all of them
    media_type: str
    fields: dict[str, Any]  # the envelope's other fields (``message``...), if it has one
    validator: Any  # :func:`headerless_validator` of the status and media type


def record_shape(bound: Bound, status: int) -> RecordShape | None:
    """The shape of ``bound``'s record answers of ``status``, read from its documented
    response once; ``None`` when that documents no JSON body."""
    response = bound.operation.response_for(status)
    schema = json_schema_of(response)
    if schema is None:
        return None
    fields = _example_fields(bound.operation, status) if bound.envelope is not None else {}
    media_type = json_media(response)
    validator = headerless_validator(bound, status, media_type)
    return RecordShape(_kept_of_answer(bound, schema), media_type, fields, validator)


def list_answer(bound: Bound, records: list[Record], total: int, status: int) -> Outcome:
    """``records`` (one page of ``total``) as the documented list: a bare array, or the
    object holding it with its counts set."""
    operation = bound.operation
    response = operation.response_for(status)
    schema = json_schema_of(response)
    root = operation.schema_root
    if schema is None:
        return checked(bound, Outcome(status, None))
    outer = view(schema, root)
    documented = bound.declaration.answer == "documented"
    if outer.is_array:
        items = [_projected(record, outer.items or {}, root, documented) for record in records]
        return checked(bound, Outcome(status, items, json_media(response)))
    name = list_property(schema, root) or "data"
    items_schema = view(outer.properties.get(name, {}), root).items or {}
    fields = bound.memoized(("fields", status), _example_fields, operation, status)
    body = {
        **fields,
        name: [_projected(record, items_schema, root, documented) for record in records],
    }
    for count in COUNT_PROPERTIES:
        if count in outer.properties:
            body[count] = total
    return checked(bound, Outcome(status, body, json_media(response)))


def example_answer(bound: Bound, record_id: str | None = None) -> Outcome:
    """The spec's own answer for an id never stored (a spec that documents no 404): its
    example, with ``record_id`` put in where the record has its id (unless the id breaks the
    schema there: a fuzzer's id under a ``pattern``)."""
    operation = bound.operation
    id_field = bound.resource.id_field
    outcome = checked_mock(operation, choose_mock(operation, NO_PREFERENCES, None), None)
    body = outcome.body
    if isinstance(body, dict) and record_id is not None:
        inner = bound.record_in(body)
        if isinstance(inner, dict) and id_field in inner:
            inner = {**inner, id_field: _typed_like(inner[id_field], record_id)}
            with_id = {**body, bound.envelope: inner} if bound.envelope else inner
            candidate = Outcome(outcome.status, with_id, outcome.media_type, outcome.headers)
            if not response_errors(operation, candidate):
                outcome = candidate
    return checked(bound, outcome)


def example_record(bound: Bound, record_id: Any) -> Record:
    """The record the spec's example answer shows, with ``record_id`` as its id: what a write
    to an id never stored starts from (a spec that documents no 404)."""
    id_field = bound.resource.id_field
    body = example_answer(bound, str(record_id)).body
    inner = bound.record_in(body)
    record = dict(inner) if isinstance(inner, dict) else {}
    return {**record, id_field: record_id}


def checked(bound: Bound, outcome: Outcome) -> Outcome:
    """``outcome``, marked as checked against the spec, with a warning if it breaks it."""
    errors = answer_errors(bound, outcome) if _checkable(outcome) else []
    if errors and WARNING_HEADER not in outcome.headers:
        first = errors[0]
        outcome.headers[WARNING_HEADER] = header_safe(
            f"the stored record's answer breaks the spec at {first.location} "
            f"{first.path or '/'}: {first.message}"
        )
    outcome.checked = True
    return outcome


def checked_by(bound: Bound, outcome: Outcome, validator: Any) -> Outcome:
    """:func:`checked` with the :func:`headerless_validator` of ``outcome``'s status and media
    type already in hand (a shape read it once): a body it accepts is marked checked at once,
    without the validator's memo look-up on every answer; anything else is :func:`checked`."""
    if validator is not None and outcome.body is not None and validator.is_valid(outcome.body):
        outcome.checked = True
        return outcome
    return checked(bound, outcome)


def answer_errors(bound: Bound, outcome: Outcome) -> list[FieldError]:
    """:func:`response_errors` of ``outcome``, the common case first: a body its schema
    accepts, of a status whose response documents no headers, is known right by one
    ``is_valid`` call (no walk of the documented headers, no list of failures to make)."""
    status, media_type = outcome.status, outcome.media_type
    validator = bound.memoized(
        ("body validator", status, media_type), headerless_validator, bound, status, media_type
    )
    if validator is not None and outcome.body is not None and validator.is_valid(outcome.body):
        return []
    return response_errors(bound.operation, outcome)


def headerless_validator(bound: Bound, status: int, media_type: str) -> Any:
    """The body validator of ``status``'s response in ``media_type`` when that response
    documents no headers; ``None`` otherwise."""
    response = bound.operation.response_for(status)
    if response is None or response.headers:
        return None
    media = response.media.get(media_type)
    return media.validator if media is not None else None


def warned(outcome: Outcome, message: str) -> Outcome:
    outcome.headers[WARNING_HEADER] = header_safe(message)
    return outcome


def _checkable(outcome: Outcome) -> bool:
    return outcome.body is None or is_json_media(outcome.media_type)


def _projected(record: Record, schema: Any, root: dict[str, Any], documented: bool) -> Record:
    return _project(record, kept_names(schema, root, documented))


def kept_names(schema: Any, root: dict[str, Any], documented: bool) -> frozenset[str] | None:
    """The fields of a record an answer in ``schema`` keeps; ``None``: all of them."""
    shape = view(schema, root)
    if (documented or shape.closed) and shape.properties:
        return frozenset(shape.properties)
    return None


def _kept_of_answer(bound: Bound, schema: Any) -> frozenset[str] | None:
    """:func:`kept_names` for a record answered in ``schema``, in its envelope if it has one."""
    root = bound.operation.schema_root
    return kept_names(bound.record_schema(schema), root, bound.declaration.answer == "documented")


def _project(record: Record, kept: frozenset[str] | None) -> Record:
    return record if kept is None else {name: v for name, v in record.items() if name in kept}


def _example_fields(operation: CompiledOperation, status: int) -> dict[str, Any]:
    """The wrapper's other fields (``message``...), from the spec's example or synthesized."""
    body = documented_body(operation, status)
    return dict(body) if isinstance(body, dict) else {}


def documented_body(operation: CompiledOperation, status: int) -> Any:
    """The mock body of the response documented for ``status`` (exact, ``4XX`` or
    ``default``): its first JSON example, else one synthesized from its schema."""
    response = operation.response_for(status)
    if response is None:
        return None
    media_type = json_media(response)
    media = response.media.get(media_type)
    examples = media.examples if media is not None else {}
    example = next(iter(examples.values()), None)
    choice = MockChoice(status, response, media_type if media else None, example, bool(examples))
    return checked_mock(operation, choice, None).body


def json_media(response: Any) -> str:
    """The first JSON media type ``response`` documents, else ``application/json``."""
    if response is not None:
        for media_type in response.media:
            if is_json_media(media_type):
                return media_type
    return "application/json"


def _typed_like(example: Any, record_id: str) -> Any:
    """The path's id text as the example's type (``42`` for an integer id)."""
    if isinstance(example, int) and not isinstance(example, bool):
        try:
            return int(record_id)
        except ValueError:
            return record_id
    return record_id


def documents_header(bound: Bound, status: int, name: str) -> bool:
    response = bound.operation.response_for(status)
    return response is not None and any(h.name.lower() == name for h in response.headers)


def answers_record(bound: Bound, status: int) -> bool:
    """Whether an action's answer is the record (wrapped or not), not something else such as
    a job or a message."""
    if bound.envelope is not None or bound.declaration.answer == "documented":
        return True
    schema = json_schema_of(bound.operation.response_for(status))
    root = bound.operation.schema_root
    return schema is not None and bound.resource.id_field in property_names(schema, root)
