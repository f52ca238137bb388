"""The small async interface every fake writes through.

A fake never holds state itself: it reads a record with :meth:`StateStore.get` and writes it
back with :meth:`StateStore.compare_and_set`, which succeeds only if nobody wrote the record in
between. That one primitive makes every check-and-write atomic, in memory today and in a shared
store (Redis ``WATCH``/``MULTI``, SQL ``UPDATE ... WHERE revision = ?``) later, without touching
the fakes.

Values are JSON-like and treated as immutable: a fake builds a new value instead of editing
one it got from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Versioned:
    """A stored value and its revision; the revision changes on every write."""

    value: Any
    revision: int


@dataclass(frozen=True, slots=True)
class CollectionLimit:
    """Bounds on a collection: the oldest records are evicted past ``max_items`` or
    ``max_age_seconds`` (remembered keys: forgetting one is harmless); a new record past
    ``capacity`` is refused with :class:`CollectionFull` (drafts: evicting one would lose a
    client's write)."""

    max_items: int | None = None
    max_age_seconds: float | None = None
    capacity: int | None = None


class CollectionFull(Exception):
    """A new record was refused: ``collection`` holds ``capacity`` records already."""

    def __init__(self, collection: str, capacity: int) -> None:
        super().__init__(f"{collection} holds {capacity} records already")
        self.collection = collection
        self.capacity = capacity


class StoreUnavailable(Exception):
    """A shared store did not answer (Redis down, an SQLite file locked past its timeout):
    the request is answered 503, to be retried, not 500."""


class StateStore(Protocol):
    async def open(self) -> None:
        """Connect (a shared store) before the first request; the app's lifespan calls it."""
        ...

    async def close(self) -> None:
        """Release connections and files at shutdown."""
        ...

    async def claim_first_load(self) -> bool:
        """Whether the fixtures should load now: always for a store that starts empty; for a
        durable or shared one only the first start on it, decided atomically, so a restart or
        a second process does not wipe what is stored."""
        ...

    async def get(self, collection: str, key: str) -> Versioned | None:
        """The record, or ``None`` if there is none (or it was evicted)."""
        ...

    async def compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        """Write ``value`` (``None`` deletes) only if the record's revision is still
        ``expected_revision`` (``None``: only if no record exists). Returns the new record
        (for a delete, the deleted one), or ``None`` when someone else wrote first."""
        ...

    async def append(self, collection: str, records: dict[str, Any]) -> None:
        """Add ``records`` under keys nobody uses (a key in use keeps its record), in one
        round-trip where the store allows: the shared request journal writes its entries so.
        The collection's limits apply as to any new record; past a ``capacity`` it raises
        :class:`CollectionFull` (records before the refused one may be kept)."""
        ...

    async def list(self, collection: str) -> list[tuple[str, Versioned]]:
        """Every record of ``collection``, oldest first."""
        ...

    async def snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        """The values of ``collections``, as ``{collection: {key: value}}``, all as of one
        moment: a :meth:`restore` is seen whole or not at all."""
        ...

    async def restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        """Replace each collection named in ``snapshot`` with exactly those records, all at
        once: other readers see the old collections or the new ones, never a mix."""
        ...

    def set_limit(self, collection: str, limit: CollectionLimit) -> None:
        """Bound ``collection`` (remembered idempotency keys, for instance)."""
        ...
