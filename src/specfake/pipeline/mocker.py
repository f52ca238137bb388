"""Answer an operation from its spec: a documented example, else a value synthesized from the
response schema (deterministic; ``--seed`` or ``Prefer: dynamic=true`` for variation)."""

from __future__ import annotations

from typing import Any

from specfake.pipeline.negotiation import MockChoice
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.parameters import header_text
from specfake.pipeline.synthesis import synthesize
from specfake.spec.compile import CompiledOperation, SchemaValidator


def mock_response(operation: CompiledOperation, choice: MockChoice, seed: int | None) -> Outcome:
    """The response ``choice`` describes: its example, or a body synthesized from its schema."""
    headers = {}
    for header in choice.response.headers:
        if header.required:
            value = (
                header.example
                if header.example is not None
                else synthesize(
                    header.validator.schema, {"components": operation.components}, seed=seed
                )
            )
            headers[header.name] = header_text(header, value)
    if choice.media_type is None:
        return Outcome(choice.status, None, headers=headers)
    if choice.has_example:
        body = choice.example
    else:
        validator = choice.response.media[choice.media_type].validator
        schema = validator.schema if validator is not None else {}
        body = synthesize(schema, {"components": operation.components}, seed=seed)
        body = _consistent_status(body, choice.status, validator)
    return Outcome(choice.status, body, media_type=choice.media_type, headers=headers)


def _consistent_status(body: Any, status: int, validator: SchemaValidator | None) -> Any:
    """A synthesized problem body states the status it is answered with (RFC 9457's
    ``status``), where its schema allows that value: a random 441 in a 422 would mislead."""
    if not isinstance(body, dict) or not isinstance(body.get("status"), int):
        return body
    if isinstance(body["status"], bool) or body["status"] == status:
        return body
    fixed = {**body, "status": status}
    return fixed if validator is None or validator.is_valid(fixed) else body
