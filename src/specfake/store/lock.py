"""``held(store, name)``: a lock every process on one store respects, built on compare-and-set.

Reload, reset and ``PUT /__specfake__/state`` each read the world and rewrite several
collections; on a shared store two workers doing so at once would interleave. The lock is one
record; it is a lease, so a worker killed while holding it blocks the others for
:data:`LEASE_SECONDS` at most, not forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from specfake.store.base import StateStore

COLLECTION = "__specfake_locks__"
LEASE_SECONDS = 60.0  # longer than the longest hold (a 100k-row PUT state takes seconds)
POLL_SECONDS = 0.02


@contextlib.asynccontextmanager
async def held(store: StateStore, name: str, lease: float = LEASE_SECONDS) -> AsyncIterator[None]:
    """Hold the lock ``name`` for the block; waits while another process holds it."""
    while True:
        record = await store.get(COLLECTION, name)
        if record is not None and record.value["until"] > time.time():
            await asyncio.sleep(POLL_SECONDS)
            continue
        expected = record.revision if record else None  # free, or a lapsed lease taken over
        until = {"until": time.time() + lease}
        taken = await store.compare_and_set(COLLECTION, name, expected, until)
        if taken is not None:
            break
    try:
        yield
    finally:
        await store.compare_and_set(COLLECTION, name, taken.revision, None)
