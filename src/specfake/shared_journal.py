"""The request journal shared through the store, so the control API and dashboard of any
worker (``serve --workers N``) or replica on one store list every process's requests.

A request never waits for it: each process gathers its entries and writes them in the
background a moment later (:data:`FLUSH_SECONDS`), one record per entry, in a collection
bounded to the journal's size (the store evicts the oldest written, so the bound keeps the
newest requests give or take those moments). Reading first writes what this
process still holds, then lists the collection, ordered by when each request came.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

from specfake.journal import JournalEntry
from specfake.store.base import CollectionLimit, StateStore, StoreUnavailable

logger = logging.getLogger("specfake")
COLLECTION = "__specfake_journal__"  # a collection no fake names
FLUSH_SECONDS = 0.05


class SharedJournal:
    def __init__(self, store: StateStore, size: int) -> None:
        self._store = store
        self._size = size
        self._pending: list[JournalEntry] = []
        self._flushing: asyncio.Task[None] | None = None
        self._numbers = itertools.count()
        store.set_limit(COLLECTION, CollectionLimit(max_items=size))

    def add(self, entry: JournalEntry) -> None:
        """Queue ``entry``; it reaches the store within :data:`FLUSH_SECONDS`. While the store
        does not answer, at most the journal's size is kept waiting."""
        self._pending.append(entry)
        if len(self._pending) > self._size:
            del self._pending[0]
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        self._flushing = None
        await self.flush()

    async def flush(self) -> None:
        """Write the queued entries now, in one :meth:`StateStore.append`."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            await self._store.append(COLLECTION, {self._key(e): e.to_record() for e in batch})
        except StoreUnavailable as error:
            logger.warning("%d journal entries not shared: %s", len(batch), error)

    def _key(self, entry: JournalEntry) -> str:
        """Unique across processes: the time, this process, a count."""
        return f"{entry.time:.6f}-{os.getpid()}-{next(self._numbers)}"

    async def entries(self) -> list[JournalEntry]:
        """The last requests of every process on the store, oldest first."""
        await self.flush()
        rows = await self._store.list(COLLECTION)
        entries = sorted((JournalEntry.from_record(record.value) for _, record in rows),
                         key=lambda entry: entry.time)  # fmt: skip
        return entries[-self._size :]

    async def clear(self) -> None:
        self._pending.clear()
        await self._store.restore({COLLECTION: {}})

    async def close(self) -> None:
        """Write what is still queued (at shutdown, before the store closes)."""
        if self._flushing is not None:
            self._flushing.cancel()
            self._flushing = None
        await self.flush()
