"""Synthesize a response value from its JSON Schema, for operations with no fake and no example.

Like Prism's mocking, there are two modes:

* static (``seed=None``): deterministic, "nice" values. The schema's own ``examples``,
  ``example`` or ``default`` come first, then ``"string"``, ``0``, ``true`` and one well-known
  value per ``format``. The same schema always gives the same bytes, so snapshots stay stable.
  Optional properties are included (as Prism does), so clients see the whole shape.
* dynamic (``seed=int``): values drawn from ``random.Random(seed)``, so clients see variety while
  the same seed still reproduces the same response. Examples and defaults are skipped, enum
  members, ``oneOf``/``anyOf`` branches and types are picked at random, and each optional
  property is included with probability one half.

Both modes aim at values that validate against the schema (JSON Schema 2020-12 as used by
OpenAPI 3.1, plus OpenAPI 3.0's ``nullable`` and boolean ``exclusiveMinimum``/``Maximum``).
Contradictory schemas get a best-effort value instead of an error: the contract checks report
those, and a mock server should still answer. The spec's examples are trusted as written.

Known limits: ``not``, ``if``/``then``/``else``, ``contains``, ``dependent*``,
``patternProperties`` and ``discriminator`` are ignored, and a ``oneOf`` value may match more than
one branch when branches overlap.
"""

from __future__ import annotations

import base64
import copy
import datetime
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import count
from typing import Any

from specfake.errors import SpecfakeError
from specfake.spec.references import referenced

__all__ = ["synthesize"]

Schema = dict[str, Any]

_MINIMAL_DEPTH = 8  # $ref hops after which only the smallest valid value is produced
_GIVE_UP_DEPTH = 16  # $ref hops after which a cycle of required members is cut with null
_ATTEMPTS = 25  # tries for values that must be unique, match a pattern or hit a multipleOf
_WINDOW = 1000  # width of the range dynamic mode draws unbounded numbers from
_STRETCH_LIMIT = 64  # most extra repetitions an unbounded regex quantifier gets

_KEYWORD_TYPES = (
    ("object", {"properties", "required", "additionalProperties", "minProperties"}),
    ("array", {"items", "prefixItems", "minItems", "maxItems", "uniqueItems"}),
    ("string", {"minLength", "maxLength", "pattern"}),
    ("number", {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
)
_NUMBER_FORMATS = {"int32": "integer", "int64": "integer", "float": "number", "double": "number"}
_LOWER_BOUNDS = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"}
_UPPER_BOUNDS = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"}

_STATIC_FORMATS = {
    "date-time": "2026-01-01T00:00:00.000Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "json-pointer": "/",
    "relative-json-pointer": "0",
    "regex": ".*",
    "byte": "c3RyaW5n",
    "binary": "string",
}


def _random_date(rng: random.Random) -> str:
    return (datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(365))).isoformat()


def _random_time(rng: random.Random) -> str:
    return f"{rng.randrange(24):02}:{rng.randrange(60):02}:{rng.randrange(60):02}"


_DYNAMIC_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date-time": lambda rng: f"{_random_date(rng)}T{_random_time(rng)}.000Z",
    "date": _random_date,
    "time": lambda rng: f"{_random_time(rng)}Z",
    "email": lambda rng: f"user{rng.randrange(10_000)}@example.com",
    "hostname": lambda rng: f"host{rng.randrange(10_000)}.example.com",
    "ipv4": lambda rng: f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randrange(1, 0x10000):x}",
    "uri": lambda rng: f"https://example.com/{rng.randrange(10_000)}",
    "url": lambda rng: f"https://example.com/{rng.randrange(10_000)}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "byte": lambda rng: base64.b64encode(rng.randbytes(6)).decode("ascii"),
}


def synthesize(schema: dict[str, Any], root: dict[str, Any], *, seed: int | None = None) -> Any:
    """A value for ``schema``, whose ``$ref`` JSON Pointers resolve inside ``root`` (the document).

    ``seed=None`` is static mode (deterministic, the spec's examples first); an int is dynamic mode
    (varies with the seed, reproducible for one seed). Recursive schemas are cut after a few
    ``$ref`` hops by producing the smallest valid value (no optional properties, ``minItems``
    items, null where allowed). The result never shares objects with ``root``, so callers may
    mutate it. Raises :class:`SpecfakeError` for a ``$ref`` that is not local or points at nothing.
    """
    static = seed is None
    # Static mode is deterministic but still needs a random source to search for unique items or
    # pattern matches; a fixed seed keeps those searches reproducible.
    synthesizer = _Synthesizer(root, random.Random(0 if static else seed), static=static)
    return synthesizer.value(schema, depth=0)


class _Synthesizer:
    def __init__(self, root: dict[str, Any], rng: random.Random, *, static: bool) -> None:
        self._root = root
        self._rng = rng
        self._static = static

    def value(self, schema: Any, depth: int) -> Any:
        flat, depth = self._flatten(schema, depth)
        flat, depth = self._choose_branches(flat, depth)
        if depth > _MINIMAL_DEPTH and _allows_null(flat):
            return None
        if "const" in flat:
            return copy.deepcopy(flat["const"])
        if self._static:
            found, example = _example(flat)
            if found:
                return copy.deepcopy(example)
        enum = flat.get("enum")
        if isinstance(enum, list) and enum:
            return copy.deepcopy(self._pick_enum(enum))
        kind = self._pick_type(flat)
        if kind == "object":
            return self._object(flat, depth)
        if kind == "array":
            return self._array(flat, depth)
        if kind == "string":
            return self._string(flat)
        if kind in ("integer", "number"):
            return self._number(flat, integer=kind == "integer")
        if kind == "boolean":
            return True if self._static else self._rng.random() < 0.5
        return None

    def _flatten(self, schema: Any, depth: int) -> tuple[Schema, int]:
        """Resolve ``$ref`` and ``allOf`` into one merged schema, and the ``$ref`` depth reached.

        The schema's own keywords come first so that, for example, an ``example`` next to a
        ``$ref`` (allowed in 3.1) wins over the referenced schema's.
        """
        if not isinstance(schema, dict) or depth > _GIVE_UP_DEPTH:
            return {}, depth
        parts = [{key: value for key, value in schema.items() if key not in ("$ref", "allOf")}]
        reached = depth
        if isinstance(schema.get("$ref"), str):
            target, reached = self._flatten(self._resolve(schema["$ref"]), depth + 1)
            parts.append(target)
        all_of = schema.get("allOf")
        for branch in all_of if isinstance(all_of, list) else []:
            flat, branch_depth = self._flatten(branch, depth)
            parts.append(flat)
            reached = max(reached, branch_depth)
        return _merge(parts), reached

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SpecfakeError(f"only local references are supported, got {ref!r}")
        target = referenced(self._root, ref)
        if target is None:
            raise SpecfakeError(f"reference {ref!r} points at nothing")
        return target

    def _choose_branches(self, flat: Schema, depth: int) -> tuple[Schema, int]:
        """Replace ``oneOf``/``anyOf`` by one branch merged into the rest of the schema.

        A null-only branch is skipped when another exists, except past the recursion cut-off,
        where null is the smallest value there is.
        """
        while keyword := next((key for key in ("oneOf", "anyOf") if key in flat), None):
            rest = {key: value for key, value in flat.items() if key != keyword}
            branches = flat[keyword] if isinstance(flat[keyword], list) else []
            options = [self._flatten(branch, depth) for branch in branches]
            if not options:
                flat = rest
                continue
            null_options = [option for option in options if _is_null_only(option[0])]
            other_options = [option for option in options if not _is_null_only(option[0])]
            if null_options and (depth > _MINIMAL_DEPTH or not other_options):
                chosen = null_options[0]
            else:
                chosen = other_options[0] if self._static else self._rng.choice(other_options)
            branch = branches[options.index(chosen)]
            tag = _discriminator_tag(rest.get("discriminator"), branch)
            flat, depth = _merge([rest, chosen[0], *tag]), max(depth, chosen[1])
        return flat, depth

    def _pick_enum(self, enum: list[Any]) -> Any:
        if self._static:
            return next((member for member in enum if member is not None), enum[0])
        return self._rng.choice(enum)

    def _pick_type(self, flat: Schema) -> str:
        types = _as_list(flat["type"]) if "type" in flat else _inferred_types(flat)
        non_null = [name for name in types if name != "null"]
        if not non_null:
            return "null"
        return non_null[0] if self._static else self._rng.choice(non_null)

    def _object(self, flat: Schema, depth: int) -> dict[str, Any]:
        properties = flat.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = flat.get("required")
        required = [name for name in required if isinstance(name, str)] if required else []
        extra = flat.get("additionalProperties")
        extra_schema = extra if isinstance(extra, dict) else {}
        max_properties = _count(flat.get("maxProperties"))

        result = {name: self.value(properties.get(name, extra_schema), depth) for name in required}
        if depth <= _MINIMAL_DEPTH:
            for name, schema in properties.items():
                if name in result or (max_properties is not None and len(result) >= max_properties):
                    continue
                # Optional writeOnly properties never appear in responses (OpenAPI), and a
                # `false` schema forbids the property altogether.
                if schema is False or (isinstance(schema, dict) and schema.get("writeOnly")):
                    continue
                if self._static or self._rng.random() < 0.5:
                    result[name] = self.value(schema, depth)

        spare = (name for name in properties if name not in result)
        min_properties = _count(flat.get("minProperties")) or 0
        while len(result) < min_properties:
            name = next(spare, None)
            if name is not None:
                result[name] = self.value(properties[name], depth)
            elif extra is False:
                break
            else:
                name = next(
                    f"additionalProp{n}" for n in count(1) if f"additionalProp{n}" not in result
                )
                result[name] = self.value(extra_schema, depth)
        return result

    def _array(self, flat: Schema, depth: int) -> list[Any]:
        min_items = _count(flat.get("minItems")) or 0
        max_items = _count(flat.get("maxItems"))
        if depth > _MINIMAL_DEPTH:
            size = min_items
        elif self._static:
            size = _clamp(1, min_items, max_items)
        else:
            size = self._rng.randint(min_items, _clamp(max(min_items, 1) + 2, min_items, max_items))
        prefix = flat.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        items = flat.get("items", {})
        if items is False:
            size = min(size, len(prefix))
        unique = flat.get("uniqueItems") is True

        # Static values of one schema are all alike: unique items need varied ones, reproducibly.
        varied = _Synthesizer(self._root, self._rng, static=False)
        values: list[Any] = []
        for index in range(size):
            schema = prefix[index] if index < len(prefix) else items
            value = self.value(schema, depth)
            if unique:
                for _ in range(_ATTEMPTS):
                    if value not in values:
                        break
                    value = varied.value(schema, depth)
                if value in values and len(values) >= min_items:
                    break  # the item schema has run out of distinct values
            values.append(value)
        return values

    def _string(self, flat: Schema) -> str:
        min_length = _count(flat.get("minLength")) or 0
        max_length = _count(flat.get("maxLength"))
        pattern = _compiled(flat.get("pattern"))

        def acceptable(text: str) -> bool:
            if len(text) < min_length or (max_length is not None and len(text) > max_length):
                return False
            return pattern is None or pattern.search(text) is not None

        text = ""
        for text in self._string_candidates(flat, pattern, min_length, max_length):
            if acceptable(text):
                return text
        return text  # nothing fits (say, a pattern and lengths that conflict): "string"

    def _string_candidates(
        self, flat: Schema, pattern: re.Pattern[str] | None, min_length: int, max_length: int | None
    ) -> Iterator[str]:
        """Strings to try in order: pattern matches, the ``format`` value, plain text, and last
        ``"string"`` (the one a length-only schema gets in static mode)."""
        if pattern is not None:
            yield from self._pattern_candidates(pattern.pattern, min_length)
        format_name = flat.get("format")
        if isinstance(format_name, str):
            if not self._static and format_name in _DYNAMIC_FORMATS:
                yield _DYNAMIC_FORMATS[format_name](self._rng)
            if format_name in _STATIC_FORMATS:
                yield _STATIC_FORMATS[format_name]
        if not self._static:
            yield self._random_string(min_length, max_length)
        yield _nice_string(min_length, max_length)

    def _pattern_candidates(self, pattern: str, min_length: int) -> Iterator[str]:
        try:
            regex = _RegexParser(pattern).parse()
        except _UnsupportedRegex:
            return
        stretch = min(max(4, min_length), _STRETCH_LIMIT)

        def most(low: int, high: int | None) -> int:
            return low + stretch if high is None else min(high, low + stretch)

        def randomly(low: int, high: int | None) -> int:
            return self._rng.randint(low, most(low, high))

        if self._static:
            yield _emit(regex, None, lambda low, high: low)
        for _ in range(_ATTEMPTS):
            yield _emit(regex, self._rng, randomly)
        yield _emit(regex, None, most)

    def _random_string(self, min_length: int, max_length: int | None) -> str:
        upper = _clamp(min_length + 12, min_length, max_length)
        length = self._rng.randint(min(max(min_length, 1), upper), upper)
        return "".join(self._rng.choice(string.ascii_lowercase) for _ in range(length))

    def _number(self, flat: Schema, *, integer: bool) -> int | float:
        low, low_open = _bound(flat, "minimum", "exclusiveMinimum", upper=False)
        high, high_open = _bound(flat, "maximum", "exclusiveMaximum", upper=True)

        def within(value: float) -> bool:
            above = low is None or value > low or (value == low and not low_open)
            below = high is None or value < high or (value == high and not high_open)
            return above and below

        multiple_of = _number_or_none(flat.get("multipleOf"))
        multiple_of = multiple_of if multiple_of is not None and multiple_of > 0 else None
        if integer or multiple_of is not None:
            # Search multiples k * step near the preferred k, keeping the first that passes the
            # bounds (exclusive ends included) and the float check jsonschema makes: 3 * 0.1 is
            # not a multiple of 0.1 in floating point, 4 * 0.1 is.
            step: int | float = 1 if multiple_of is None else multiple_of
            if integer and multiple_of is not None:
                step = Fraction(str(multiple_of)).numerator
            k_low = None if low is None else math.ceil(Fraction(low) / Fraction(step))
            k_high = None if high is None else math.floor(Fraction(high) / Fraction(step))
            values = [k * step for k in _nearby(self._pick_integer(k_low, k_high), k_low, k_high)]
            valid = (
                value
                for value in values
                if within(value) and (multiple_of is None or _is_multiple(value, multiple_of))
            )
            value = next(valid, values[0] if values else 0)
            return int(value) if integer else float(value)

        if self._static:
            preferred = _clamp(0, low, high)
        else:
            window_low, window_high = _window(low, high)
            preferred = round(self._rng.uniform(window_low, window_high), 2)
        midpoint = _midpoint(low, high)
        return float(preferred if within(preferred) or not within(midpoint) else midpoint)

    def _pick_integer(self, low: int | None, high: int | None) -> int:
        if self._static or (low is not None and high is not None and low > high):
            return _clamp(0, low, high)
        window_low, window_high = _window(low, high)
        return self._rng.randint(window_low, window_high)


def _nice_string(min_length: int, max_length: int | None) -> str:
    """``"string"``, cut or repeated to fit the length bounds."""
    length = _clamp(len("string"), min_length, max_length)
    return ("string" * (length // 6 + 1))[:length]


def _merge(parts: list[Schema]) -> Schema:
    """Combine schemas that must all hold, as ``allOf`` requires.

    Bounds tighten, ``required`` and ``properties`` accumulate, ``type`` and ``enum`` intersect;
    for any other keyword the first (most specific) schema wins.
    """
    merged: Schema = {}
    for part in parts:
        for key, value in part.items():
            merged[key] = _merge_keyword(key, merged[key], value) if key in merged else value
    closed = [part for part in parts if part.get("additionalProperties") is False]
    if closed and isinstance(merged.get("properties"), dict):
        # A sibling that forbids other properties forbids them for the whole allOf: only the
        # names every closed part declares (or matches by pattern) may appear.
        allowed = {
            name for name in merged["properties"] if all(_declares(part, name) for part in closed)
        }
        merged["properties"] = {
            name: schema for name, schema in merged["properties"].items() if name in allowed
        }
        merged["additionalProperties"] = False
    return merged


def _discriminator_tag(discriminator: Any, branch: Any) -> list[Schema]:
    """The chosen branch's discriminator value as a schema to merge (``petType: "Cat"``): its
    ``mapping`` key, else the name of the schema the branch refers to (OpenAPI's rule)."""
    if not isinstance(discriminator, dict) or not isinstance(branch, dict):
        return []
    name, reference = discriminator.get("propertyName"), branch.get("$ref")
    if not isinstance(name, str) or not isinstance(reference, str):
        return []
    mapping = discriminator.get("mapping")
    mapped = [key for key, target in (mapping if isinstance(mapping, dict) else {}).items()
              if target == reference or target == reference.rsplit("/", 1)[-1]]  # fmt: skip
    value = mapped[0] if mapped else reference.rsplit("/", 1)[-1]
    return [{"properties": {name: {"const": value}}, "required": [name]}]


def _declares(schema: Schema, name: str) -> bool:
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        return True
    patterns = schema.get("patternProperties")
    return isinstance(patterns, dict) and any(
        (compiled := _compiled(pattern)) is not None and compiled.search(name)
        for pattern in patterns
    )


def _merge_keyword(key: str, first: Any, second: Any) -> Any:
    if key == "properties" and isinstance(first, dict) and isinstance(second, dict):
        combined = dict(first)
        for name, schema in second.items():
            combined[name] = {"allOf": [combined[name], schema]} if name in combined else schema
        return combined
    if key == "required" and isinstance(first, list) and isinstance(second, list):
        return [*first, *(name for name in second if name not in first)]
    if key == "type":
        return _intersect_types(_as_list(first), _as_list(second))
    if key == "enum" and isinstance(first, list) and isinstance(second, list):
        return [member for member in first if member in second]
    if key in ("items", "additionalProperties") and isinstance(first, dict | bool):
        return {"allOf": [first, second]}
    numbers = _number_or_none(first) is not None and _number_or_none(second) is not None
    if numbers and key in _LOWER_BOUNDS:
        return max(first, second)
    if numbers and key in _UPPER_BOUNDS:
        return min(first, second)
    return first


def _intersect_types(first: list[str], second: list[str]) -> list[str]:
    def admits(types: list[str], name: str) -> bool:
        return name in types or (name == "integer" and "number" in types)

    candidates = dict.fromkeys([*first, *second])
    return [name for name in candidates if admits(first, name) and admits(second, name)]


def _as_list(types: Any) -> list[str]:
    if isinstance(types, str):
        return [types]
    return [name for name in types if isinstance(name, str)] if isinstance(types, list) else []


def _inferred_types(flat: Schema) -> list[str]:
    """The type an untyped schema's keywords imply (``{"minimum": 1}`` means a number)."""
    format_name = flat.get("format")
    if format_name in _NUMBER_FORMATS:
        return [_NUMBER_FORMATS[format_name]]
    inferred = [name for name, keywords in _KEYWORD_TYPES if keywords & flat.keys()]
    if not inferred and isinstance(format_name, str):
        return ["string"]
    return inferred


def _is_null_only(flat: Schema) -> bool:
    return _as_list(flat.get("type")) == ["null"] or ("const" in flat and flat["const"] is None)


def _allows_null(flat: Schema) -> bool:
    enum = flat.get("enum")
    return (
        flat.get("nullable") is True
        or "null" in _as_list(flat.get("type"))
        or (isinstance(enum, list) and None in enum)
        or ("const" in flat and flat["const"] is None)
    )


def _example(flat: Schema) -> tuple[bool, Any]:
    """The spec author's own value, if any: ``examples[0]``, ``example``, then ``default``."""
    examples = flat.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    for key in ("example", "default"):
        if key in flat:
            return True, flat[key]
    return False, None


def _count(value: Any) -> int | None:
    """A valid length/size keyword value (a non-negative integer), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _number_or_none(value: Any) -> int | float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return None


def _bound(
    flat: Schema, inclusive_key: str, exclusive_key: str, *, upper: bool
) -> tuple[int | float | None, bool]:
    """The tightest bound as ``(value, exclusive)``; OpenAPI 3.0 writes exclusivity as a bool."""
    inclusive = _number_or_none(flat.get(inclusive_key))
    exclusive = flat.get(exclusive_key)
    if isinstance(exclusive, bool):
        return inclusive, exclusive and inclusive is not None
    exclusive = _number_or_none(exclusive)
    if exclusive is None:
        return inclusive, False
    if inclusive is None:
        return exclusive, True
    exclusive_is_tighter = exclusive <= inclusive if upper else exclusive >= inclusive
    return (exclusive, True) if exclusive_is_tighter else (inclusive, False)


def _clamp(value: Any, low: Any, high: Any) -> Any:
    if high is not None:
        value = min(value, high)
    return value if low is None else max(value, low)


def _window(low: Any, high: Any) -> tuple[Any, Any]:
    """A finite range to draw unbounded numbers from: ``_WINDOW`` wide, non-negative if possible."""
    if low is None:
        low = 0 if high is None or high > 0 else high - _WINDOW
    return low, low + _WINDOW if high is None else high


def _midpoint(low: float | None, high: float | None) -> float:
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low + 1
    return 0 if high is None else high - 1


def _nearby(center: int, low: int | None, high: int | None) -> Iterator[int]:
    """``center``, then its neighbours outwards, staying within ``[low, high]``."""
    for offset in range(_ATTEMPTS):
        for k in (center + offset, center - offset) if offset else (center,):
            if (low is None or k >= low) and (high is None or k <= high):
                yield k


def _is_multiple(value: float, multiple_of: float) -> bool:
    """The check jsonschema makes: float division must give an exact integer."""
    if isinstance(multiple_of, float):
        quotient = value / multiple_of
        return math.isfinite(quotient) and quotient == int(quotient)
    return value % multiple_of == 0


def _compiled(pattern: Any) -> re.Pattern[str] | None:
    """``pattern`` compiled, or None when missing or not a regex Python understands."""
    if not isinstance(pattern, str):
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


# A tiny regex generator. It covers what API specs usually write (literals, classes, \d \w \s,
# groups, alternation, quantifiers, anchors) and gives up on the rest (lookarounds,
# backreferences, flags), after which the caller tries other strings against the real regex.

_ANY_CHARACTER = string.ascii_letters + string.digits + string.punctuation + " "
_CLASS_ESCAPES = {
    "d": string.digits,
    "w": string.ascii_letters + string.digits + "_",
    "s": " ",
    "D": string.ascii_letters,
    "W": "- ",
    "S": string.ascii_letters,
}
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_RANGE_LIMIT = 256  # characters kept from a class range such as [\u0000-\uffff]


class _UnsupportedRegex(Exception):
    """The pattern uses syntax the small generator does not handle."""


@dataclass(frozen=True, slots=True)
class _Characters:
    choices: str


@dataclass(frozen=True, slots=True)
class _Repeat:
    item: _Node
    low: int
    high: int | None


@dataclass(frozen=True, slots=True)
class _Alternatives:
    branches: list[list[_Node]]


_Node = _Characters | _Repeat | _Alternatives


def _emit(
    node: _Node, rng: random.Random | None, repetitions: Callable[[int, int | None], int]
) -> str:
    """One string matching ``node``; without ``rng`` every choice takes the first option."""
    if isinstance(node, _Characters):
        return node.choices[0] if rng is None else rng.choice(node.choices)
    if isinstance(node, _Repeat):
        times = repetitions(node.low, node.high)
        return "".join(_emit(node.item, rng, repetitions) for _ in range(times))
    branch = node.branches[0] if rng is None else rng.choice(node.branches)
    return "".join(_emit(item, rng, repetitions) for item in branch)


class _RegexParser:
    """Recursive descent over the supported subset; anchors are dropped from the tree."""

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern
        self._position = 0

    def parse(self) -> _Node:
        node = self._alternatives()
        if self._position != len(self._pattern):
            raise _UnsupportedRegex(self._pattern)
        return node

    def _peek(self) -> str:
        return self._pattern[self._position : self._position + 1]

    def _next(self) -> str:
        char = self._peek()
        if not char:
            raise _UnsupportedRegex(self._pattern)
        self._position += 1
        return char

    def _alternatives(self) -> _Alternatives:
        branches = [self._sequence()]
        while self._peek() == "|":
            self._position += 1
            branches.append(self._sequence())
        return _Alternatives(branches)

    def _sequence(self) -> list[_Node]:
        nodes: list[_Node] = []
        while self._peek() not in ("", "|", ")"):
            atom = self._atom()
            if atom is not None:
                nodes.append(self._quantified(atom))
        return nodes

    def _atom(self) -> _Node | None:
        char = self._next()
        if char in ("^", "$"):
            return None
        if char == "(":
            if self._pattern.startswith("?:", self._position):
                self._position += 2
            elif self._peek() == "?":
                raise _UnsupportedRegex(self._pattern)
            group = self._alternatives()
            if self._next() != ")":
                raise _UnsupportedRegex(self._pattern)
            return group
        if char == "[":
            return self._class()
        if char == ".":
            return _Characters(_ANY_CHARACTER)
        if char == "\\":
            return _Characters(self._escape())
        if char in ("*", "+", "?", "{"):
            raise _UnsupportedRegex(self._pattern)
        return _Characters(char)

    def _escape(self) -> str:
        char = self._next()
        if char in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[char]
        if char in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[char]
        if char in ("x", "u"):
            digits = self._pattern[self._position : self._position + (2 if char == "x" else 4)]
            self._position += len(digits)
            try:
                return chr(int(digits, 16))
            except ValueError as error:
                raise _UnsupportedRegex(self._pattern) from error
        if char.isalnum():
            raise _UnsupportedRegex(self._pattern)
        return char

    def _class(self) -> _Characters:
        negated = self._peek() == "^"
        if negated:
            self._position += 1
        members: list[str] = []
        while (char := self._next()) != "]" or not members:
            start = self._escape() if char == "\\" else char
            after_dash = self._pattern[self._position + 1 : self._position + 2]
            if len(start) == 1 and self._peek() == "-" and after_dash not in ("", "]"):
                self._position += 1
                end_char = self._next()
                end = self._escape() if end_char == "\\" else end_char
                if len(end) != 1 or end < start:
                    raise _UnsupportedRegex(self._pattern)
                last = min(ord(end), ord(start) + _RANGE_LIMIT - 1)
                start = "".join(chr(code) for code in range(ord(start), last + 1))
            members.append(start)
        choices = "".join(members)
        if negated:
            choices = "".join(char for char in _ANY_CHARACTER if char not in choices)
        if not choices:
            raise _UnsupportedRegex(self._pattern)
        return _Characters(choices)

    def _quantified(self, atom: _Node) -> _Node:
        char = self._peek()
        if char in ("*", "+", "?"):
            self._position += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{":
            match = _QUANTIFIER.match(self._pattern, self._position)
            if match is None:
                raise _UnsupportedRegex(self._pattern)
            self._position = match.end()
            low = int(match[1])
            high = low if match[2] is None else int(match[3]) if match[3] else None
        else:
            return atom
        if self._peek() in ("?", "+"):  # lazy or possessive: same strings match
            self._position += 1
        return _Repeat(atom, low, high)
