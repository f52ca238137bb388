"""The resource fake's compare-and-set retries, on a store where another writer gets in
between a read and the write (the memory store alone never interleaves)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.datastructures import Headers

from specfake import ServerConfig
from specfake.pipeline.outcome import OperationRequest, Outcome
from specfake.store.memory import MemoryStore
from specfake.world import World, build_world

BOOKSHOP = Path(__file__).with_name("bookshop.openapi.yaml")
SEEDED_AUTHOR = "0b5f3d4e-1c2a-4b6d-8e9f-0a1b2c3d4e5f"


class InterferingStore(MemoryStore):
    """Before the next ``times`` compare-and-sets on ``collection``, run ``meddle`` (another
    writer), so each of those compare-and-sets finds the record changed."""

    def __init__(self) -> None:
        super().__init__()
        self.collection = ""
        self.times = 0
        self.meddle: Callable[[str], Awaitable[None]] | None = None

    async def compare_and_set(self, collection, key, expected_revision, value):  # type: ignore[override]
        if collection == self.collection and self.times and self.meddle is not None:
            self.times -= 1
            await self.meddle(key)
        return await super().compare_and_set(collection, key, expected_revision, value)

    async def rewrite(self, collection: str, key: str, change: dict[str, Any]) -> None:
        found = await self.get(collection, key)
        assert found is not None
        await super().compare_and_set(collection, key, found.revision, {**found.value, **change})


async def call(world: World, operation_id: str, path: dict, body: Any = None,
               headers: dict | None = None) -> Outcome:  # fmt: skip
    operation = next(op for op in world.operations if op.operation_id == operation_id)
    handler = world.handlers[(operation.spec_name, operation_id)]
    request = OperationRequest(operation, path, {}, Headers(headers or {}), body)
    return await handler(request)  # a refusal too is returned, carrying its problem


async def served(store: InterferingStore) -> World:
    world = build_world(ServerConfig(specs=[BOOKSHOP], fixtures=None), store)
    for fake in world.fakes:
        await fake.load(world.fixtures)
    return world


@pytest.fixture
def store() -> InterferingStore:
    return InterferingStore()


def test_a_merge_that_loses_the_race_is_applied_on_top_of_the_winner(store):
    async def scenario():
        world = await served(store)
        store.collection, store.times = "authors", 1
        store.meddle = lambda key: store.rewrite("authors", key, {"bio": "the winner's"})
        outcome = await call(world, "updateAuthor", {"authorId": SEEDED_AUTHOR}, {"name": "Me"})
        return outcome, (await store.get("authors", SEEDED_AUTHOR)).value

    outcome, stored = asyncio.run(scenario())
    assert outcome.status == 200
    assert (stored["name"], stored["bio"]) == ("Me", "the winner's")  # neither write lost


def test_a_locked_write_that_loses_the_race_is_a_412_with_the_winners_version(store):
    async def scenario():
        world = await served(store)
        order = (await call(world, "placeOrder", {}, {"item": "pen"})).body
        store.collection, store.times = "orders", 1
        store.meddle = lambda key: store.rewrite("orders", key, {"version": 2})
        headers = {"If-Match": '"1"'}
        outcome = await call(world, "updateOrder", {"orderId": order["id"]}, {"quantity": 3},
                             headers)  # fmt: skip
        return outcome, (await store.get("orders", order["id"])).value

    outcome, stored = asyncio.run(scenario())
    assert outcome.status == 412 and outcome.body["currentVersion"] == 2
    assert outcome.problem is not None and outcome.problem.extensions == {"currentVersion": 2}
    assert "quantity" not in stored  # the loser changed nothing


def test_a_delete_that_loses_the_race_deletes_the_new_content(store):
    async def scenario():
        world = await served(store)
        store.collection, store.times = "authors", 1
        store.meddle = lambda key: store.rewrite("authors", key, {"bio": "late edit"})
        outcome = await call(world, "deleteAuthor", {"authorId": SEEDED_AUTHOR})
        return outcome, await store.get("authors", SEEDED_AUTHOR)

    outcome, stored = asyncio.run(scenario())
    assert outcome.status == 204 and stored is None


def test_a_record_that_keeps_changing_is_a_409_to_retry_not_a_500(store):
    async def scenario():
        world = await served(store)
        store.collection, store.times = "authors", 100
        store.meddle = lambda key: store.rewrite("authors", key, {"bio": "again"})
        return await call(world, "updateAuthor", {"authorId": SEEDED_AUTHOR}, {"name": "Me"})

    outcome = asyncio.run(scenario())
    assert outcome.status == 409 and "retry" in outcome.body["detail"]
    assert outcome.problem is not None and outcome.problem.detail == outcome.body["detail"]


def test_a_book_created_while_its_author_is_deleted_does_not_outlive_it(store):
    async def scenario():
        world = await served(store)

        async def delete_the_author(key: str) -> None:
            found = await store.get("authors", SEEDED_AUTHOR)
            await MemoryStore.compare_and_set(store, "authors", SEEDED_AUTHOR, found.revision,
                                              None)  # fmt: skip

        store.collection, store.times, store.meddle = "books", 1, delete_the_author
        outcome = await call(world, "createBook", {"authorId": SEEDED_AUTHOR}, {"title": "X"})
        return outcome, await store.list("books")

    outcome, books = asyncio.run(scenario())
    assert outcome.status == 404 and books == []
