"""The in-memory :class:`~specfake.store.base.StateStore`: one process, no persistence.

Its methods never await (but ``restore``, between chunks, before it swaps the new records in),
so on one event loop each call runs without interleaving; the compare-and-set contract is what
the fakes rely on, not that accident.

Values are kept marshalled, large ones compressed: a pathway row loaded with ``restore`` takes
~0.6 KB instead of ~2.2 KB of dicts and strings, a remembered idempotency key with a draft's
whole answer ~1.3 KB instead of ~3 KB (bench/RESULTS.md, "Memory"). The most recently used
records are also kept decoded, so a record in use costs no decoding; a value written is packed
only when its record leaves that hot set, so a record rewritten while in use costs no encoding
either. A value ``marshal`` cannot hold (a ``datetime`` from a YAML fixture, say) is kept as it
is.
"""

from __future__ import annotations

import asyncio
import marshal
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specfake.store.base import CollectionFull, CollectionLimit, Versioned

HOT_RECORDS = 1024  # how many recently used records are also kept decoded
RESTORE_CHUNK = 1000  # records packed by ``restore`` between two chances for other requests
# Marshalled values of at least this many bytes are compressed (zlib level 1) when a written
# record leaves the hot set: a remembered answer with a draft's form_state shrinks to ~60% for
# ~45 µs. Smaller rows, which requests read and rewrite all the time, are only compressed when
# ``restore`` loads them.
COMPRESS_WRITES_FROM = 1024
COMPRESS_RESTORED_FROM = 256


@dataclass(slots=True)
class _Entry:
    """A stored value: its marshal bytes (zlib-compressed if ``compressed``), or the value
    itself when marshal cannot hold it or while it is ``pending``; its revision; when its key
    was first written."""

    data: Any
    revision: int
    written: float  # for CollectionLimit.max_age_seconds
    compressed: bool = False
    # A written value stays as it is while its record is hot (the hot record holds the same
    # object, so this costs no memory) and is packed when the record leaves the hot set: a
    # record rewritten or deleted while hot is never marshalled.
    pending: bool = False

    @classmethod
    def packed(cls, value: Any, revision: int, written: float, compress_from: int) -> _Entry:
        entry = cls(value, revision, written, pending=True)
        entry.pack(compress_from)
        return entry

    def pack(self, compress_from: int) -> None:
        """Turn a pending value into its marshal bytes, compressed if they are that long."""
        self.pending = False
        try:
            data = marshal.dumps(self.data)
        except ValueError:  # not plain data: kept as it is
            return
        if len(data) >= compress_from:
            self.data, self.compressed = zlib.compress(data, 1), True
        else:
            self.data = data

    def value(self) -> Any:
        if self.pending:
            return self.data
        if self.compressed:
            return marshal.loads(zlib.decompress(self.data))
        # Values are never bytes themselves: a bytes value is marshalled like any other.
        return marshal.loads(self.data) if isinstance(self.data, bytes) else self.data


class MemoryStore:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, hot_records: int = HOT_RECORDS
    ) -> None:
        self._collections: dict[str, OrderedDict[str, _Entry]] = {}
        # set_limit sorts each collection's limit once: the ones that evict (looked up before
        # every call) and the capacities (checked before a new record); a collection in neither
        # costs its calls no limit work.
        self._evicting: dict[str, CollectionLimit] = {}
        self._capacities: dict[str, int] = {}
        self._hot: OrderedDict[tuple[str, str], Versioned] = OrderedDict()
        self._hot_records = hot_records
        self._revision = 0
        self._clock = clock

    async def open(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to release: the state goes with the process."""

    async def claim_first_load(self) -> bool:
        return True  # it starts empty every time

    def set_limit(self, collection: str, limit: CollectionLimit) -> None:
        # Only remembered: every read and write evicts first. (A reload builds its fakes, which
        # set their limits, in a worker thread; single dict assignments are safe there.)
        if limit.max_items is not None or limit.max_age_seconds is not None:
            self._evicting[collection] = limit
        else:
            self._evicting.pop(collection, None)
        if limit.capacity is not None:
            self._capacities[collection] = limit.capacity
        else:
            self._capacities.pop(collection, None)

    async def get(self, collection: str, key: str) -> Versioned | None:
        if collection in self._evicting:
            self._evict(collection)
        entry = self._collections.get(collection, {}).get(key)
        return None if entry is None else self._record(collection, key, entry)

    async def compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        return self._compare_and_set(collection, key, expected_revision, value)

    async def append(self, collection: str, records: dict[str, Any]) -> None:
        for key, value in records.items():
            self._compare_and_set(collection, key, None, value)

    def _compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        """``compare_and_set`` without a coroutine: it never awaits, and ``append`` calls it
        once per record."""
        evicting = collection in self._evicting
        if evicting:
            self._evict(collection)
        records = self._collections.get(collection)
        if records is None:  # (not setdefault: that would build an OrderedDict every call)
            records = self._collections[collection] = OrderedDict()
        entry = records.get(key)
        current = entry.revision if entry else None
        if current != expected_revision:
            return None
        if value is None:
            if entry is None:
                return None
            deleted = self._record(collection, key, entry, keep=False)
            del records[key]
            self._hot.pop((collection, key), None)
            return deleted
        if entry is None:
            capacity = self._capacities.get(collection)
            if capacity is not None and len(records) >= capacity:
                raise CollectionFull(collection, capacity)
        self._revision += 1
        record = Versioned(value, self._revision)
        written = entry.written if entry else self._clock()
        records[key] = _Entry(value, self._revision, written, pending=True)
        if entry is None:
            self._keep_new((collection, key), record)
            if evicting:
                self._evict(collection)
        else:
            self._keep((collection, key), record)
        return record

    async def list(self, collection: str) -> list[tuple[str, Versioned]]:
        if collection in self._evicting:
            self._evict(collection)
        records = self._collections.get(collection, {})
        return [
            (key, self._record(collection, key, entry, keep=False))
            for key, entry in records.items()
        ]

    async def snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        return {
            name: {key: record.value for key, record in await self.list(name)}
            for name in collections
        }

    async def restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        """Pack the new records a chunk at a time, letting other requests run in between
        (100k rows take about a second), then swap every collection in at once: readers see
        the old state or the new one, never a part."""
        now = self._clock()
        packed: dict[str, OrderedDict[str, _Entry]] = {}
        for collection, values in snapshot.items():
            records: OrderedDict[str, _Entry] = OrderedDict()
            for count, (key, value) in enumerate(values.items(), 1):
                self._revision += 1
                entry = _Entry.packed(value, self._revision, now, COMPRESS_RESTORED_FROM)
                records[_own(key)] = entry
                if count % RESTORE_CHUNK == 0:
                    await asyncio.sleep(0)
            packed[collection] = records
        for collection, records in packed.items():
            self._collections[collection] = records
            for slot in [slot for slot in self._hot if slot[0] == collection]:
                del self._hot[slot]
            if collection in self._evicting:
                self._evict(collection)

    def _record(self, collection: str, key: str, entry: _Entry, keep: bool = True) -> Versioned:
        """``entry`` as a record: the decoded one while it is hot, else decoded now (and kept
        hot unless ``keep`` is false: a full listing would only push the hot records out)."""
        slot = (collection, key)
        record = self._hot.get(slot)
        if record is not None and record.revision == entry.revision:
            self._hot.move_to_end(slot)
            return record
        record = Versioned(entry.value(), entry.revision)
        if keep:
            self._keep(slot, record)
        return record

    def _keep(self, slot: tuple[str, str], record: Versioned) -> None:
        """Make ``record`` the most recently used hot record, in place of any older one."""
        self._hot.pop(slot, None)
        self._keep_new(slot, record)

    def _keep_new(self, slot: tuple[str, str], record: Versioned) -> None:
        """Add the record of a new key: none of its slot is hot (a delete or an eviction
        takes its key's slot out), so one assignment puts it last."""
        self._hot[slot] = record
        if len(self._hot) > self._hot_records:
            self._leave_hot_set(*self._hot.popitem(last=False)[0])

    def _leave_hot_set(self, collection: str, key: str) -> None:
        """Pack the value of a record that just left the hot set, if it was written while hot
        (the invariant: a pending entry's record is hot)."""
        entry = self._collections[collection][key]
        if entry.pending:
            entry.pack(COMPRESS_WRITES_FROM)

    def _evict(self, collection: str) -> None:
        """Apply ``collection``'s limit (looked up again: a reload's thread may have just
        replaced it)."""
        limit = self._evicting.get(collection)
        records = self._collections.get(collection)
        if limit is None or not records:
            return
        if limit.max_items is not None:
            while len(records) > limit.max_items:
                self._evict_oldest(collection, records)
        if limit.max_age_seconds is not None:
            oldest_allowed = self._clock() - limit.max_age_seconds
            while records and next(iter(records.values())).written < oldest_allowed:
                self._evict_oldest(collection, records)

    def _evict_oldest(self, collection: str, records: OrderedDict[str, _Entry]) -> None:
        key, _ = records.popitem(last=False)
        self._hot.pop((collection, key), None)


def _own(key: str) -> str:
    """A new string equal to ``key``.

    A snapshot's keys come from a parsed request or fixture file, among thousands of objects
    that are freed when it is done; keeping those key objects would pin their memory pages
    (pymalloc arenas), so a 50 MB ``PUT /__specfake__/state`` would keep ~200 MB resident.
    """
    return "".join((key, ""))  # join builds a new string for two or more parts
