"""The memory store's own shortcuts against plain versions (the contract suite covers its
interface): values packed when their record leaves the hot set, against packing every write;
limits sorted once in ``set_limit``, against reading the limit every call."""

from __future__ import annotations

import asyncio
import datetime
import random
from collections import OrderedDict
from typing import Any

from specfake.store import CollectionLimit, MemoryStore
from specfake.store.memory import COMPRESS_WRITES_FROM, _Entry

HOT = 4  # a small hot set, so random operations move records in and out of it all the time


def _random_value(rng: random.Random) -> Any:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.randrange(1000)
    if kind == 1:
        return b"raw bytes %d" % rng.randrange(1000)  # must not be mistaken for marshal bytes
    if kind == 2:
        return {"big": "x" * rng.randrange(COMPRESS_WRITES_FROM, 3 * COMPRESS_WRITES_FROM)}
    if kind == 3:
        return datetime.date(2026, 1, 1 + rng.randrange(28))  # marshal cannot hold it
    return {"name": f"n{rng.randrange(1000)}", "tags": [rng.randrange(9) for _ in range(3)]}


def _check_entries(store: MemoryStore, written: dict[tuple[str, str], Any]) -> None:
    """Every entry is what packing at write time gave, or pending with its record hot."""
    pending = 0
    for collection, records in store._collections.items():
        for key, entry in records.items():
            value = written[collection, key]
            if entry.pending:
                pending += 1
                assert (collection, key) in store._hot
                assert entry.data is value
            else:
                eager = _Entry.packed(value, entry.revision, entry.written, COMPRESS_WRITES_FROM)
                assert entry == eager
    assert pending <= HOT  # the memory bound: at most the hot set's records are unpacked


async def _random_run(seed: int) -> None:
    rng = random.Random(seed)
    store = MemoryStore(hot_records=HOT)
    model: dict[str, OrderedDict[str, tuple[Any, int]]] = {"a": OrderedDict(), "b": OrderedDict()}
    written: dict[tuple[str, str], Any] = {}
    for _ in range(300):
        collection = rng.choice("ab")
        key = f"k{rng.randrange(12)}"
        held = model[collection].get(key)
        action = rng.randrange(5)
        if action == 0:
            got = await store.get(collection, key)
            assert (got and (got.value, got.revision)) == (held or None)
        elif action == 1:
            listed = await store.list(collection)
            assert [(k, r.value, r.revision) for k, r in listed] == [
                (k, v, r) for k, (v, r) in model[collection].items()
            ]
        elif action == 2 and held is not None:
            deleted = await store.compare_and_set(collection, key, held[1], None)
            assert deleted is not None and (deleted.value, deleted.revision) == held
            del model[collection][key]
        elif action == 3:
            records = {f"k{rng.randrange(12)}": _random_value(rng) for _ in range(3)}
            await store.append(collection, records)
            for new_key, value in records.items():
                if new_key not in model[collection]:
                    record = await store.get(collection, new_key)
                    assert record is not None and record.value == value
                    model[collection][new_key] = (value, record.revision)
                    written[collection, new_key] = value
        else:
            value = _random_value(rng)
            record = await store.compare_and_set(collection, key, held and held[1], value)
            assert record is not None and record.value is value
            model[collection][key] = (value, record.revision)
            written[collection, key] = value
        _check_entries(store, written)


def test_packing_on_leaving_the_hot_set_keeps_what_packing_every_write_kept():
    for seed in range(40):
        asyncio.run(_random_run(seed))


def test_a_record_packed_after_leaving_the_hot_set_reads_back_equal():
    store = MemoryStore(hot_records=1)
    big = {"form_state": "y" * (2 * COMPRESS_WRITES_FROM)}

    async def write_then_push_out() -> Any:
        await store.compare_and_set("drafts", "d", None, big)
        await store.compare_and_set("drafts", "other", None, 1)  # pushes "d" out of the hot set
        return await store.get("drafts", "d")

    record = asyncio.run(write_then_push_out())
    entry = store._collections["drafts"]["d"]
    assert entry.compressed and not entry.pending
    assert record is not None and record.value == big and record.value is not big


def kept_after_writing(store: MemoryStore, count: int) -> list[str]:
    """The keys ``keys`` holds after ``k0`` ... ``k{count - 1}`` are written to it."""

    async def fill() -> list[str]:
        for n in range(count):
            await store.compare_and_set("keys", f"k{n}", None, n)
        return [key for key, _ in await store.list("keys")]

    return asyncio.run(fill())


def test_a_limit_replaced_by_a_capacity_only_limit_stops_evicting():
    store = MemoryStore()
    store.set_limit("keys", CollectionLimit(max_items=2))
    store.set_limit("keys", CollectionLimit(capacity=10))
    assert kept_after_writing(store, 5) == ["k0", "k1", "k2", "k3", "k4"]
    assert "keys" not in store._evicting and store._capacities == {"keys": 10}


def test_a_capacity_replaced_by_an_eviction_limit_stops_refusing():
    store = MemoryStore()
    store.set_limit("keys", CollectionLimit(capacity=1))
    store.set_limit("keys", CollectionLimit(max_items=2))
    assert kept_after_writing(store, 4) == ["k2", "k3"]
    assert store._capacities == {}
