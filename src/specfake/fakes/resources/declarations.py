"""``x-specfake``: what the paths cannot say about a resource, declared on a path item or an
operation (usually in the overlay). An operation's keys override its path item's.

The declaration is the spec author's own, so unlike other spec content a mistake in it stops
start-up: an unknown key or a value of the wrong kind here (:func:`read_declaration`), a field
no schema has in :mod:`specfake.fakes.resources.plan`. The vocabulary is documented in
``docs/resources.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jsonschema import Draft202012Validator

from specfake.errors import SpecfakeError, json_pointer
from specfake.pipeline.outcome import OperationRequest

Role = Literal["create", "read", "list", "replace", "merge", "delete", "action"]
ROLES: tuple[Role, ...] = ("create", "read", "list", "replace", "merge", "delete", "action")
MERGES = ("top-level", "merge-patch", "json-patch")
# Where a value is read from a request: a JSON Pointer into the body, a header, a query value.
_SOURCE = {"type": "string", "pattern": r"^(body\.(/.*)?|header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+"
           r"|query\..+)$"}  # fmt: skip
_FIELD = {"type": "string", "minLength": 1}
_FIELDS = {"type": "array", "items": _FIELD, "minItems": 1, "uniqueItems": True}

DECLARATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "resource": {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]+$"},
        "id": _FIELD,
        "envelope": _FIELD,
        "stateful": {"type": "boolean"},
        "version": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "field": _FIELD,
                "expected": _SOURCE,
                "conflict": {"enum": [409, 412]},
            },
        },
        "requires": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "array", "minItems": 1},
        },
        "set": {"type": "object", "minProperties": 1},
        "idempotency": _SOURCE,
        # Extensions (docs/resources.md).
        "role": {"enum": list(ROLES)},
        "merge": {"enum": list(MERGES)},
        "answer": {"enum": ["record", "documented"]},
        "history": {
            "type": "object",
            "additionalProperties": False,
            "required": ["field", "copy"],
            "properties": {"field": _FIELD, "copy": _FIELDS},
        },
        "conflict_fields": {"type": "object", "minProperties": 1, "additionalProperties": _FIELD},
        "record": {"type": "object"},
    },
}
_CHECKER = Draft202012Validator(DECLARATION_SCHEMA)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a request carries a value: ``body./pointer``, ``header.Name`` or ``query.name``."""

    location: Literal["body", "header", "query"]
    name: str  # the JSON Pointer for the body
    steps: tuple[str, ...] = ()  # the body pointer's member names, unescaped, outermost first

    @classmethod
    def parse(cls, text: str) -> Source:
        location, _, name = text.partition(".")
        steps = tuple(part.replace("~1", "/").replace("~0", "~")
                      for part in name.split("/")[1:]) if location == "body" else ()  # fmt: skip
        return cls(location, name, steps)  # type: ignore[arg-type]  # checked by the schema

    def read(self, request: OperationRequest) -> Any:
        """The value, or ``None`` when the request does not carry it."""
        if self.location == "header":
            return request.headers.get(self.name)
        if self.location == "query":
            return request.query.get(self.name)
        value = request.body
        for step in self.steps:
            if not isinstance(value, dict):
                return None
            value = value.get(step)
        return value

    @property
    def body_field(self) -> str | None:
        """The top-level body member this source reads, if it reads the body."""
        if self.location != "body" or not self.steps:
            return None
        return self.steps[0]

    @property
    def label(self) -> str:
        """How a message names it: ``If-Match``, ``expectedVersionId``, ``version``."""
        return self.name.rsplit("/", 1)[-1] if self.location == "body" else self.name

    def __str__(self) -> str:
        return f"{self.location}.{self.name}"


@dataclass(frozen=True, slots=True)
class VersionRule:
    field: str | None = None
    expected: Source | None = None
    conflict: int = 409


@dataclass(frozen=True, slots=True)
class History:
    """On each write of the operation, append a copy of ``copy``'s fields (as written) to the
    record's array ``field``: the pathway's ``publishedVersions``."""

    field: str
    copy: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Declaration:
    """One operation's ``x-specfake``, its path item's merged under it."""

    pointer: str  # where the operation's own declaration is (or would be)
    resource: str | None = None
    id: str | None = None
    envelope: str | None = None
    stateful: bool = True
    version: VersionRule = VersionRule()
    requires: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    set: Mapping[str, Any] = field(default_factory=dict)
    idempotency: Source | None = None
    role: Role | None = None
    merge: str | None = None
    answer: str = "record"
    history: History | None = None
    conflict_fields: Mapping[str, str] = field(default_factory=dict)
    record: dict[str, Any] | None = None


def read_declaration(path: str, method: str, path_item: Any, operation: Any) -> Declaration:
    """The declaration of ``method`` on ``path``, checked; :class:`SpecfakeError` naming the
    JSON Pointer of the first wrong key or value."""
    item_pointer = json_pointer(["paths", path])
    operation_pointer = json_pointer(["paths", path, method])
    merged: dict[str, Any] = {}
    for raw, pointer in ((_declared(path_item), item_pointer), (_declared(operation),
                                                                operation_pointer)):  # fmt: skip
        if raw is None:
            continue
        if not isinstance(raw, dict):
            raise SpecfakeError(f"{pointer}/x-specfake: must be a mapping of declarations",
                                pointer=f"{pointer}/x-specfake")  # fmt: skip
        error = next(iter(sorted(_CHECKER.iter_errors(raw), key=lambda e: e.path)), None)
        if error is not None:
            where = json_pointer(["x-specfake", *map(str, error.absolute_path)])
            message = (
                f"unknown key {next(iter(_unknown_keys(error)), '')!r}; known: "
                f"{', '.join(sorted(error.schema.get('properties', {})))}"
                if error.validator == "additionalProperties"
                else error.message
            )
            raise SpecfakeError(f"{pointer}{where}: {message}", pointer=f"{pointer}{where}")
        merged.update(raw)
    version = merged.get("version", {})
    history = merged.get("history")
    return Declaration(
        pointer=f"{operation_pointer}/x-specfake",
        resource=merged.get("resource"),
        id=merged.get("id"),
        envelope=merged.get("envelope"),
        stateful=merged.get("stateful", True),
        version=VersionRule(
            version.get("field"),
            Source.parse(version["expected"]) if "expected" in version else None,
            version.get("conflict", 409),
        ),
        requires={name: tuple(values) for name, values in merged.get("requires", {}).items()},
        set=dict(merged.get("set", {})),
        idempotency=Source.parse(merged["idempotency"]) if "idempotency" in merged else None,
        role=merged.get("role"),
        merge=merged.get("merge"),
        answer=merged.get("answer", "record"),
        history=History(history["field"], tuple(history["copy"])) if history else None,
        conflict_fields=dict(merged.get("conflict_fields", {})),
        record=merged.get("record"),
    )


def _declared(node: Any) -> Any:
    return node.get("x-specfake") if isinstance(node, dict) else None


def _unknown_keys(error: Any) -> list[str]:
    known = error.schema.get("properties", {})
    return [key for key in error.instance if key not in known] if isinstance(
        error.instance, dict
    ) else []
