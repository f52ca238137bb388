"""One suite for the StateStore interface, run against every implementation."""

import asyncio

import pytest

from specfake.store import CollectionLimit, MemoryStore
from specfake.store.sqlite import SqliteStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def memory_store(clock, tmp_path):
    return MemoryStore(clock=clock)


def sqlite_store(clock, tmp_path):
    return SqliteStore(tmp_path / "state.db", clock=clock)


IMPLEMENTATIONS = [memory_store, sqlite_store]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda factory: factory.__name__)
def clock_and_store(request, tmp_path):
    clock = FakeClock()
    store = request.param(clock, tmp_path)
    yield clock, store
    asyncio.run(store.close())


@pytest.fixture
def store(clock_and_store):
    return clock_and_store[1]


def run(coroutine):
    return asyncio.run(coroutine)


def test_get_of_a_missing_key_is_none(store):
    assert run(store.get("things", "x")) is None


def test_create_only_if_absent(store):
    created = run(store.compare_and_set("things", "a", None, {"v": 1}))
    assert created.value == {"v": 1}
    assert run(store.compare_and_set("things", "a", None, {"v": 2})) is None
    assert run(store.get("things", "a")).value == {"v": 1}


def test_write_needs_the_current_revision(store):
    first = run(store.compare_and_set("things", "a", None, 1))
    second = run(store.compare_and_set("things", "a", first.revision, 2))
    assert second.revision != first.revision
    assert run(store.compare_and_set("things", "a", first.revision, 3)) is None
    assert run(store.get("things", "a")).value == 2


def test_delete_with_none(store):
    record = run(store.compare_and_set("things", "a", None, 1))
    assert run(store.compare_and_set("things", "a", record.revision, None)).value == 1
    assert run(store.get("things", "a")) is None


def test_only_one_of_many_concurrent_writers_wins(store):
    record = run(store.compare_and_set("things", "a", None, 0))

    async def race():
        return await asyncio.gather(
            *(store.compare_and_set("things", "a", record.revision, n) for n in range(50))
        )

    results = run(race())
    assert sum(result is not None for result in results) == 1


def test_list_snapshot_and_restore(store):
    run(store.compare_and_set("things", "a", None, 1))
    run(store.compare_and_set("things", "b", None, 2))
    assert [key for key, _ in run(store.list("things"))] == ["a", "b"]
    snapshot = run(store.snapshot(["things", "empty"]))
    assert snapshot == {"things": {"a": 1, "b": 2}, "empty": {}}
    run(store.restore({"things": {"c": 3}}))
    assert run(store.snapshot(["things"])) == {"things": {"c": 3}}


def test_collections_are_independent(store):
    run(store.compare_and_set("one", "k", None, 1))
    assert run(store.get("two", "k")) is None


def test_limit_by_count_evicts_oldest(store):
    store.set_limit("keys", CollectionLimit(max_items=3))
    for n in range(5):
        run(store.compare_and_set("keys", f"k{n}", None, n))
    assert [key for key, _ in run(store.list("keys"))] == ["k2", "k3", "k4"]


def test_limit_by_age_evicts_expired(clock_and_store):
    clock, store = clock_and_store
    store.set_limit("keys", CollectionLimit(max_age_seconds=60))
    run(store.compare_and_set("keys", "old", None, 1))
    clock.now += 30
    run(store.compare_and_set("keys", "new", None, 2))
    clock.now += 31
    assert run(store.get("keys", "old")) is None
    assert run(store.get("keys", "new")).value == 2


def test_updates_do_not_extend_age(clock_and_store):
    clock, store = clock_and_store
    store.set_limit("keys", CollectionLimit(max_age_seconds=60))
    record = run(store.compare_and_set("keys", "k", None, 1))
    clock.now += 50
    run(store.compare_and_set("keys", "k", record.revision, 2))
    clock.now += 11
    assert run(store.get("keys", "k")) is None


def test_sqlite_writers_on_separate_connections_have_exactly_one_winner(tmp_path):
    """Two stores on one file, each with its own connection and thread, really interleave."""
    path = tmp_path / "shared.db"
    first, second = SqliteStore(path), SqliteStore(path)

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


def test_sqlite_claims_the_first_load_once(tmp_path):
    async def claims():
        stores = [SqliteStore(tmp_path / "state.db") for _ in range(3)]
        claimed = [await store.claim_first_load() for store in stores]
        for store in stores:
            await store.close()
        return claimed

    assert run(claims()) == [True, False, False]
