"""Generic resources in the state and fixture format: one top-level section per resource,
a list of records (a nested record names its parents in ``$parents``: ``{authors: a1}``),
and the records the spec's own examples give a collection that fixtures do not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from jsonschema import Draft202012Validator

from specfake.errors import FieldError
from specfake.fakes.resources.plan import Bound, Resource, json_schema_of, success_response
from specfake.fakes.resources.schemas import list_property

PARENTS = "$parents"
Record = dict[str, Any]


def record_key(scope: Sequence[Any], record_id: Any) -> str:
    """The store key of a record: its id, or for a nested one its parents' ids and its own."""
    if not scope:
        return str(record_id)
    return json.dumps([*(str(part) for part in scope), str(record_id)])


def key_parts(resource: Resource, key: str) -> list[str]:
    """The ids in a store key, outermost parent first."""
    return json.loads(key) if resource.parent is not None else [key]


def ancestors(resource: Resource) -> list[Resource]:
    """``resource``'s parents, outermost first."""
    chain = []
    parent = resource.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    return chain


def section_schema(resource: Resource) -> dict[str, Any]:
    """The JSON Schema of a resource's section: the declared record schema (``record``), or
    any object; each record holds its id, a nested one its parents."""
    record = dict(resource.record_schema) if resource.record_schema else {"type": "object"}
    required = set(record.get("required", [])) | {resource.id_field}
    if resource.parent is not None:
        names = {parent.name: {"type": ["string", "integer"]} for parent in ancestors(resource)}
        parents = {"type": "object", "required": sorted(names), "properties": names}
        record["properties"] = {**record.get("properties", {}), PARENTS: parents}
        required.add(PARENTS)
    record["required"] = sorted(required)
    return {"type": "array", "items": record, "default": []}


def section_errors(resource: Resource, rows: list[Record], known: set[str]) -> list[FieldError]:
    """Duplicate ids in a section, and nested records whose parent is not in the state
    (``known``: the keys of the parents' records)."""
    errors = []
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        earlier = first.setdefault(stored_key(resource, row), index)
        if earlier != index:
            message = f"duplicate of /{resource.name}/{earlier}/{resource.id_field}"
            pointer = f"/{resource.name}/{index}/{resource.id_field}"
            errors.append(FieldError("body", pointer, message))
        if resource.parent is not None and key_of_parent(resource, row) not in known:
            message = f"no {resource.parent.name} record with these ids"
            errors.append(FieldError("body", f"/{resource.name}/{index}/{PARENTS}", message))
    return errors


def stored_key(resource: Resource, row: Record) -> str:
    """The store key of a fixture row (a nested one's from its ``$parents``)."""
    if resource.parent is None:
        return str(row[resource.id_field])
    return record_key(_parent_ids(resource, row), row[resource.id_field])


def key_of_parent(resource: Resource, row: Record) -> str:
    """The store key of a nested fixture row's parent."""
    scope = _parent_ids(resource, row)
    return record_key(scope[:-1], scope[-1])


def _parent_ids(resource: Resource, row: Record) -> list[Any]:
    parents = row.get(PARENTS, {})
    return [parents.get(parent.name) for parent in ancestors(resource)]


def dumped(resource: Resource, key: str, value: Record) -> Record:
    """A stored record in the fixture format."""
    if resource.parent is None:
        return value
    ids = key_parts(resource, key)[:-1]
    return {**value, PARENTS: dict(zip((p.name for p in ancestors(resource)), ids, strict=True))}


def loaded(row: Record) -> Record:
    """A fixture row as stored: without its ``$parents``, which its key holds."""
    if PARENTS not in row:
        return row  # rows are never edited in place, so the checked one can be stored as is
    return {name: value for name, value in row.items() if name != PARENTS}


def example_seeds(
    bound: list[Bound], resources: Iterable[Resource]
) -> dict[str, list[Record]]:
    """For each top-level resource, the records the spec's examples show (read, create and
    list answers), valid against the section's schema, each id once."""
    seeds: dict[str, list[Record]] = {}
    for resource in resources:
        if resource.parent is not None:
            continue
        validator = Draft202012Validator(section_schema(resource)["items"])
        rows: dict[str, Record] = {}
        for entry in (b for b in bound if b.resource is resource):
            for record in _example_records(entry):
                record_id = record.get(resource.id_field)
                usable = isinstance(record_id, str | int) and not isinstance(record_id, bool)
                if usable and validator.is_valid(record):
                    rows.setdefault(str(record_id), record)
        if rows:
            seeds[resource.name] = list(rows.values())
    return seeds


def _example_records(entry: Bound) -> list[Record]:
    if entry.role not in ("read", "create", "list", "replace"):
        return []
    response = success_response(entry.operation)
    schema = json_schema_of(response)
    if response is None or schema is None:
        return []
    records = []
    for media in response.media.values():
        for example in media.examples.values():
            records.extend(_records_in(entry, schema, example))
    return records


def _records_in(entry: Bound, schema: Any, example: Any) -> list[Record]:
    root = entry.operation.schema_root
    if entry.role == "list":
        if isinstance(example, list):
            return [item for item in example if isinstance(item, dict)]
        name = list_property(schema, root)
        items = example.get(name) if isinstance(example, dict) and name else None
        return [item for item in items or [] if isinstance(item, dict)]
    record = entry.record_in(example)
    return [record] if isinstance(record, dict) else []
