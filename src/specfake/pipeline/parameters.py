"""Read a declared parameter from a request as its style writes it, typed as its schema says.

OpenAPI ("Style Values") lets one value be written many ways: an array of ids is
``?ids=1&ids=2`` (form, exploded), ``?ids=1,2`` (form), ``?ids=1|2`` (pipeDelimited),
``/items/1,2`` (simple), ``/items/.1.2`` (label, exploded) or ``/items;ids=1,2`` (matrix); an
object is ``?filter[status]=open`` (deepObject) or ``/items/status=open,min=2`` (simple,
exploded). Each becomes the JSON value the schema describes (``[1, 2]``, ``{"status":
"open"}``) so the schema's validator can check it. A string that cannot be the declared type
stays a string, and the validator then names it; text that breaks the style itself (a label
value without its leading ``.``) is a :class:`StyleError`. A path value is split by its style
before it is percent-decoded, so ``%2C`` is a comma inside a value, not between two.

:func:`header_text` writes a value the way :func:`header_value` reads it, for mocked headers.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from specfake.errors import Problem
from specfake.pipeline.body import is_json_media, parse_json
from specfake.spec.compile import CompiledParameter

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
    elif parameter.location == "path":
        text = path_parameters.get(parameter.name)
        written = None if text is None else _decoded(_from_text(parameter, text))
    else:
        text = headers.get(parameter.name)
        written = None if text is None else _from_text(parameter, text)
    if written is None:
        return ABSENT
    return _typed(parameter, written)


def plain_text_value(
    parameter: CompiledParameter,
    path_parameters: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
) -> Any:
    """:func:`read_parameter` for a ``plain_text`` parameter (a string in the simple or form
    style: ids, most headers), without the style and type steps that leave its text as it is
    (a path's percent-decoded)."""
    if parameter.location == "query":
        values = query.get(parameter.name)
        return values[-1] if values else ABSENT
    if parameter.location == "path":
        text = path_parameters.get(parameter.name)
        if text is None:
            return ABSENT
        return unquote(text) if "%" in text else text
    text = headers.get(parameter.name)
    return ABSENT if text is None else text


def header_value(parameter: CompiledParameter, text: str) -> Any:
    """A response header's ``text`` typed as documented (headers use the simple style)."""
    return _typed(parameter, _from_text(parameter, text))


def header_text(parameter: CompiledParameter, value: Any) -> str:
    """``value`` written the way :func:`header_value` reads ``parameter`` (a response header)."""
    if parameter.style == "content":
        if _is_json(parameter):
            return _json_text(value)
        return value if isinstance(value, str) else _scalar_text(value)
    if isinstance(value, list):
        return ",".join(_scalar_text(item) for item in value)
    if isinstance(value, dict):
        between = "=" if parameter.explode else ","
        return ",".join(f"{key}{between}{_scalar_text(item)}" for key, item in value.items())
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):  # nested deeper than a style can write: as JSON
        return _json_text(value)
    return str(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _from_text(parameter: CompiledParameter, text: str) -> Any:
    """A path or header value: simple, label or matrix style, or a ``content`` value."""
    style, kind, explode = parameter.style, parameter.shape.kind, parameter.explode
    if style == "content":
        return _content(parameter, unquote(text) if parameter.location == "path" else text)
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
    """A query value: form, spaceDelimited, pipeDelimited or deepObject style, or a ``content``
    value."""
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
        return _content(parameter, values[-1])
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


def _decoded(written: Any) -> Any:
    """A path value's parts, percent-decoded once the style has split them."""
    if isinstance(written, str):
        return unquote(written) if "%" in written else written
    if isinstance(written, list):
        return [_decoded(part) for part in written]
    if isinstance(written, dict):
        return {_decoded(key): _decoded(value) for key, value in written.items()}
    return written  # a content value, decoded before it was parsed


def _is_json(parameter: CompiledParameter) -> bool:
    return is_json_media((parameter.media_type or "").split(";", 1)[0].strip())


def _content(parameter: CompiledParameter, text: str) -> Any:
    """A ``content`` parameter's value: parsed as strictly as a JSON body, or the text itself
    for other media types."""
    if not _is_json(parameter):
        return text
    try:
        return parse_json(text.encode())
    except Problem as problem:  # malformed: say why, as for a body
        raise StyleError(f"is not valid JSON: {problem.detail}") from problem


def _typed(parameter: CompiledParameter, written: Any) -> Any:
    shape = parameter.shape
    if shape.verbatim or (parameter.style == "content" and _is_json(parameter)):
        return written  # ids and most headers: the string is the value; JSON is typed already
    if isinstance(written, list):
        return [_scalar(value, shape.item_types) for value in written]
    if isinstance(written, dict):
        return {
            key: _scalar(value, shape.property_types.get(key, shape.additional_types))
            for key, value in written.items()
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
