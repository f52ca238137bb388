"""Read and parse a request body strictly: size limit, Content-Type, and JSON that Python's
``json`` module would be too lenient with (NaN/Infinity) or crash on (deep nesting)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import Receive

from specfake.errors import malformed_json, payload_too_large, unsupported_media_type
from specfake.spec.compile import CompiledMedia

MAX_NESTING = 64


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, or a 413 as soon as it grows past ``limit`` (never buffered beyond it)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise payload_too_large(limit)
        if chunk:
            parts.append(chunk)
    return b"".join(parts)  # a one-chunk body (the usual case) is returned without a copy


async def receive_limited(receive: Receive, limit: int) -> bytes:
    """``read_limited(request.stream(), limit)`` for the request path, reading the ASGI messages
    itself: Starlette's ``stream()`` is an async generator, and driving one costs several times
    more than the read. Same answers: the body, a 413 past ``limit``, ``ClientDisconnect``."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise payload_too_large(limit)
            if chunk:
                parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


def media_type_of(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def select_media(content_type: str | None, media: dict[str, CompiledMedia]) -> CompiledMedia:
    """The request body's media entry for ``content_type``, or a 415: :func:`matched_media`,
    with one look-up for a ``Content-Type`` that is a listed media type as sent (lower-case,
    no parameters: ``application/json``), which is what it would find. (A spec may list a key
    with parameters, ``application/json; charset=utf-8``, which matching never selects: a
    ``Content-Type`` with parameters always goes through matching.)"""
    if content_type is None or ";" in content_type:
        return matched_media(content_type, media)
    exact = media.get(content_type)
    return exact if exact is not None else matched_media(content_type, media)


def matched_media(content_type: str | None, media: dict[str, CompiledMedia]) -> CompiledMedia:
    """The request body's media entry for ``content_type``: its media type's, then its
    family's (``text/*``), then ``*/*``'s; or a 415."""
    wanted = media_type_of(content_type)
    if wanted in media:
        return media[wanted]
    family = wanted.split("/", 1)[0] + "/*"
    for candidate in (family, "*/*"):
        if candidate in media:
            return media[candidate]
    raise unsupported_media_type(content_type or "(none)", sorted(media))


def is_json_media(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json") or media_type == "*/*"


def parse_json(raw: bytes) -> Any:
    """Parse ``raw`` as strict JSON (RFC 8259); anything else is a 400 saying where it broke.

    orjson parses the bodies it accepts several times faster than ``json``, and refuses all
    that the strict parse below refuses except nesting deeper than :data:`MAX_NESTING` (up to
    its own limit of 1024) and integers past 64 bits (which it turns into floats). Any body it
    refuses, or whose value nests too deep, or that may hold such an integer, is parsed by
    :func:`_parse_strictly`, whose 400 says exactly what is wrong.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _parse_strictly(raw)
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets > MAX_NESTING and not nests_within_the_limit(value, brackets):
        return _parse_strictly(raw)
    if may_hold_a_long_number(raw):  # maybe a number orjson rounded
        return _parse_strictly(raw)
    return value


def nests_within_the_limit(value: Any, brackets: int) -> bool:
    """Whether the text ``value`` was parsed from, holding ``brackets`` opening brackets, nests
    at most :data:`MAX_NESTING` deep (what ``_nesting_depth(text) <= MAX_NESTING`` says).

    The parsed value is walked a level at a time instead of the text a character at a time: a
    10 MB state with 100k rows took a second to walk on the event loop (every other client
    waited), its value takes a tenth of that. Each container is one bracket of the text, so
    the value's depth is the text's, unless the text has brackets the value lost (inside
    strings, or under a key given twice, whose first value the parse dropped): then only the
    text can tell, and this answers no.
    """
    level = [value]
    containers = 0
    for _ in range(MAX_NESTING + 1):
        nested = [item for item in level if isinstance(item, (dict, list))]
        if not nested:
            return containers == brackets
        containers += len(nested)
        level = []
        for container in nested:
            level.extend(container.values() if isinstance(container, dict) else container)
    return False


def may_hold_a_long_number(raw: bytes) -> bool:
    """Whether ``raw`` has 17 digits or points in a row (``_LONG_DIGIT_RUN``).

    ``re`` tries the pattern at every byte (~15 µs on a 700-byte body); a body with fewer than
    17 digits and points in all cannot hold such a run, and counting them is one C pass."""
    if len(raw) - len(raw.translate(None, _DIGITS_AND_POINT)) < 17:
        return False
    return _LONG_DIGIT_RUN.search(raw) is not None


def _parse_strictly(raw: bytes) -> Any:
    """``parse_json`` with the standard library, a check at a time, for the precise 400."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise malformed_json(f"The body is not valid UTF-8 (byte {error.start}).") from error
    if text.startswith("\ufeff"):
        raise malformed_json("The body starts with a byte-order mark; JSON must not.")
    depth = _nesting_depth(text)
    if depth > MAX_NESTING:
        raise malformed_json(f"The body nests {depth} levels deep; the limit is {MAX_NESTING}.")
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise malformed_json(f"{error.msg}: line {error.lineno} column {error.colno}.") from error
    except ValueError as error:
        raise malformed_json(str(error)) from error
    if _ESCAPED_SURROGATE.search(text) and _has_lone_surrogate(value):
        raise malformed_json(
            "The body has a \\u escape of a lone UTF-16 surrogate (\\ud800-\\udfff), which "
            "is no character; escape the character's full surrogate pair."
        )
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send a number or null instead.")


def _finite_float(text: str) -> float:
    """A JSON number as a float, refusing one too large for a double (``1e400``).

    A decimal that is not a whole number never parses as one: a double rounds
    ``7.0000000000000001`` to 7.0, which would then equal a version 7. It becomes the next
    double away from the whole number instead, so it compares unequal, as it does in peers that
    keep decimals exactly (only texts of 17 or more digits can round so, and only they reach
    this strict parse: ``_LONG_DIGIT_RUN``). From 2^53 up every double is a whole number, so
    there a fraction still lands on one (``9007199254740993.5``); no version gets that high.
    """
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"The number {text[:40]} is too large for a double.")
    if number.is_integer() and number != 0:  # (a fraction underflowing to 0 is not a version)
        try:
            exact = Decimal(text)
            fraction = exact != exact.to_integral_value()
        except ArithmeticError:  # an exponent past Decimal's range: no fraction worth keeping
            return number
        if fraction:  # a fraction a double rounded to a whole number
            return math.nextafter(number, math.inf if exact > number else -math.inf)
    return number


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in ``value`` holds half a surrogate pair (no UTF-8 exists)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def _double_sized_int(text: str) -> int:
    """A JSON integer, refusing one beyond a double's range (over 308 digits), as JSON peers do."""
    if len(text.lstrip("-")) > 308:
        raise ValueError(f"The number {text[:40]}... is too large for a double.")
    return int(text)


# One decoder for every body: ``json.loads`` with options builds a new one per call.
_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_double_sized_int
)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")  # only then can a lone one exist
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# 17 digits (and points) in a row: the shortest text of a fraction a double rounds to a whole
# number (``_finite_float``); 19 digits are the shortest integer past 64 bits (orjson makes it
# a float). Either is parsed strictly.
_LONG_DIGIT_RUN = re.compile(rb"[0-9.]{17}")
_DIGITS_AND_POINT = b"0123456789."


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings, found without recursion."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0  # cannot be too deep: skip the character walk on ordinary bodies
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest
