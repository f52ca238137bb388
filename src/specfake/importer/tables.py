"""Turn a page of field tables (no OpenAPI block) into an operation and its schemas.

The page format (seed 002)::

    POST /cohort/draft
    Patch Cohort Draft
    Patch cohort draft — composable infra architecture.
    Request Body (PatchCohortDraftApiRequest)
    | Field | Type | Required | Description |
    |---|---|---|---|
    draft_id | string | No | Existing draft UUID to patch |
    Response (PatchCohortDraftApiResponse)
    ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from specfake.errors import SpecfakeError

_OPERATION_LINE = re.compile(r"^(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS)\s+(/\S*)$")
_TABLE_HEADING = re.compile(r"^(?P<kind>Request Body|Response)\s*\((?P<name>[A-Za-z0-9_]+)\)$")
_PRIMITIVES = {"string", "boolean", "integer", "number", "object"}
_NAMED_TYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class TableField:
    name: str
    type: str
    required: bool
    description: str


@dataclass(slots=True)
class FieldTablePage:
    """What a field-table page says: one operation, its request and response tables."""

    method: str
    path: str
    summary: str
    description: str
    request_name: str | None = None
    request_fields: list[TableField] = field(default_factory=list)
    response_name: str | None = None
    response_fields: list[TableField] = field(default_factory=list)


def parse_field_table_page(page: str, source: str) -> FieldTablePage:
    """Read the operation line, its summary and description, and each field table."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    position, match = next(
        (
            (index, found)
            for index, line in enumerate(lines)
            if (found := _OPERATION_LINE.match(line))
        ),
        (0, None),
    )
    if match is None:
        raise SpecfakeError(f"{source}: no 'METHOD /path' line; is this an API docs page?")
    text_lines = [line for line in lines[position + 1 : position + 3] if "|" not in line]
    parsed = FieldTablePage(
        method=match.group(1).lower(),
        path=match.group(2),
        summary=text_lines[0] if text_lines else "",
        description=text_lines[1] if len(text_lines) > 1 else "",
    )
    current: list[TableField] | None = None
    for number, line in enumerate(lines[position + 1 :], start=position + 2):
        if heading := _TABLE_HEADING.match(line):
            if heading.group("kind") == "Response":
                parsed.response_name, current = heading.group("name"), parsed.response_fields
            else:
                parsed.request_name, current = heading.group("name"), parsed.request_fields
            continue
        if current is None or "|" not in line:
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "Field" or set("".join(cells)) <= set("-: "):
            continue
        if len(cells) < 4:
            raise SpecfakeError(f"{source}: table row {number} has {len(cells)} cells, needs 4")
        name, type_, required, description = cells[0], cells[1], cells[2], "|".join(cells[3:])
        current.append(TableField(name, type_, required.lower() == "yes", description.strip()))
    return parsed


def type_to_schema(type_name: str, named: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Map a type column to JSON Schema; named types become open-object components in ``named``."""
    if type_name.endswith("[]"):
        return {"type": "array", "items": type_to_schema(type_name[:-2], named)}
    if type_name in _PRIMITIVES:
        return {"type": type_name}
    if not _NAMED_TYPE.match(type_name):
        raise SpecfakeError(f"type {type_name!r} is neither a JSON type nor a type name")
    named.setdefault(
        type_name,
        {
            "type": "object",
            "additionalProperties": True,
            "title": type_name,
            "description": (
                f"The documentation names {type_name} but does not document its shape; "
                "any JSON object is accepted."
            ),
        },
    )
    return {"$ref": f"#/components/schemas/{type_name}"}


def object_schema(
    title: str, fields: list[TableField], named: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """An object schema with one property per table row, in the page's order."""
    properties = {}
    for row in fields:
        prop = type_to_schema(row.type, named)
        if row.description:
            prop = {**prop, "description": row.description}
        properties[row.name] = prop
    schema: dict[str, Any] = {"type": "object", "title": title, "properties": properties}
    required = [row.name for row in fields if row.required]
    if required:
        schema["required"] = required
    return schema
