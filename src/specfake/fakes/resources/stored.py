"""One resource's collections in the store: its records, the tombstones of deleted ones, the
counter integer ids come from, and its idempotency keys.

Every change is a compare-and-set, so it stays atomic on a shared store. A delete writes the
tombstone before it removes the record, so no reader ever sees the record gone and not yet
buried (a spec without a documented 404 would answer its example then).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from specfake.config import ServerConfig
from specfake.fakes.idempotency import IdempotencyKeys
from specfake.fakes.resources.plan import Resource
from specfake.fakes.resources.state import key_parts
from specfake.store.base import CollectionLimit, StateStore, Versioned

TOMBSTONES = CollectionLimit(max_items=10_000)
KEYS = CollectionLimit(max_items=10_000, max_age_seconds=24 * 3600)
_COUNTER = "next"
_MAX_ATTEMPTS = 8  # compare-and-sets lost to concurrent writers before giving up


class Exhausted(Exception):
    """Other writers kept winning the compare-and-set: the caller answers 409, retry."""


class StoredResource:
    """The store collections of ``resource``."""

    def __init__(self, store: StateStore, resource: Resource, config: ServerConfig) -> None:
        self.resource = resource
        self.records = resource.name
        self.tombstones = f"{resource.name}#deleted"
        self.counter = f"{resource.name}#ids"
        self._store = store
        store.set_limit(self.tombstones, TOMBSTONES)
        # Bounded: past it a create is a 507, never an eviction (that would lose a write).
        store.set_limit(self.records, CollectionLimit(capacity=config.max_records))
        self.keys = IdempotencyKeys(
            store, f"{resource.name}#keys", KEYS,
            lease_seconds=config.idempotency_lease_seconds,  # a killed worker's key comes back
        )  # fmt: skip

    def cleared(self) -> dict[str, dict[str, Any]]:
        """What a load of this resource's section empties besides the records: tombstones,
        the id counter, remembered idempotency keys (a reset forgets them all)."""
        return {self.tombstones: {}, self.counter: {}, self.keys.collection: {}}

    def get(self, key: str) -> Awaitable[Versioned | None]:
        """The stored record of ``key``: the store's own awaitable, not one more coroutine
        around it (every read and write of a record looks it up first)."""
        return self._store.get(self.records, key)

    async def is_buried(self, key: str) -> bool:
        return await self._store.get(self.tombstones, key) is not None

    async def insert(self, key: str, record: Any) -> bool:
        """Store a new record under ``key`` (``False`` when one is there), its tombstone gone."""
        if await self._store.compare_and_set(self.records, key, None, record) is None:
            return False
        tombstone = await self._store.get(self.tombstones, key)
        if tombstone is not None:
            await self._store.compare_and_set(self.tombstones, key, tombstone.revision, None)
        return True

    async def replace(self, key: str, revision: int | None, record: Any) -> bool:
        """Write ``record`` if the stored one is still at ``revision`` (``None``: none is)."""
        return await self._store.compare_and_set(self.records, key, revision, record) is not None

    async def bury(self, key: str) -> None:
        """A tombstone for ``key``."""
        if not await self.is_buried(key):
            await self._store.compare_and_set(self.tombstones, key, None, True)

    async def remove(self, key: str, revision: int) -> bool:
        """Bury ``key``, then delete its record if still at ``revision``."""
        await self.bury(key)
        return await self._store.compare_and_set(self.records, key, revision, None) is not None

    async def next_integer(self) -> int:
        """The next integer id: one above the last one handed out, and above every stored
        one (fixtures and PUT state may hold any), so an id is never given twice."""
        for _ in range(_MAX_ATTEMPTS):
            counter = await self._store.get(self.counter, _COUNTER)
            if counter is None:
                stored = [record.value.get(self.resource.id_field)
                          for _, record in await self._store.list(self.records)]  # fmt: skip
                last = max((v for v in stored if isinstance(v, int)), default=0)
            else:
                last = counter.value
            revision = counter.revision if counter is not None else None
            if await self._store.compare_and_set(self.counter, _COUNTER, revision, last + 1):
                return int(last + 1)
        raise Exhausted()

    async def children_of(self, child: StoredResource, key: str) -> list[tuple[str, Versioned]]:
        """The records of the nested resource ``child`` under this resource's record ``key``."""
        ids = key_parts(self.resource, key)
        return [
            (child_key, record)
            for child_key, record in await self._store.list(child.records)
            if key_parts(child.resource, child_key)[:-1] == ids
        ]
