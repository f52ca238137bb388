"""What a write does to a record, as pure functions: the fields the server makes on create,
the declared checks (``requires``, ``version``) and changes (``set``, the version bump,
``history``).
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass
from typing import Any

from specfake.errors import Problem, conflict
from specfake.fakes.base import new_uuid
from specfake.fakes.resources.declarations import Declaration, Source
from specfake.fakes.resources.plan import Bound, Resource, json_schema_of, success_response
from specfake.fakes.resources.schemas import resolved, view
from specfake.pipeline.outcome import OperationRequest
from specfake.pipeline.synthesis import synthesize

Record = dict[str, Any]
_TIMESTAMP_FORMATS = ("date-time",)
_NOW = object()  # a made field that takes the request's time
# Timestamps the server keeps, set on create whether or not the schema requires them.
_STAMPED = re.compile(r"^(created|updated|modified|last_?updated|last_?modified)(_?at|_?on)?$",
                      re.IGNORECASE)  # fmt: skip


def server_fields(bound: Bound, body: Record, now: str) -> Record:
    """The fields a create adds to the request body: the required and read-only ones the
    answer documents and the body lacks (from the schema's examples, else synthesized; ``now``
    for a date-time), and creation and update timestamps (``createdAt``, ``updated_at``)."""
    made: Record = {}
    for name, value in bound.memoized("server-made", _server_made, bound):
        if name not in body:
            made[name] = now if value is _NOW else copy.deepcopy(value)
    return made


def _server_made(bound: Bound) -> tuple[tuple[str, Any], ...]:
    """Which fields the server makes, read from the answer's schema once: each with the value
    it gets (static synthesis gives the same value every time), or ``_NOW``."""
    schema = _record_schema(bound)
    if schema is None:
        return ()
    root = bound.operation.schema_root
    shape = view(schema, root)
    made: list[tuple[str, Any]] = []
    for name, sub in shape.properties.items():
        if name == bound.resource.id_field:
            continue
        node = resolved(sub, root)
        server_made = name in shape.required or node.get("readOnly") is True
        if node.get("format") in _TIMESTAMP_FORMATS and (server_made or _STAMPED.match(name)):
            made.append((name, _NOW))
        elif server_made:
            made.append((name, synthesize(sub, root)))
    return tuple(made)


def id_schema(bound: Bound) -> dict[str, Any]:
    """The schema of the record's id field in the operation's answer (``{}`` if none)."""
    schema = _record_schema(bound)
    root = bound.operation.schema_root
    if schema is None:
        return {}
    return resolved(view(schema, root).properties.get(bound.resource.id_field, {}), root)


def new_id(bound: Bound, node: dict[str, Any]) -> Any:
    """A fresh id that is not an integer (those count up: ``StoredResource.next_integer``): a
    UUID where the format says so or the schema says nothing, else a new value of the schema
    (its ``pattern``); a clash with a stored one fails the create's compare-and-set, and
    another is drawn."""
    if not _is_uuid(node):
        candidate = synthesize(node, bound.operation.schema_root, seed=random.randrange(2**32))
        if isinstance(candidate, str | int) and not isinstance(candidate, bool):
            return candidate
    return new_uuid()


def is_integer(node: dict[str, Any]) -> bool:
    """Whether an id of schema ``node`` is an integer."""
    types = node.get("type")
    return types == "integer" or (isinstance(types, list) and "integer" in types)


def _is_uuid(node: dict[str, Any]) -> bool:
    return node.get("format") == "uuid" or not ({"pattern", "format", "enum"} & node.keys())


@dataclass(frozen=True, slots=True)
class VersionCheck:
    """An operation's declared version check, read from its declaration and resource once
    (:func:`version_check`): where the request carries the version it expects, the record's
    version field, and what a mismatch answers."""

    expected: Source
    field: str
    status: int  # 409, or the declared 412
    member: str  # the refusal's member holding the current version: ``currentVersionId``
    label: str  # how the message names the expected version: ``If-Match``, ``expectedVersionId``
    # The refusal's members and the record fields they report: ``member`` first, then the
    # declared ``conflict_fields`` (a clash is theirs), one dict made from them per refusal.
    reported: tuple[tuple[str, str], ...]


def version_check(declaration: Declaration, resource: Resource) -> VersionCheck | None:
    """The version check of a write, ``None`` when it declares none."""
    rule = declaration.version
    field = resource.version_field
    if rule.expected is None or field is None:
        return None
    member = f"current{_capital(field)}"
    reported = ((member, field), *declaration.conflict_fields.items())
    return VersionCheck(rule.expected, field, rule.conflict, member, rule.expected.label,
                        reported)  # fmt: skip


def refused(
    bound: Bound,
    check: VersionCheck | None,
    request: OperationRequest,
    record: Record,
    name: str,
) -> Problem | None:
    """What the declared checks refuse of a write to ``record`` (``name``: its id, as text):
    its state first, then its version (``check``: :func:`version_check` of ``bound``)."""
    problem = refused_state(bound.declaration, record, name)
    if problem is None and check is not None:
        problem = refused_version(check, record, request)
    return problem


def refused_state(declaration: Declaration, record: Record, record_id: str) -> Problem | None:
    """A 409 when the record is not in a state ``requires`` allows."""
    for name, allowed in declaration.requires.items():
        if record.get(name) not in allowed:
            shown = ", ".join(map(str, allowed))
            own = {f"current{_capital(name)}": record.get(name)}
            return _conflict(
                409,
                {**own, **conflict_fields(declaration, record)},
                f"{record_id} has {name} {record.get(name)!r}; this operation needs {name} "
                f"in [{shown}].",
            )
    return None


def refused_version(
    check: VersionCheck, record: Record, request: OperationRequest
) -> Problem | None:
    """A 409 (or the declared 412) when the request's expected version is not the record's."""
    expected = check.expected.read(request)
    current = record.get(check.field)
    if expected is None or _matches(check.expected.location, expected, current):
        return None
    shown = _number(expected) if isinstance(expected, int | float) else repr(str(expected))
    return _conflict(
        check.status,
        {name: record.get(field) for name, field in check.reported},
        f"{check.label} {shown} does not match the current {check.field} {current}; "
        "fetch the record again and retry with its version.",
    )


def _matches(location: str, expected: Any, current: Any) -> bool:
    """Whether the request's expected version names ``current``; a header is an ``If-Match``
    list (RFC 9110, 13.1.1): ``*`` matches any stored record, else one of the tags must."""
    if location == "header" and isinstance(expected, str):
        tags = [tag.strip() for tag in expected.split(",")]
        return "*" in tags or any(same_version(tag, current) for tag in tags if tag)
    return same_version(expected, current)


def same_version(expected: Any, current: Any) -> bool:
    """Whether a request's version names ``current``: numbers by value (7 is 7.0), header
    text after stripping ``W/`` and quotes."""
    if isinstance(expected, str):
        text = expected.strip()
        text = text[2:] if text.startswith("W/") else text
        return text.strip('"') == str(current)
    if isinstance(expected, bool) or isinstance(current, bool):
        return expected == current and type(expected) is type(current)
    return bool(expected == current)


def written(bound: Bound, record: Record, stored: Record, now: str) -> Record:
    """``record`` (the write's new content) after the declared changes: ``set`` (``$now``,
    ``$uuid``: one new UUID per write, made only where it is set), the version one above the
    ``stored`` record's (1 for a new one, whatever the body said), and the ``history`` copy
    appended to the stored history."""
    declaration = bound.declaration
    result = dict(record)
    if declaration.set:
        request_id = new_uuid() if "$uuid" in declaration.set.values() else ""
        for name, value in declaration.set.items():
            result[name] = _value(value, now, request_id)
    field = bound.resource.version_field
    if field is not None:
        current = stored.get(field)
        result[field] = current + 1 if _is_number(current) else 1
    if declaration.history is not None:
        history = declaration.history
        copied = {name: result[name] for name in history.copy if name in result}
        previous = stored.get(history.field)
        result[history.field] = [*(previous if isinstance(previous, list) else []), copied]
    return result


def conflict_fields(declaration: Declaration, record: Record) -> dict[str, Any]:
    """The declared fields a conflict reports (``currentVersionId: versionId``...)."""
    return {name: record.get(field) for name, field in declaration.conflict_fields.items()}


def version_header(resource: Resource, record: Record) -> str | None:
    """The ``ETag`` of ``record``: its version, quoted."""
    field = resource.version_field
    if field is None or field not in record:
        return None
    return f'"{_number(record[field]) if _is_number(record[field]) else record[field]}"'


def _conflict(status: int, extensions: dict[str, Any], detail: str) -> Problem:
    if status == 412:
        return Problem(412, "precondition-failed", "Precondition failed", detail,
                       extensions=extensions)  # fmt: skip
    return conflict(detail, **extensions)


def _record_schema(bound: Bound) -> Any:
    """The record's schema in the operation's success answer, or ``None``."""
    schema = json_schema_of(success_response(bound.operation))
    return None if schema is None else bound.record_schema(schema)


def _value(value: Any, now: str, request_id: str) -> Any:
    if value == "$now":
        return now
    if value == "$uuid":
        return request_id
    return value


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: int | float) -> str:
    """``7`` and ``7.0`` read as 7, ``7.5`` as 7.5."""
    return str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
