"""The store lock (``store/lock.py``) on the stores processes share: two holders on separate
connections never overlap, and a lease a killed process left behind lapses."""

from __future__ import annotations

import asyncio
import time

from specfake.store import open_store
from specfake.store.lock import COLLECTION, held


def test_two_connections_take_the_lock_one_after_the_other(shared_url, run):
    events: list[str] = []

    async def hold(store, name: str) -> None:
        async with held(store, "world"):
            events.append(f"{name} in")
            await asyncio.sleep(0.1)
            events.append(f"{name} out")

    async def race():
        stores = [open_store(shared_url), open_store(shared_url)]
        await asyncio.gather(*(hold(store, str(n)) for n, store in enumerate(stores)))
        for store in stores:
            await store.close()

    run(race())
    assert events in (["0 in", "0 out", "1 in", "1 out"], ["1 in", "1 out", "0 in", "0 out"])


def test_a_lease_left_by_a_killed_holder_lapses(shared_url, run):
    async def take_over() -> float:
        store = open_store(shared_url)
        # What a holder killed inside the block leaves: the lock taken, never given back.
        await store.compare_and_set(COLLECTION, "world", None, {"until": time.time() + 0.3})
        started = time.monotonic()
        async with held(store, "world"):
            waited = time.monotonic() - started
        await store.close()
        return waited

    assert 0.2 < run(take_over()) < 2
