"""Compare two schemas for the clients that send (requests) or read (responses) what they
describe.

The same change breaks one direction only: a new enum value is harmless in a request (the
client never sends it) and breaks a client that reads a response (it never expected it).
So each rule asks one question, "does the set of values the schema allows grow or shrink?",
and a request breaks when it shrinks (a value clients send may be refused) and a response
when it grows (a value clients read may be unexpected).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from specfake.diff.changes import Changes
from specfake.errors import json_pointer
from specfake.spec.references import followed

Direction = Literal["request", "response"]

# Bounds that shrink the allowed values when lowered (upper) or raised (lower).
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
# Keywords whose any change (added, removed or another value) may shrink the allowed values.
_RESTRICTIONS = ("pattern", "multipleOf")


def value_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types ``schema`` allows (``nullable: true`` adds ``null``), ``None`` for any."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(each) for each in declared}
    else:
        return None  # none declared, or not a type at all (the spec's warnings say so)
    if schema.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def covers(wider: frozenset[str] | None, narrower: frozenset[str] | None) -> bool:
    """Whether every value of type ``narrower`` is one of ``wider`` (``number`` holds
    ``integer``; ``None`` is any type)."""
    if wider is None:
        return True
    if narrower is None:
        return False
    return all(kind in wider or (kind == "integer" and "number" in wider) for kind in narrower)


@dataclass(slots=True)
class SchemaDiff:
    """Compares the schemas of one operation's request or response, recording changes.

    ``field`` names in messages are JSON Pointers into the body (``/data/status``, ``*`` for
    any array item or map value), so a reader finds the field without reading the spec.
    """

    old_document: dict[str, Any]
    new_document: dict[str, Any]
    changes: Changes
    operation: str
    direction: Direction
    where: str  # "request body", "query parameter limit", "200 response"
    _comparing: set[tuple[str, str]] = field(default_factory=set)  # the pairs being compared

    def compare(self, old: Any, old_pointer: str, new: Any, new_pointer: str, path: str) -> None:
        old, old_pointer = followed(self.old_document, old, old_pointer)
        new, new_pointer = followed(self.new_document, new, new_pointer)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return  # boolean schemas and broken references: nothing to compare
        pair = (old_pointer, new_pointer)
        if pair in self._comparing:
            return  # a recursive schema, already being compared further up
        self._comparing.add(pair)
        try:
            self._compare(old, old_pointer, new, new_pointer, path)
        finally:
            self._comparing.discard(pair)

    def _compare(
        self, old: dict[str, Any], old_pointer: str, new: dict[str, Any], new_pointer: str,
        path: str,
    ) -> None:  # fmt: skip
        """One pair of schemas, each used at ``path``: a component used at two fields is
        compared (and reported) at each."""
        at = _Site(self, new_pointer, path)
        self._types(old, new, at)
        self._format(old, new, at)
        self._enum(old, new, at)
        self._constraints(old, new, at)
        self._properties(old, old_pointer, new, new_pointer, path)
        for keyword, segment in (("items", "*"), ("additionalProperties", "*")):
            if isinstance(old.get(keyword), dict) and isinstance(new.get(keyword), dict):
                self.compare(
                    old[keyword], f"{old_pointer}/{keyword}",
                    new[keyword], f"{new_pointer}/{keyword}", f"{path}/{segment}",
                )  # fmt: skip
        for keyword in ("allOf", "anyOf", "oneOf"):
            self._branches(keyword, old, old_pointer, new, new_pointer, path, at)

    def _types(self, old: dict[str, Any], new: dict[str, Any], at: _Site) -> None:
        old_types, new_types = value_types(old), value_types(new)
        if old_types == new_types:
            return
        shrinks = not covers(new_types, old_types)
        grows = not covers(old_types, new_types)
        described = f"type changed from {_types_text(old_types)} to {_types_text(new_types)}"
        at.report("type-changed", shrinks, grows, described, f"{at.pointer}/type")

    def _format(self, old: dict[str, Any], new: dict[str, Any], at: _Site) -> None:
        """A format added or changed may refuse what was sent; removed or changed, it may
        give what a client cannot parse."""
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            message = f"format changed from {old_format or 'none'} to {new_format or 'none'}"
            at.report("format-changed", new_format is not None, old_format is not None, message,
                      f"{at.pointer}/format")  # fmt: skip

    def _enum(self, old: dict[str, Any], new: dict[str, Any], at: _Site) -> None:
        old_values, new_values = _enum_values(old), _enum_values(new)
        if old_values == new_values:
            return
        pointer = f"{at.pointer}/enum"
        if old_values is None or new_values is None:
            added = new_values is not None
            message = "enum added: " if added else "enum removed, any value allowed: "
            values = new_values if added else old_values
            at.report("enum-added" if added else "enum-removed", added, not added,
                      message + _listed(values or ()), pointer)  # fmt: skip
            return
        if removed := old_values - new_values:
            at.report("enum-value-removed", True, False,
                      f"enum value(s) removed: {_listed(removed)}", pointer)  # fmt: skip
        if added := new_values - old_values:
            at.report("enum-value-added", False, True,
                      f"enum value(s) added: {_listed(added)}", pointer)  # fmt: skip

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], at: _Site) -> None:
        for keyword in (*_UPPER_BOUNDS, *_LOWER_BOUNDS, *_RESTRICTIONS, "uniqueItems"):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            if keyword == "uniqueItems":
                shrinks, grows = after is True, before is True
            elif keyword in _RESTRICTIONS:
                shrinks, grows = after is not None, before is not None
            elif not (_is_number(before) or before is None) or not (
                _is_number(after) or after is None
            ):
                continue  # OpenAPI 3.0's boolean exclusiveMaximum is not a bound
            else:
                upper = keyword in _UPPER_BOUNDS
                shrinks = after is not None and (
                    before is None or (after < before if upper else after > before)
                )
                grows = not shrinks
            message = f"{keyword} changed from {_shown(before)} to {_shown(after)}"
            at.report(f"{_kebab(keyword)}-changed", shrinks, grows, message,
                      f"{at.pointer}/{keyword}")  # fmt: skip

    def _properties(
        self,
        old: dict[str, Any], old_pointer: str,
        new: dict[str, Any], new_pointer: str,
        path: str,
    ) -> None:  # fmt: skip
        old_properties = _mapping(old.get("properties"))
        new_properties = _mapping(new.get("properties"))
        old_required, new_required = _required(old), _required(new)
        request = self.direction == "request"
        for name in sorted(set(old_properties) | set(new_properties), key=str):
            field_path = f"{path}/{json_pointer([name])[1:]}"
            prop = f"/properties/{json_pointer([name])[1:]}"
            in_old, in_new = name in old_properties, name in new_properties
            hidden = _hidden(new_properties.get(name) or old_properties.get(name), request)
            if hidden:
                continue  # readOnly in a request, writeOnly in a response: never sent
            if in_old and not in_new:
                was_required = name in old_required
                self._removed_property(new, field_path, f"{old_pointer}{prop}", was_required)
            elif in_new and not in_old:
                required = name in new_required
                if request:
                    kind = "required" if required else "optional"
                    self.add(f"new-{kind}-request-property", required, f"{new_pointer}{prop}",
                             f"{self.where} field {field_path} added as {kind}")  # fmt: skip
                else:
                    self.add("response-property-added", False, f"{new_pointer}{prop}",
                             f"{self.where} field {field_path} added")  # fmt: skip
            else:
                was, now = name in old_required, name in new_required
                if was != now:
                    made = "required" if now else "optional"
                    rule = f"{self.direction}-property-became-{made}"
                    breaking = now if request else not now
                    self.add(rule, breaking, f"{new_pointer}/required",
                             f"{self.where} field {field_path} became {made}")  # fmt: skip
                self.compare(old_properties[name], f"{old_pointer}{prop}",
                             new_properties[name], f"{new_pointer}{prop}", field_path)  # fmt: skip
        was_open = old.get("additionalProperties") is not False
        if request and was_open and new.get("additionalProperties") is False:
            message = f"{self.where} object {path or '/'} now refuses undocumented fields"
            self.add("request-additional-properties-refused", True,
                     f"{new_pointer}/additionalProperties", message)  # fmt: skip

    def _removed_property(
        self, new: dict[str, Any], field_path: str, pointer: str, was_required: bool
    ) -> None:
        if self.direction == "response":
            kind = "required " if was_required else ""
            self.add("response-property-removed", True, pointer,
                     f"{self.where} {kind}field {field_path} removed")  # fmt: skip
        else:
            refused = new.get("additionalProperties") is False
            self.add("request-property-removed", refused, pointer,
                     f"{self.where} field {field_path} removed"
                     + (" and is now refused" if refused else " (now ignored)"))  # fmt: skip

    def _branches(
        self,
        keyword: str,
        old: dict[str, Any], old_pointer: str,
        new: dict[str, Any], new_pointer: str,
        path: str, at: _Site,
    ) -> None:  # fmt: skip
        old_branches, new_branches = _list(old.get(keyword)), _list(new.get(keyword))
        for index in range(min(len(old_branches), len(new_branches))):
            self.compare(old_branches[index], f"{old_pointer}/{keyword}/{index}",
                         new_branches[index], f"{new_pointer}/{keyword}/{index}", path)  # fmt: skip
        if len(old_branches) == len(new_branches):
            return
        more = len(new_branches) > len(old_branches)
        # allOf: one more conjunct is one more constraint; anyOf/oneOf: one more alternative.
        shrinks = more if keyword == "allOf" else not more
        message = f"{keyword} {'gained' if more else 'lost'} " + (
            f"{abs(len(new_branches) - len(old_branches))} schema(s)"
        )
        at.report(f"{_kebab(keyword)}-changed", shrinks, not shrinks, message,
                  f"{at.pointer}/{keyword}")  # fmt: skip

    def add(self, rule: str, breaking: bool, pointer: str, message: str) -> None:
        self.changes.add(rule, breaking, self.operation, pointer, message)


@dataclass(frozen=True, slots=True)
class _Site:
    """One schema being compared: reports a change as breaking for its direction."""

    diff: SchemaDiff
    pointer: str
    path: str

    def report(self, rule: str, shrinks: bool, grows: bool, change: str, pointer: str) -> None:
        breaking = shrinks if self.diff.direction == "request" else grows
        message = f"{self.diff.where} field {self.path or '/'}: {change}"
        self.diff.add(f"{self.diff.direction}-{rule}", breaking, pointer, message)


def _enum_values(schema: dict[str, Any]) -> frozenset[str] | None:
    values = schema.get("enum")
    if "const" in schema and values is None:
        values = [schema["const"]]
    if not isinstance(values, list):
        return None
    return frozenset(json.dumps(value, sort_keys=True, default=str) for value in values)


def _hidden(schema: Any, request: bool) -> bool:
    return isinstance(schema, dict) and schema.get("readOnly" if request else "writeOnly") is True


def _required(schema: dict[str, Any]) -> set[str]:
    required = schema.get("required")
    return {str(name) for name in required} if isinstance(required, list) else set()


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _types_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _listed(values: frozenset[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(values))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    return "none" if value is None else json.dumps(value, sort_keys=True, default=str)


def _kebab(keyword: str) -> str:
    return "".join(f"-{char.lower()}" if char.isupper() else char for char in keyword)
