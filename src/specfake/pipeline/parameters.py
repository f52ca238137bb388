"""Read a declared parameter from a request as its style writes it, typed as its schema says.

OpenAPI ("Style Values") lets one value be written many ways: an array of ids is
``?ids=1&ids=2`` (form, exploded), ``?ids=1,2`` (form), ``?ids=1|2`` (pipeDelimited),
``/items/1,2`` (simple), ``/items/.1.2`` (label, exploded) or ``/items;ids=1,2`` (matrix); an
object is ``?filter[status]=open`` (deepObject) or ``/items/status=open,min=2`` (simple,
exploded). Each becomes the JSON value the schema describes (``[1, 2]``, ``{"status":
"open"}``) so the schema's validator can check it. A string that cannot be the declared type
stays a string, and the validator then names it; text that breaks the style itself (a label
value without its leading ``.``) is a :class:`StyleError`.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from specfake.spec.compile import CompiledParameter, ValueShape

_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_ASCII_INTEGER = re.compile(r"-?[0-9]+")
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}

Written = str | list[str] | dict[str, str]  # a value as the style writes it, before typing


class _Absent(enum.Enum):
    ABSENT = "absent"


ABSENT = _Absent.ABSENT  # the request does not carry the parameter


class StyleError(ValueError):
    """The text does not follow the parameter's style; the message says how it should look."""


def read_parameter(
    parameter: CompiledParameter,
    path_parameters: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
) -> Any:
    """``parameter``'s value in the request, typed, or :data:`ABSENT`.

    ``query`` maps a name to all its values; ``headers`` must be case-insensitive.
    """
    if parameter.location == "query":
        written = _from_query(parameter, query)
    else:
        source = path_parameters if parameter.location == "path" else headers
        text = source.get(parameter.name)
        written = None if text is None else _from_text(parameter, text)
    if written is None:
        return ABSENT
    if parameter.style == "content":
        return written
    return _typed(parameter.shape, written)


def header_value(parameter: CompiledParameter, text: str) -> Any:
    """A response header's ``text`` typed as documented (headers use the simple style)."""
    return _typed(parameter.shape, _from_text(parameter, text))


def _from_text(parameter: CompiledParameter, text: str) -> Any:
    """A path or header value: simple, label or matrix style, or JSON (``content``)."""
    style, kind, explode = parameter.style, parameter.shape.kind, parameter.explode
    if style == "content":
        return _json(text)
    if style == "label":
        if not text.startswith("."):
            raise StyleError(f"is written in label style, with a leading '.': .{parameter.name}")
        return _split(text[1:], kind, "." if explode else ",", pairs=explode)
    if style == "matrix":
        return _from_matrix(parameter, text)
    return _split(text, kind, ",", pairs=explode)


def _from_matrix(parameter: CompiledParameter, text: str) -> Written:
    name, kind = parameter.name, parameter.shape.kind
    if not text.startswith(";"):
        raise StyleError(f"is written in matrix style, as ;{name}=value")
    segments = text[1:].split(";")
    if parameter.explode and kind == "object":  # ;R=100;G=200
        return dict(_pair(segment) for segment in segments)
    values = []
    for segment in segments:  # ;color=blue;color=black, or one ;color=blue,black
        key, _, value = segment.partition("=")
        if key != name:
            raise StyleError(f"is written in matrix style, as ;{name}=value, not {text!r}")
        values.append(value)
    if parameter.explode:
        return values if kind == "array" else values[-1]
    return _split(values[-1], kind, ",", pairs=False)


def _from_query(parameter: CompiledParameter, query: Mapping[str, list[str]]) -> Any:
    """A query value: form, spaceDelimited, pipeDelimited or deepObject style, or JSON."""
    name, kind, style = parameter.name, parameter.shape.kind, parameter.style
    if style == "deepObject":  # filter[status]=open&filter[min]=2
        prefix = f"{name}["
        found = {
            key[len(prefix) : -1]: values[-1]
            for key, values in query.items()
            if key.startswith(prefix) and key.endswith("]")
        }
        return found or None
    if kind == "object" and parameter.explode and style != "content":
        # form, exploded: each declared property is a query parameter of its own (R=100&G=200)
        found = {key: query[key][-1] for key in parameter.shape.property_types if key in query}
        return found or None
    values = query.get(name)
    if not values:
        return None
    if style == "content":
        return _json(values[-1])
    if kind == "array" and parameter.explode:
        return list(values)
    return _split(values[-1], kind, _DELIMITERS[style], pairs=False)


def _split(text: str, kind: str, separator: str, *, pairs: bool) -> Written:
    """``text`` as the ``kind`` of value it writes: itself, its parts, or an object written as
    ``name=value`` parts (``pairs``) or as alternating names and values."""
    if kind == "primitive":
        return text
    parts = text.split(separator) if text else []
    if kind == "array":
        return parts
    if pairs:
        return dict(_pair(part) for part in parts)
    if len(parts) % 2:
        raise StyleError(
            f"writes an object as names and values in turn ({separator!r} between them), "
            f"but {text!r} has an odd number of parts"
        )
    return dict(zip(parts[::2], parts[1::2], strict=True))


def _pair(part: str) -> tuple[str, str]:
    name, equals, value = part.partition("=")
    if not equals:
        raise StyleError(f"writes an object's properties as name=value, not {part!r}")
    return name, value


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise StyleError(f"is not valid JSON ({error})") from error


def _typed(shape: ValueShape, written: Written) -> Any:
    if shape.verbatim:  # ids and most headers: the string is the value
        return written
    if isinstance(written, list):
        return [_scalar(value, shape.item_types) for value in written]
    if isinstance(written, dict):
        return {
            key: _scalar(value, shape.property_types.get(key, ())) for key, value in written.items()
        }
    return _scalar(written, shape.types)


def _scalar(value: str, types: tuple[str, ...]) -> Any:
    """``value`` as the schema's type when it is written as one; otherwise the string itself,
    which the validator then reports. Numbers beyond a double's range stay strings."""
    is_integer = _ASCII_INTEGER.fullmatch(value) is not None and len(value) <= 308
    if "integer" in types and is_integer:
        return int(value)
    if "number" in types:
        try:
            number = float(value) if value.isascii() else math.inf
        except ValueError:
            return value
        if math.isfinite(number):
            return int(value) if is_integer else number
    if "boolean" in types and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    if "null" in types and value == "":
        return None
    return value
