"""One suite for the StateStore interface, run against every implementation: memory, SQLite,
and a real redis-server (tests/redis_server.py; never a fake Redis)."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from typing import Any

import pytest

from specfake.store import CollectionFull, CollectionLimit, open_store
from specfake.store.redis import RedisStore


def test_get_of_a_missing_key_is_none(store, run):
    assert run(store.get("things", "x")) is None


def test_create_only_if_absent(store, run):
    created = run(store.compare_and_set("things", "a", None, {"v": 1}))
    assert created.value == {"v": 1}
    assert run(store.compare_and_set("things", "a", None, {"v": 2})) is None
    assert run(store.get("things", "a")).value == {"v": 1}


def test_write_needs_the_current_revision(store, run):
    first = run(store.compare_and_set("things", "a", None, 1))
    second = run(store.compare_and_set("things", "a", first.revision, 2))
    assert second.revision != first.revision
    assert run(store.compare_and_set("things", "a", first.revision, 3)) is None
    assert run(store.get("things", "a")) == second


def test_delete_with_none(store, run):
    record = run(store.compare_and_set("things", "a", None, 1))
    assert run(store.compare_and_set("things", "a", record.revision + 1, None)) is None
    assert run(store.compare_and_set("things", "a", record.revision, None)).value == 1
    assert run(store.get("things", "a")) is None
    assert run(store.compare_and_set("things", "a", None, None)) is None  # nothing to delete


def test_values_round_trip(store, run):
    value = {"text": "ünïcode ✓", "list": [1, 2.5, None, True], "nested": {"a": {"b": []}}}
    run(store.compare_and_set("things", "a", None, value))
    assert run(store.get("things", "a")).value == value


def test_only_one_of_many_concurrent_writers_wins(store, run):
    record = run(store.compare_and_set("things", "a", None, 0))

    async def race():
        return await asyncio.gather(
            *(store.compare_and_set("things", "a", record.revision, n) for n in range(50))
        )

    results = run(race())
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert run(store.get("things", "a")) == winners[0]


def test_list_snapshot_and_restore(store, run):
    run(store.compare_and_set("things", "a", None, 1))
    run(store.compare_and_set("things", "b", None, 2))
    assert [key for key, _ in run(store.list("things"))] == ["a", "b"]
    snapshot = run(store.snapshot(["things", "empty"]))
    assert snapshot == {"things": {"a": 1, "b": 2}, "empty": {}}
    run(store.restore({"things": {"c": 3}}))
    assert run(store.snapshot(["things"])) == {"things": {"c": 3}}


def test_restore_replaces_only_the_collections_it_names(store, run):
    run(store.compare_and_set("one", "a", None, 1))
    run(store.compare_and_set("two", "b", None, 2))
    run(store.compare_and_set("three", "c", None, 3))
    run(store.restore({"one": {"x": 10, "y": 11}, "two": {}}))
    assert run(store.snapshot(["one", "two", "three"])) == {
        "one": {"x": 10, "y": 11}, "two": {}, "three": {"c": 3}}  # fmt: skip
    restored = run(store.get("one", "x"))
    updated = run(store.compare_and_set("one", "x", restored.revision, 12))
    assert updated is not None and updated.revision != restored.revision


def test_a_snapshot_never_sees_half_a_restore(store, run):
    """Restores replace two collections together while snapshots read them: every snapshot
    sees both from one restore."""
    rounds = 30

    async def race():
        await store.restore({"left": {"k": 0}, "right": {"k": 0}})
        seen = []

        async def restores():
            for number in range(1, rounds + 1):
                rows = {f"k{n}": number for n in range(20)}
                await store.restore({"left": rows, "right": rows})

        async def snapshots():
            for _ in range(rounds):
                seen.append(await store.snapshot(["left", "right"]))
                await asyncio.sleep(0)

        await asyncio.gather(restores(), snapshots())
        return seen

    for snapshot in run(race()):
        assert snapshot["left"] == snapshot["right"]


def test_collections_are_independent(store, run):
    run(store.compare_and_set("one", "k", None, 1))
    assert run(store.get("two", "k")) is None


def test_separators_in_names_do_not_make_two_records_one(store, run):
    run(store.compare_and_set("a", "b:c", None, "first"))
    run(store.compare_and_set("a:b", "c", None, "second"))
    assert run(store.get("a", "b:c")).value == "first"
    assert run(store.get("a:b", "c")).value == "second"
    run(store.restore({"a:b": {}}))
    assert run(store.get("a", "b:c")).value == "first"


def test_limit_by_count_evicts_oldest(store, run):
    store.set_limit("keys", CollectionLimit(max_items=3))
    for n in range(5):
        run(store.compare_and_set("keys", f"k{n}", None, n))
    assert [key for key, _ in run(store.list("keys"))] == ["k2", "k3", "k4"]
    assert run(store.get("keys", "k1")) is None


def test_limit_by_count_applies_to_restored_records(store, run):
    store.set_limit("keys", CollectionLimit(max_items=2))
    run(store.restore({"keys": {"a": 1, "b": 2, "c": 3}}))
    assert [key for key, _ in run(store.list("keys"))] == ["b", "c"]


def test_limit_by_age_evicts_expired(clock_and_store, run):
    clock, store = clock_and_store
    store.set_limit("keys", CollectionLimit(max_age_seconds=60))
    run(store.compare_and_set("keys", "old", None, 1))
    clock.now += 30
    run(store.compare_and_set("keys", "new", None, 2))
    clock.now += 31
    assert run(store.get("keys", "old")) is None
    assert run(store.get("keys", "new")).value == 2
    assert [key for key, _ in run(store.list("keys"))] == ["new"]
    assert run(store.compare_and_set("keys", "old", None, 3)).value == 3  # free again


def test_updates_do_not_extend_age(clock_and_store, run):
    clock, store = clock_and_store
    store.set_limit("keys", CollectionLimit(max_age_seconds=60))
    record = run(store.compare_and_set("keys", "k", None, 1))
    clock.now += 50
    run(store.compare_and_set("keys", "k", record.revision, 2))
    clock.now += 11
    assert run(store.get("keys", "k")) is None


def test_capacity_refuses_a_new_record_but_not_an_update(store, run):
    store.set_limit("drafts", CollectionLimit(capacity=2))
    first = run(store.compare_and_set("drafts", "a", None, 1))
    run(store.compare_and_set("drafts", "b", None, 2))
    with pytest.raises(CollectionFull) as refused:
        run(store.compare_and_set("drafts", "c", None, 3))
    assert (refused.value.collection, refused.value.capacity) == ("drafts", 2)
    assert run(store.compare_and_set("drafts", "a", first.revision, 10)).value == 10
    assert run(store.compare_and_set("drafts", "b", None, 5)) is None  # a conflict, not full
    deleted = run(store.get("drafts", "b"))
    run(store.compare_and_set("drafts", "b", deleted.revision, None))
    assert run(store.compare_and_set("drafts", "c", None, 3)).value == 3
    assert run(store.snapshot(["drafts"])) == {"drafts": {"a": 10, "c": 3}}


def test_append_adds_new_records_and_leaves_existing_ones(store, run):
    kept = run(store.compare_and_set("log", "b", None, "first"))
    run(store.append("log", {"a": 1, "b": "second", "c": 3}))
    assert run(store.get("log", "b")) == kept
    assert run(store.snapshot(["log"])) == {"log": {"b": "first", "a": 1, "c": 3}}
    run(store.append("log", {}))
    revisions = {record.revision for _, record in run(store.list("log"))}
    assert len(revisions) == 3


def test_append_keeps_the_collections_limits(store, run):
    store.set_limit("log", CollectionLimit(max_items=3))
    run(store.append("log", {f"k{n}": n for n in range(5)}))
    assert [key for key, _ in run(store.list("log"))] == ["k2", "k3", "k4"]
    store.set_limit("full", CollectionLimit(capacity=2))
    with pytest.raises(CollectionFull):
        run(store.append("full", {"a": 1, "b": 2, "c": 3}))


# -- stores several processes share --------------------------------------------------------


def test_first_load_is_claimed_once(shared_url, run):
    async def claims():
        stores = [open_store(shared_url) for _ in range(3)]
        for store in stores:
            await store.open()
        claimed = await asyncio.gather(*(store.claim_first_load() for store in stores))
        for store in stores:
            await store.close()
        return claimed

    assert sorted(run(claims())) == [False, False, True]


def test_writers_on_separate_connections_have_exactly_one_winner(shared_url, run):
    """Two stores on one file or server, each with its own connections, really interleave."""
    first, second = open_store(shared_url), open_store(shared_url)

    async def race():
        record = await first.compare_and_set("things", "a", None, 0)
        writers = [store.compare_and_set("things", "a", record.revision, n)
                   for n in range(25) for store in (first, second)]  # fmt: skip
        results = await asyncio.gather(*writers)
        await first.close()
        await second.close()
        return results

    results = run(race())
    assert sum(result is not None for result in results) == 1


PROCESSES = 4
INCREMENTS = 20


def _increment(url: str, start: Any, times: int) -> list[int]:
    """In a process of its own: add 1 to record ``counter`` ``times`` times, each a read and a
    compare-and-set retried on conflict; the revisions this process's writes created."""

    async def increments() -> list[int]:
        store = open_store(url)
        await store.open()
        won = []
        start.wait()
        while len(won) < times:
            record = await store.get("things", "counter")
            written = await store.compare_and_set("things", "counter", record.revision,
                                                  record.value + 1)  # fmt: skip
            if written is not None:
                won.append(written.revision)
        await store.close()
        return won

    return asyncio.run(increments())


def test_processes_racing_on_one_record_have_one_winner_per_revision(shared_url, run):
    """Several processes read-modify-write one record at once: no write is lost, and no two
    writes claim the same revision."""

    async def create():
        store = open_store(shared_url)
        await store.open()
        await store.compare_and_set("things", "counter", None, 0)
        await store.close()

    run(create())
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(PROCESSES) as pool:
            pending = [pool.apply_async(_increment, (shared_url, start, INCREMENTS))
                       for _ in range(PROCESSES)]  # fmt: skip
            start.set()
            revisions = [revision for result in pending for revision in result.get(timeout=120)]

    async def final():
        store = open_store(shared_url)
        await store.open()
        record = await store.get("things", "counter")
        await store.close()
        return record

    assert len(revisions) == len(set(revisions)) == PROCESSES * INCREMENTS
    assert run(final()).value == PROCESSES * INCREMENTS


def test_redis_prefixes_keep_two_servers_apart(redis_url, run):
    async def check():
        one = open_store(f"{redis_url}/0?prefix=one-{uuid.uuid4().hex}:")
        two = open_store(f"{redis_url}/0?prefix=two-{uuid.uuid4().hex}:")
        await one.compare_and_set("things", "a", None, 1)
        seen = await two.get("things", "a"), await two.snapshot(["things"])
        claims = await one.claim_first_load(), await two.claim_first_load()
        await one.close()
        await two.close()
        return seen, claims

    assert run(check()) == ((None, {"things": {}}), (True, True))


def test_redis_idempotency_keys_get_a_redis_ttl(redis_url, run):
    """Keys bounded by age are forgotten by Redis itself too, even if nothing writes again."""
    import redis.asyncio as redis

    store = RedisStore(f"{redis_url}/0", prefix=f"test-{uuid.uuid4().hex}:")
    store.set_limit("keys", CollectionLimit(max_age_seconds=3600))

    async def ttl():
        await store.compare_and_set("keys", "k", None, {"state": "done"})
        client = redis.Redis.from_url(f"{redis_url}/0")
        seconds = await client.ttl(f"{store.prefix}rec:keys:k")
        await client.aclose()
        await store.close()
        return seconds

    assert 3590 < run(ttl()) <= 3600


def test_a_limit_set_after_a_collection_was_used_applies(store, run):
    """Stores work out a collection's limits once (Redis: as script arguments): a later
    ``set_limit`` must still count."""
    run(store.compare_and_set("late", "a", None, 1))
    store.set_limit("late", CollectionLimit(capacity=1))
    with pytest.raises(CollectionFull):
        run(store.compare_and_set("late", "b", None, 2))
