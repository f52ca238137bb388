"""The resource fake over memory, SQLite and a real redis-server: the same answers, since it
only uses the store's interface (the collections it adds: tombstones, counters, keys)."""

from __future__ import annotations

from pathlib import Path

from specfake import ServerConfig
from specfake.world import build_world
from tests.fakes.resources.test_races import call

BOOKSHOP = Path(__file__).with_name("bookshop.openapi.yaml")


def test_crud_nesting_tombstones_counters_and_keys(store, run):
    async def scenario():
        world = build_world(ServerConfig(specs=[BOOKSHOP], fixtures=None), store)
        for fake in world.fakes:
            await fake.load(world.fixtures)
        author = (await call(world, "createAuthor", {}, {"name": "Ann"})).body
        scope = {"authorId": author["id"]}
        books = [(await call(world, "createBook", scope, {"title": t})).body["bookId"]
                 for t in ("Dune", "Emma")]  # fmt: skip
        listed = (await call(world, "listBooks", scope)).body
        deleted = (await call(world, "deleteAuthor", scope)).status
        gone = (await call(world, "getBook", {**scope, "bookId": 1})).status
        key = {"Idempotency-Key": "k"}
        first = (await call(world, "placeOrder", {}, {"item": "pen"}, key)).body
        replay = (await call(world, "placeOrder", {}, {"item": "pen"}, key)).body
        state = await world.fakes[-1].dump()
        return books, listed, deleted, gone, first, replay, state

    books, listed, deleted, gone, first, replay, state = run(scenario())
    assert books == [1, 2] and [b["title"] for b in listed] == ["Dune", "Emma"]
    assert (deleted, gone) == (204, 404)
    assert replay == first and [order["id"] for order in state["orders"]] == [first["id"]]
    assert state["books"] == []
