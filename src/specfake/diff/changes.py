"""One change between two spec versions, and the list a comparison collects them in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    """What changed for clients: ``rule`` names the kind (oasdiff's check ids where one
    exists), ``pointer`` is a JSON Pointer into the new spec (into the old one for what was
    removed), ``operation`` is ``METHOD /path`` or empty for the whole API."""

    rule: str
    breaking: bool
    operation: str
    pointer: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Changes:
    """The changes found so far, in the order found; each is recorded once."""

    found: list[Change] = field(default_factory=list)
    _seen: set[Change] = field(default_factory=set)

    def add(self, rule: str, breaking: bool, operation: str, pointer: str, message: str) -> None:
        change = Change(rule, breaking, operation, pointer, message)
        if change not in self._seen:
            self._seen.add(change)
            self.found.append(change)
