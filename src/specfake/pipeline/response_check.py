"""Check an answer against the spec before it is sent: a fake's bug must not reach a client."""

from __future__ import annotations

from specfake.errors import FieldError
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.parameters import StyleError, header_value
from specfake.spec.compile import CompiledOperation, CompiledParameter


def response_errors(operation: CompiledOperation, outcome: Outcome) -> list[FieldError]:
    """Every way ``outcome`` breaks the documented response of ``operation`` (empty: it's fine).

    Paths are JSON Pointers into the response body, or the response header's name.
    """
    response = operation.response_for(outcome.status)
    if response is None:
        documented = ", ".join(sorted(operation.responses))
        return [FieldError("body", "", f"status {outcome.status} is not documented ({documented})")]
    errors: list[FieldError] = []
    if response.headers:  # few responses declare any: then no walk over the outcome's
        errors += _header_errors(response.headers, outcome.headers)
    if outcome.body is None:
        return errors
    media = response.media.get(outcome.media_type)
    if media is None:
        documented = ", ".join(sorted(response.media)) or "no body"
        errors.append(
            FieldError(
                "header", "Content-Type", f"{outcome.media_type} is not documented ({documented})"
            )
        )
    elif media.validator is not None:
        errors.extend(media.validator.errors(outcome.body, "body"))
    return errors


def _header_errors(declared: list[CompiledParameter], headers: dict[str, str]) -> list[FieldError]:
    """How ``headers`` (an outcome's) break the ``declared`` response headers."""
    errors: list[FieldError] = []
    present = {name.lower(): value for name, value in headers.items()}
    for header in declared:
        value = present.get(header.name.lower())
        if value is None:
            if header.required:
                errors.append(FieldError("header", header.name, "required response header missing"))
            continue
        try:
            typed = header_value(header, value)
        except StyleError as error:
            errors.append(FieldError("header", header.name, str(error)))
            continue
        errors.extend(header.validator.errors(typed, "header", header.name))
    return errors
