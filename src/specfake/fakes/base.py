"""What a stateful fake is: handlers for some operations, over a :class:`StateStore`.

A fake owns named sections of the fixture/state format (``pathways``, ``cohort_drafts``...),
each described by a JSON Schema so fixture files and ``PUT /__specfake__/state`` are checked
the same way, and it answers the operations it names by operationId (``docs/fakes.md``).

Fakes are found through the ``specfake.fakes`` entry-point group: each entry is a
:data:`FakeFactory`, so a team can ship the fake for its own API as a separate package.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
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
    return iso_millis(time.time_ns())


def iso_millis(ns: int) -> str:
    """``ns`` nanoseconds after the epoch as ``2026-05-01T09:30:00.123Z`` (milliseconds cut,
    not rounded, as ``datetime.isoformat`` cuts them). The date and time of day are formatted
    once per second (:func:`_second_text`): every write of a busy second shares them, and a
    ``datetime`` per write cost more than the rest of a create's fields."""
    seconds, rest = divmod(ns, 1_000_000_000)
    return f"{_second_text(seconds)}.{rest // 1_000_000:03d}Z"


@lru_cache(maxsize=2)
def _second_text(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def new_uuid() -> str:
    """A new random (version 4) UUID, as text."""
    return uuid_text(os.urandom(16))


def uuid_text(random_bytes: bytes) -> str:
    """``str(uuid.UUID(bytes=random_bytes, version=4))``, formatted from the hex digits
    (a third of the cost: no ``UUID`` object, no 128-bit integer): the version digit set to
    4, the variant's two bits to ``10``."""
    digits = random_bytes.hex()
    variant = "89ab"[int(digits[16], 16) & 3]
    return (f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-"
            f"{digits[20:32]}")  # fmt: skip
