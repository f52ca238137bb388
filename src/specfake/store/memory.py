"""The in-memory :class:`~specfake.store.base.StateStore`: one process, no persistence.

Its methods never await, so on one event loop each call runs without interleaving; the
compare-and-set contract is what the fakes rely on, not that accident.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from specfake.store.base import CollectionLimit, Versioned

_Entry = tuple[Versioned, float]  # the record and when its key was first written


class MemoryStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._collections: dict[str, OrderedDict[str, _Entry]] = {}
        self._limits: dict[str, CollectionLimit] = {}
        self._revision = 0
        self._clock = clock

    def set_limit(self, collection: str, limit: CollectionLimit) -> None:
        self._limits[collection] = limit
        self._evict(collection)

    async def get(self, collection: str, key: str) -> Versioned | None:
        self._evict(collection)
        entry = self._collections.get(collection, {}).get(key)
        return entry[0] if entry else None

    async def compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        self._evict(collection)
        records = self._collections.setdefault(collection, OrderedDict())
        entry = records.get(key)
        current = entry[0].revision if entry else None
        if current != expected_revision:
            return None
        if value is None:
            if entry is None:
                return None
            del records[key]
            return entry[0]
        self._revision += 1
        record = Versioned(value, self._revision)
        records[key] = (record, entry[1] if entry else self._clock())
        if entry is None:
            self._evict(collection)
        return record

    async def list(self, collection: str) -> list[tuple[str, Versioned]]:
        self._evict(collection)
        return [(key, entry[0]) for key, entry in self._collections.get(collection, {}).items()]

    async def snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        return {
            name: {key: record.value for key, record in await self.list(name)}
            for name in collections
        }

    async def restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        now = self._clock()
        for collection, values in snapshot.items():
            records: OrderedDict[str, _Entry] = OrderedDict()
            for key, value in values.items():
                self._revision += 1
                records[key] = (Versioned(value, self._revision), now)
            self._collections[collection] = records
            self._evict(collection)

    def _evict(self, collection: str) -> None:
        limit = self._limits.get(collection)
        records = self._collections.get(collection)
        if limit is None or not records:
            return
        if limit.max_items is not None:
            while len(records) > limit.max_items:
                records.popitem(last=False)
        if limit.max_age_seconds is not None:
            oldest_allowed = self._clock() - limit.max_age_seconds
            while records and next(iter(records.values()))[1] < oldest_allowed:
                records.popitem(last=False)
