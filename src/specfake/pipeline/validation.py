"""Validate a request's parameters and body against its compiled operation.

Problems are collected, not thrown one at a time: the client gets every failing field at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specfake.errors import FieldError
from specfake.pipeline.parameters import ABSENT, StyleError, plain_text_value, read_parameter
from specfake.spec.compile import CompiledMedia, CompiledOperation


def parameter_errors(
    operation: CompiledOperation,
    path_parameters: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
) -> tuple[dict[str, Any], list[FieldError]]:
    """Read and check every declared parameter; returns the typed values and the failures.

    ``query`` maps a name to all its values; ``headers`` must be case-insensitive.
    """
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for parameter in operation.parameters:
        if parameter.plain_text:  # the text is the value: nothing to split or type
            value = plain_text_value(parameter, path_parameters, query, headers)
        else:
            try:
                value = read_parameter(parameter, path_parameters, query, headers)
            except StyleError as error:
                errors.append(FieldError(parameter.location, parameter.name, str(error)))
                continue
        if value is ABSENT:
            if parameter.required:
                errors.append(FieldError(parameter.location, parameter.name, "is required"))
            continue
        values[parameter.name] = value
        if not parameter.any_text_valid:  # else the text passes: plain text, any string valid
            errors.extend(parameter.validator.errors(value, parameter.location, parameter.name))
    return values, errors


def body_errors(
    operation: CompiledOperation,
    media: CompiledMedia | None,
    body: Any,
    raw_size: int | None = None,
) -> list[FieldError]:
    """Check the parsed ``body`` (``None`` when absent; parsed from ``raw_size`` bytes, when
    known) against the operation's body schema."""
    if body is None:
        if operation.body_required:
            return [FieldError("body", "", "a request body is required")]
        return []
    if media is None or media.validator is None:
        return []
    return media.validator.errors(body, "body", text_size=raw_size)
