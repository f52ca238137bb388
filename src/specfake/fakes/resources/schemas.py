"""Reading the shape of a response schema: which properties an object has, where a list of
records sits, what wraps a record. Only what the resource fake needs; ``$ref`` and ``allOf``
are followed, other combinators give the union of their branches' property names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specfake.spec.references import referenced

Schema = dict[str, Any]
_MAX_DEPTH = 16  # $ref hops followed before a cycle is cut

# Properties that carry the list in a wrapped list answer, and the counts beside it.
LIST_PROPERTIES = ("data", "items", "results", "records", "content", "entries", "values")
COUNT_PROPERTIES = ("total", "count", "totalCount", "total_count", "totalItems", "total_items")
RECORD_WRAPPERS = ("data", "result", "item", "resource")


@dataclass(slots=True)
class ObjectView:
    """An object schema's properties (each a schema), its required names, and whether it
    refuses other properties."""

    properties: dict[str, Schema] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    closed: bool = False
    is_object: bool = False
    is_array: bool = False
    items: Schema | None = None


def resolved(schema: Any, root: Schema, depth: int = 0) -> Schema:
    """``schema`` with its ``$ref`` chain followed (``{}`` for a reference to nothing)."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < _MAX_DEPTH:
        schema, depth = referenced(root, schema["$ref"]) or {}, depth + 1
    return schema if isinstance(schema, dict) else {}


def view(schema: Any, root: Schema, depth: int = 0) -> ObjectView:
    """What ``schema`` says about objects and arrays, ``allOf`` merged."""
    result = ObjectView()
    if depth > _MAX_DEPTH:
        return result
    node = resolved(schema, root)
    types = node.get("type")
    type_list = types if isinstance(types, list) else [types]
    if "object" in type_list or "properties" in node:
        result.is_object = True
    if "array" in type_list or "items" in node:
        result.is_array = True
        result.items = node.get("items") if isinstance(node.get("items"), dict) else {}
    properties = node.get("properties")
    if isinstance(properties, dict):
        result.properties.update({k: v for k, v in properties.items() if isinstance(v, dict)})
    if isinstance(node.get("required"), list):
        result.required.update(name for name in node["required"] if isinstance(name, str))
    if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
        result.closed = True
    for keyword in ("allOf", "oneOf", "anyOf"):
        for branch in node.get(keyword) or []:
            part = view(branch, root, depth + 1)
            result.is_object |= part.is_object
            result.is_array |= part.is_array
            result.items = result.items if result.items is not None else part.items
            for name, sub in part.properties.items():
                result.properties.setdefault(name, sub)
            if keyword == "allOf":
                result.required |= part.required
                result.closed |= part.closed
    return result


def list_property(schema: Any, root: Schema) -> str | None:
    """The property holding the records of a wrapped list answer (``{data: [...], total}``),
    or ``None`` when the answer is not a wrapped list."""
    outer = view(schema, root)
    if not outer.is_object:
        return None
    arrays = [name for name, sub in outer.properties.items() if view(sub, root).is_array]
    for name in LIST_PROPERTIES:
        if name in arrays:
            return name
    return arrays[0] if len(arrays) == 1 else None


def is_list_answer(schema: Any, root: Schema) -> bool:
    """Whether ``schema`` answers a list of records: an array, or an object wrapping one."""
    return view(schema, root).is_array or list_property(schema, root) is not None


def record_wrapper(schema: Any, root: Schema, id_field: str) -> str | None:
    """The property wrapping the record in an item answer (``{data: record, message}``), or
    ``None`` when the answer is the record itself."""
    outer = view(schema, root)
    if not outer.is_object or id_field in outer.properties:
        return None
    for name in RECORD_WRAPPERS:
        if name in outer.properties and view(outer.properties[name], root).is_object:
            return name
    return None


def property_names(schema: Any, root: Schema) -> set[str]:
    """The top-level property names ``schema`` documents (an array's items' for a list)."""
    outer = view(schema, root)
    return set(outer.properties)
