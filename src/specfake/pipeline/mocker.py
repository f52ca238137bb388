"""Answer an operation from its spec: a documented example, else a value synthesized from the
response schema (deterministic; ``--seed`` or ``Prefer: dynamic=true`` for variation).

:func:`checked_mock` is what the pipeline serves: the answer validated against the spec first.
A synthesized value that breaks its schema is synthesized again with other seeds; the spec's
own example is served as its author wrote it. Either way an answer that still breaks the spec
carries ``Specfake-Warning`` naming the rule, instead of becoming a 500.
"""

from __future__ import annotations

from typing import Any

from specfake.pipeline.body import is_json_media
from specfake.pipeline.negotiation import NO_RESPONSE, MockChoice
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.parameters import header_text
from specfake.pipeline.response_check import response_errors
from specfake.pipeline.synthesis import synthesize
from specfake.spec.compile import CompiledOperation
from specfake.spec.validators import SchemaValidator

WARNING_HEADER = "Specfake-Warning"
RESYNTHESIS_SEEDS = range(1, 9)  # other seeds tried when a synthesized value breaks its schema


def checked_mock(operation: CompiledOperation, choice: MockChoice, seed: int | None) -> Outcome:
    """The mock answer for ``choice``, validated; see the module docstring."""
    if choice.response is NO_RESPONSE:
        outcome = Outcome(204, None)
        outcome.headers[WARNING_HEADER] = "the operation documents no response; answered 204"
        return outcome
    outcome = mock_response(operation, choice, seed)
    if outcome.body is not None and not is_json_media(outcome.media_type):
        return outcome  # text, XML, images: not checked against a JSON Schema
    errors = response_errors(operation, outcome)
    if not errors:
        return outcome
    if not choice.has_example:
        for other in RESYNTHESIS_SEEDS:
            retried = mock_response(operation, choice, other if seed is None else seed + other)
            if not response_errors(operation, retried):
                return retried
    source = "the spec's example" if choice.has_example else "the synthesized value"
    first = errors[0]
    outcome.headers[WARNING_HEADER] = header_safe(
        f"{source} breaks the spec at {first.location} {first.path or '/'}: {first.message}"
    )
    return outcome


def header_safe(text: str, limit: int = 300) -> str:
    """``text`` as one ASCII header line: other characters as ``?``, cut at ``limit``."""
    line = "".join(c if " " <= c <= "~" else "?" for c in text)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def mock_response(operation: CompiledOperation, choice: MockChoice, seed: int | None) -> Outcome:
    """The response ``choice`` describes: its example, or a body synthesized from its schema."""
    headers = {}
    for header in choice.response.headers:
        if header.required:
            value = (
                header.example
                if header.example is not None
                else synthesize(
                    header.validator.schema, operation.schema_root, seed=seed
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
        body = synthesize(schema, operation.schema_root, seed=seed)
        body = _consistent_status(body, choice.status, validator)
    if not is_json_media(choice.media_type):
        body = body if isinstance(body, str | bytes) else ""  # a minimal text document
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
