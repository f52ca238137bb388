"""Make a spec's schemas compilable, saying what was changed (``spec/defects.py``).

Run once over the converted document, before the validators are built from it:

* a ``type`` JSON Schema does not have (``date``, ``file``) is dropped: the value is
  unconstrained there;
* a ``pattern`` the validator's regex engine cannot compile (``{`` as a literal, look-behind)
  is checked with Python's ``re`` instead (keyword ``x-specfake-pattern``), or skipped when
  ``re`` cannot compile it either;
* a local ``$ref`` that points at nothing is dropped (unconstrained), and so is one that is
  still not local after bundling (a URL).

Only schema positions are visited (the values of ``schema`` keys, ``components/schemas`` and
their subschemas), never examples, defaults or enums, whose data may look like schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jsonschema_rs

from specfake.errors import json_pointer
from specfake.spec.references import pointed, referenced

JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
PYTHON_PATTERN = "x-specfake-pattern"
Warn = Callable[[str, str], None]  # (JSON Pointer, message)

# Keywords whose value is a schema, a list of schemas, or a map of them.
_ONE = (
    "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems", "additionalItems",
)  # fmt: skip
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# Data, never schemas: not descended into when looking for schema positions.
_DATA = frozenset({"example", "examples", "default", "enum", "const", "value", "x-examples"})


def sanitize_schemas(document: Any, warn: Warn) -> None:
    """Fix, in place, every schema of ``document`` the validators cannot compile."""
    seen: set[int] = set()
    schemas = pointed(document, "/components/schemas")
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            _schema(schema, json_pointer(["components", "schemas", name]), document, warn, seen)
    _find_schema_keys(document, "", document, warn, seen)


def _find_schema_keys(node: Any, pointer: str, document: Any, warn: Warn, seen: set[int]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _find_schema_keys(item, f"{pointer}/{index}", document, warn, seen)
    elif isinstance(node, dict):
        for key, value in node.items():
            child = pointer + json_pointer([str(key)])
            if key == "schema":
                _schema(value, child, document, warn, seen)
            elif key not in _DATA and key != "schemas":
                _find_schema_keys(value, child, document, warn, seen)


def _schema(node: Any, pointer: str, document: Any, warn: Warn, seen: set[int]) -> None:
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    _fix_type(node, pointer, warn)
    _fix_pattern(node, pointer, warn)
    _fix_reference(node, pointer, document, warn)
    for keyword in _ONE:
        if isinstance(node.get(keyword), dict):
            _schema(node[keyword], f"{pointer}/{keyword}", document, warn, seen)
    for keyword in _MANY:
        if isinstance(node.get(keyword), list):
            for index, member in enumerate(node[keyword]):
                _schema(member, f"{pointer}/{keyword}/{index}", document, warn, seen)
    if isinstance(node.get("items"), list):  # draft 4 tuples
        for index, member in enumerate(node["items"]):
            _schema(member, f"{pointer}/items/{index}", document, warn, seen)
    for keyword in _MAP:
        members = node.get(keyword)
        if isinstance(members, dict):
            for name, member in members.items():
                _schema(member, pointer + json_pointer([keyword, str(name)]), document, warn,
                        seen)  # fmt: skip


def _fix_type(node: dict[str, Any], pointer: str, warn: Warn) -> None:
    declared = node.get("type")
    if declared is None:
        return
    types = declared if isinstance(declared, list) else [declared]
    known = [kind for kind in types if isinstance(kind, str) and kind in JSON_TYPES]
    if len(known) == len(types):
        return
    unknown = [kind for kind in types if kind not in known]
    warn(f"{pointer}/type", f"type {', '.join(map(repr, unknown))} is not a JSON Schema type; "
         "not checked (unconstrained)")  # fmt: skip
    if not known:
        del node["type"]
    else:
        node["type"] = known if isinstance(declared, list) else known[0]


def _fix_pattern(node: dict[str, Any], pointer: str, warn: Warn) -> None:
    pattern = node.get("pattern")
    if not isinstance(pattern, str) or _engine_compiles(pattern):
        return
    del node["pattern"]
    try:
        re.compile(pattern)
    except re.error as error:
        warn(f"{pointer}/pattern", f"pattern {pattern!r} compiles in no regex engine ({error}); "
             "not checked")  # fmt: skip
        return
    node[PYTHON_PATTERN] = pattern
    warn(f"{pointer}/pattern", f"pattern {pattern!r} does not compile in the validator's regex "
         "engine (ECMA-262 with the unicode flag); checked with Python's re instead")  # fmt: skip


@lru_cache(maxsize=4096)
def _engine_compiles(pattern: str) -> bool:
    try:
        jsonschema_rs.validator_for({"pattern": pattern})
    except (ValueError, jsonschema_rs.ValidationError):
        return False
    return True


def _fix_reference(node: dict[str, Any], pointer: str, document: Any, warn: Warn) -> None:
    reference = node.get("$ref")
    if not isinstance(reference, str):
        return
    if reference.startswith("#") and referenced(document, reference) is not None:
        return
    del node["$ref"]
    warn(f"{pointer}/$ref", f"$ref {reference!r} points at nothing; unconstrained there")


# Keywords that change nothing a validator decides; the validators' copy of the document goes
# without them, since jsonschema-rs keeps every keyword of every schema it compiles (a spec's
# long descriptions were a third of a 200-operation spec's memory: bench/RESULTS.md).
ANNOTATIONS = frozenset({
    "description", "title", "summary", "example", "examples", "default", "deprecated",
    "readOnly", "writeOnly", "externalDocs", "xml", "discriminator", "$comment",
})  # fmt: skip


def for_validation(document: Any) -> Any:
    """A copy of ``document`` whose schemas keep only what validation reads (no
    :data:`ANNOTATIONS`, no ``x-`` extensions); every JSON Pointer to a schema still holds."""
    return _outside(document)


def _outside(node: Any) -> Any:
    """Copy a non-schema part: a ``schema`` value and ``components/schemas`` become lean."""
    if isinstance(node, list):
        return [_outside(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {}
    for key, value in node.items():
        if key == "schema":
            copied[key] = _lean(value)
        elif key == "schemas" and isinstance(value, dict):
            copied[key] = {name: _lean(schema) for name, schema in value.items()}
        elif key in _DATA:
            copied[key] = value
        else:
            copied[key] = _outside(value)
    return copied


def _lean(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    lean: dict[str, Any] = {}
    for key, value in node.items():
        if key in ANNOTATIONS or (isinstance(key, str) and key.startswith("x-")
                                  and key != PYTHON_PATTERN):  # fmt: skip
            continue
        if key in _ONE:
            lean[key] = _lean(value)
        elif key in _MANY or (key == "items" and isinstance(value, list)):
            lean[key] = [_lean(member) for member in value] if isinstance(value, list) else value
        elif key in _MAP and isinstance(value, dict):
            lean[key] = {name: _lean(member) for name, member in value.items()}
        else:
            lean[key] = value
    return lean


class PythonPattern:
    """The ``x-specfake-pattern`` keyword: ``pattern``, matched with Python's ``re``."""

    def __init__(self, parent_schema: Any, value: str, schema_path: Any) -> None:
        self._regex = re.compile(value)

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and self._regex.search(instance) is None:
            raise ValueError(f"{instance!r} does not match {self._regex.pattern!r}")
