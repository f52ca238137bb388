"""What kind of value a field holds, for comparing a real answer with a recorded one, and
which fields a response schema documents.

Only what follows from the request or from earlier answers is compared by value. Free text is
the server's to word; ids and timestamps are the server's to generate (their format is
compared); versions are compared as changes (``versions.py``); fields the schema does not
document (what only the fake adds) are not compared at all.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from specfake.spec.references import followed

FREE_TEXT = frozenset({"message", "detail", "title"})
# RFC 9457 leaves a problem's ``type`` URI and ``instance`` to each server.
PROBLEM_ONLY = frozenset({"type", "instance"})
_VERSION = re.compile(r"version", re.IGNORECASE)
_ID = re.compile(r"^(id|uuid)$|_id$|[a-z0-9]Id$|_uuid$")
_IDEMPOTENCY = re.compile(r"^idempotency[_-]?key$", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$"
)
MAX_DEPTH = 32


class Kind(Enum):
    TEXT = "free text"
    VERSION = "version"
    ID = "generated id"
    TIMESTAMP = "timestamp"
    VALUE = "value"


def kind_of(name: str, value: Any, schema: dict[str, Any], problem: bool) -> Kind:
    """How the field ``name`` holding ``value`` (documented by ``schema``) is compared."""
    if name in FREE_TEXT or (problem and name in PROBLEM_ONLY):
        return Kind.TEXT
    if _VERSION.search(name) and is_number(value):
        return Kind.VERSION
    if isinstance(value, str):
        if is_id_name(name) or schema.get("format") == "uuid":
            return Kind.ID
        if schema.get("format") in ("date-time", "date") or _TIMESTAMP.match(value):
            return Kind.TIMESTAMP
    return Kind.VALUE


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_id_name(name: str) -> bool:
    return bool(_ID.search(name)) and not _VERSION.search(name)


def is_version_name(name: str) -> bool:
    return bool(_VERSION.search(name))


def is_idempotency_name(name: str) -> bool:
    return bool(_IDEMPOTENCY.match(name))


def value_format(value: Any) -> str:
    """The shape a generated value has: what is compared instead of the value."""
    if isinstance(value, str):
        if _UUID.match(value):
            return "a UUID"
        if _TIMESTAMP.match(value):
            return "a date-time" if len(value) > 10 else "a date"
        return "an integer string" if value.isdigit() else "a string"
    return f"a {json_type(value)}"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def resolved(schema: Any, document: Any) -> dict[str, Any]:
    """``schema`` with its local ``$ref`` chain followed; ``{}`` for what is no object."""
    schema = followed(document, schema)[0]
    return schema if isinstance(schema, dict) else {}


def documented_properties(schema: Any, document: Any) -> dict[str, dict[str, Any]]:
    """The properties ``schema`` documents, through ``allOf``/``anyOf``/``oneOf`` (a field of
    any branch counts: the answer may be any of them)."""
    found: dict[str, dict[str, Any]] = {}
    pending, depth = [schema], 0
    while pending and depth < MAX_DEPTH * 4:
        depth += 1
        current = resolved(pending.pop(), document)
        properties = current.get("properties")
        if isinstance(properties, dict):
            for name, child in properties.items():
                found.setdefault(str(name), resolved(child, document))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if isinstance(current.get(keyword), list):
                pending.extend(current[keyword])
    return found


def documented_items(schema: Any, document: Any) -> dict[str, Any] | None:
    """The schema of an array's items, or ``None`` when the schema says nothing of them."""
    items = resolved(schema, document).get("items")
    return resolved(items, document) if isinstance(items, dict) else None


def documented_values(schema: Any, document: Any) -> dict[str, Any] | None:
    """The schema of a map's values (``additionalProperties``), or ``None``."""
    values = resolved(schema, document).get("additionalProperties")
    return resolved(values, document) if isinstance(values, dict) else None
