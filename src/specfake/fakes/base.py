"""What a stateful fake is: handlers for some operations, over a :class:`StateStore`.

A fake owns named sections of the fixture/state format (``pathways``, ``cohort_drafts``...),
each described by a JSON Schema so fixture files and ``PUT /__specfake__/state`` are checked
the same way, and it answers the operations it names by operationId (``docs/fakes.md``).

Fakes are found through the ``specfake.fakes`` entry-point group: each entry is a
:data:`FakeFactory`, so a team can ship the fake for its own API as a separate package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from specfake.config import ServerConfig
from specfake.errors import FieldError
from specfake.pipeline.outcome import Handler
from specfake.store.base import StateStore


@dataclass(frozen=True, slots=True)
class Binding:
    """One operation a fake answers: its operationId, and the method and path template it
    expects that operation to have (a served spec that disagrees stops start-up)."""

    operation_id: str
    method: str
    path: str
    handler: Handler


class Fake(Protocol):
    """A stand-in for one API that remembers what clients did."""

    name: str

    def bindings(self) -> Sequence[Binding]:
        """The operations this fake answers."""
        ...

    def state_schema(self) -> Mapping[str, dict[str, Any]]:
        """A JSON Schema for each state section this fake owns; its ``default`` is the
        section's empty value (what a reset to fixtures without it leaves)."""
        ...

    def state_errors(self, sections: Mapping[str, Any]) -> list[FieldError]:
        """What the schemas cannot say is wrong with ``sections`` (schema-valid already):
        duplicate ids, references to unknown records. Pointers from the state root."""
        ...

    async def load(self, sections: Mapping[str, Any]) -> None:
        """Replace the sections named in ``sections`` (checked already); the others stay."""
        ...

    async def dump(self) -> dict[str, Any]:
        """The fake's state, in the fixture format."""
        ...


FakeFactory = Callable[[StateStore, ServerConfig], Fake]


def utc_now_iso() -> str:
    """Now as ISO 8601 UTC with milliseconds and ``Z``, the docs' timestamp format."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"  # drop "+00:00"
