"""Compare one real answer with the recorded one: the status, then every documented field the
recorded answer holds (presence, JSON type, and the value where it follows from the request or
earlier answers), learning the server's ids and versions on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specfake.errors import json_pointer
from specfake.verify.carry import Carried
from specfake.verify.fields import (
    Kind,
    documented_items,
    documented_properties,
    documented_values,
    is_id_name,
    json_type,
    kind_of,
    value_format,
)

PROBLEM_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class Difference:
    """Where a real answer differs from the recorded one."""

    interaction: str  # "#3 PATCH /v1/plan-definitions/…/draft"
    field: str  # "status", a JSON Pointer into the body, or "header ETag"
    recorded: Any
    real: Any
    message: str


@dataclass(slots=True)
class AnswerComparison:
    """One interaction's comparison; ``key`` names the resource its versions belong to."""

    label: str
    carried: Carried
    document: Any  # the spec document the schema's $refs resolve in
    key: str
    problem: bool
    differences: list[Difference] = field(default_factory=list)

    def differ(self, pointer: str, recorded: Any, real: Any, message: str) -> None:
        self.differences.append(Difference(self.label, pointer or "/", recorded, real, message))

    def compare(self, schema: dict[str, Any], recorded: Any, real: Any, pointer: str = "") -> None:
        if json_type(recorded) != json_type(real):
            message = f"JSON type: recorded {json_type(recorded)}, real {json_type(real)}"
            self.differ(pointer, recorded, real, message)
        elif isinstance(recorded, dict):
            self._object(schema, recorded, real, pointer)
        elif isinstance(recorded, list):
            self._array(schema, recorded, real, pointer)

    def _object(
        self, schema: dict[str, Any], recorded: dict[str, Any], real: dict[str, Any], pointer: str
    ) -> None:
        properties = documented_properties(schema, self.document)
        values = documented_values(schema, self.document)
        key = self._resource_key(recorded)
        for name, value in recorded.items():
            child = properties.get(name, values)
            if child is None:
                continue  # not documented: a field only the recording's server adds
            at = f"{pointer}/{json_pointer([name])[1:]}"
            if name not in real:
                self.differ(at, value, None, "documented field missing from the real answer")
                continue
            other = real[name]
            kind = kind_of(name, value, child, self.problem)
            if kind is Kind.VALUE or json_type(value) != json_type(other):
                self._value(child, value, other, at)
            elif kind is Kind.VERSION:
                problem = self.carried.compare_version(key, value, other)
                if problem:
                    self.differ(at, value, other, problem)
            elif kind in (Kind.ID, Kind.TIMESTAMP):
                self._generated(kind, value, other, at)

    def _array(self, schema: dict[str, Any], recorded: list[Any], real: list[Any], pointer: str):
        items = documented_items(schema, self.document)
        if items is None:
            return
        if len(recorded) != len(real):
            self.differ(pointer, len(recorded), len(real),
                        f"{len(recorded)} item(s) recorded, {len(real)} real")  # fmt: skip
        for index, (one, other) in enumerate(zip(recorded, real, strict=False)):
            self._value(items, one, other, f"{pointer}/{index}")

    def _value(self, schema: dict[str, Any], recorded: Any, real: Any, pointer: str) -> None:
        if isinstance(recorded, dict | list) or json_type(recorded) != json_type(real):
            self.compare(schema, recorded, real, pointer)
            return
        expected = self.carried.real(recorded)
        generated = {"uuid": Kind.ID, "date-time": Kind.TIMESTAMP}.get(schema.get("format"))
        if isinstance(recorded, str) and generated is not None:
            self._generated(generated, recorded, real, pointer)
        elif expected != real:
            shown = f"recorded {recorded!r}" + (
                f" (here {expected!r})" if expected != recorded else ""
            )
            self.differ(pointer, recorded, real, f"value: {shown}, real {real!r}")

    def _generated(self, kind: Kind, recorded: str, real: str, pointer: str) -> None:
        """Ids and timestamps: the format only; an id is remembered for later requests."""
        if value_format(recorded) != value_format(real):
            message = f"{kind.value}: recorded {value_format(recorded)}, real {real!r}"
            self.differ(pointer, recorded, real, message)
        elif kind is Kind.ID:
            self.carried.learn(recorded, real)

    def _resource_key(self, recorded: dict[str, Any]) -> str:
        """The resource a version in this object belongs to: a sibling id (``data.id``,
        ``form_state.draft_id``), else the request's."""
        for name, value in recorded.items():
            if isinstance(value, str) and is_id_name(name):
                return value
        return self.key
