"""Assemble one OpenAPI document from several documentation pages.

A page either embeds an OpenAPI YAML block (its paths and components are merged) or documents
one operation as field tables. JSON examples under "Examples" become OpenAPI ``examples``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from specfake.errors import SpecfakeError
from specfake.importer.markdown import FencedBlock, fenced_blocks
from specfake.importer.tables import object_schema, parse_field_table_page

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class DocsPage:
    """A documentation page and the name errors should call it by."""

    source: str
    text: str


def assemble(pages: list[DocsPage], title: str) -> dict[str, Any]:
    """Merge ``pages`` into one OpenAPI 3.1 document; conflicting definitions name both pages."""
    if not pages:
        raise SpecfakeError("import-docs needs at least one page")
    merged = _Merger(title)
    for page in pages:
        merged.add(page, _page_document(page))
    return merged.document()


def _page_document(page: DocsPage) -> dict[str, Any]:
    blocks = fenced_blocks(page.text)
    spec_blocks = [b for b in blocks if b.language in {"yaml", "yml"} and "openapi" in b.text]
    if not spec_blocks:
        return _field_table_document(page)
    try:
        document = yaml.safe_load(spec_blocks[0].text)
    except yaml.YAMLError as error:
        raise SpecfakeError(
            f"{page.source}: the OpenAPI block is not valid YAML: {error}"
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecfakeError(f"{page.source}: the OpenAPI block has no 'paths' mapping")
    _attach_examples(page, document, blocks)
    return document


def _field_table_document(page: DocsPage) -> dict[str, Any]:
    table_page = parse_field_table_page(page.text, page.source)
    named: dict[str, dict[str, Any]] = {}
    schemas: dict[str, dict[str, Any]] = {}
    operation: dict[str, Any] = {
        "operationId": _slug(table_page.summary) or _slug(f"{table_page.method} {table_page.path}"),
        "summary": table_page.summary,
    }
    if table_page.description:
        operation["description"] = table_page.description
    if table_page.request_name:
        schemas[table_page.request_name] = object_schema(
            table_page.request_name, table_page.request_fields, named
        )
        ref = {"$ref": f"#/components/schemas/{table_page.request_name}"}
        operation["requestBody"] = {"content": {JSON: {"schema": ref}}}
    if table_page.response_name:
        schemas[table_page.response_name] = object_schema(
            table_page.response_name, table_page.response_fields, named
        )
        ref = {"$ref": f"#/components/schemas/{table_page.response_name}"}
        operation["responses"] = {
            "200": {"description": table_page.summary, "content": {JSON: {"schema": ref}}}
        }
    else:
        operation["responses"] = {"200": {"description": table_page.summary}}
    schemas.update(named)
    return {
        "paths": {table_page.path: {table_page.method: operation}},
        "components": {"schemas": schemas},
    }


def _attach_examples(page: DocsPage, document: dict[str, Any], blocks: list[FencedBlock]) -> None:
    """Put the page's JSON Request/Response examples on its (single) operation."""
    examples = [b for b in blocks if b.language == "json" and b.label in {"Request", "Response"}]
    if not examples:
        return
    operations = list(_operations(document))
    if len(operations) != 1:
        raise SpecfakeError(f"{page.source}: examples found but the page has several operations")
    operation = operations[0]
    sdk_titles = [b.title for b in blocks if b.title and b.language not in {"json", "yaml"}]
    name = _slug(sdk_titles[0]) if sdk_titles else "docs-example"
    summary = sdk_titles[0] if sdk_titles else "Example from the documentation page"
    for block in examples:
        try:
            value = json.loads(block.text)
        except json.JSONDecodeError as error:
            raise SpecfakeError(
                f"{page.source}: the {block.label} example (line {block.line}) is not JSON: {error}"
            ) from error
        example = {"summary": summary, "value": value}
        if block.label == "Request":
            media = operation.setdefault("requestBody", {}).setdefault("content", {})
            media.setdefault(JSON, {}).setdefault("examples", {})[name] = example
        else:
            status = _success_status(operation, page.source)
            media = operation["responses"][status].setdefault("content", {})
            media.setdefault(JSON, {}).setdefault("examples", {})[name] = example


def _success_status(operation: dict[str, Any], source: str) -> str:
    for status in operation.get("responses", {}):
        if str(status).startswith("2"):
            return str(status)
    raise SpecfakeError(f"{source}: a response example but no 2xx response to attach it to")


def _operations(document: dict[str, Any]):
    for path_item in document.get("paths", {}).values():
        for method in HTTP_METHODS:
            if method in path_item:
                yield path_item[method]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Merger:
    """Accumulates pages; remembers which page defined what, to name both sides of a conflict."""

    def __init__(self, title: str) -> None:
        self._info: dict[str, Any] | None = None
        self._title = title
        self._servers: list[dict[str, Any]] = []
        self._paths: dict[str, dict[str, Any]] = {}
        self._components: dict[str, dict[str, Any]] = {}
        self._origin: dict[tuple[str, ...], str] = {}

    def add(self, page: DocsPage, document: dict[str, Any]) -> None:
        if self._info is None and isinstance(document.get("info"), dict):
            self._info = dict(document["info"])
        for server in document.get("servers", []):
            if server not in self._servers:
                self._servers.append(server)
        for path, path_item in document.get("paths", {}).items():
            target = self._paths.setdefault(path, {})
            for key, value in path_item.items():
                self._claim(("paths", path, key), page.source, target.get(key), value)
                target[key] = value
        for section, entries in document.get("components", {}).items():
            target = self._components.setdefault(section, {})
            for name, value in entries.items():
                self._claim(("components", section, name), page.source, target.get(name), value)
                target[name] = value

    def _claim(self, where: tuple[str, ...], source: str, existing: Any, new: Any) -> None:
        if existing is not None and existing != new:
            first = self._origin[where]
            raise SpecfakeError(
                f"{'/'.join(where)} is defined differently by {first} and {source}; "
                "make the pages agree or move one definition into the overlay"
            )
        self._origin.setdefault(where, source)

    def document(self) -> dict[str, Any]:
        info = self._info or {"title": self._title, "version": "1.0.0"}
        document: dict[str, Any] = {"openapi": "3.1.0", "info": info}
        if self._servers:
            document["servers"] = self._servers
        document["paths"] = self._paths
        if self._components:
            document["components"] = self._components
        return document
