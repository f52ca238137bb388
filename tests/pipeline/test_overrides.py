"""``Overrides.may_be_pending``: the shortcut that spares a request the store read while no
override can apply, compared with the plain read on many random sequences of changes."""

from __future__ import annotations

import asyncio
import random

from specfake import ServerConfig
from specfake.pipeline.overrides import Overrides
from specfake.spec.compile import compile_operations
from specfake.spec.loader import load_spec
from specfake.store import MemoryStore
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS

OPERATIONS = compile_operations(load_spec(SPECS / "plan-definitions.openapi.yaml"))
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
OPERATION_IDS = sorted({operation.operation_id for operation in OPERATIONS})[:3]


async def _random_changes(seed: int) -> None:
    """The same random adds, takes and deletes on a private :class:`Overrides` (taking only
    when it may be pending, as the pipeline does) and on a plain one: the same answers, and
    the private one never says "none" while its store holds an override."""
    rng = random.Random(seed)
    private, plain = Overrides(MemoryStore(), private=True), Overrides(MemoryStore())
    for _ in range(60):
        roll = rng.random()
        if roll < 0.25:
            body = {"operationId": rng.choice(OPERATION_IDS), "delay_ms": rng.randint(1, 9),
                    "times": rng.choice([None, 1, 2, 3])}  # fmt: skip
            assert (await private.add(body, OPERATIONS)) == (await plain.add(body, OPERATIONS))
        elif roll < 0.35:
            listed = await plain.listed()
            chosen = rng.choice([None, *(override["id"] for override in listed)])
            assert (await private.delete(chosen)) == (await plain.delete(chosen))
        else:
            operation_id = rng.choice(OPERATION_IDS)
            taken = await private.take(operation_id) if private.may_be_pending() else None
            assert taken == await plain.take(operation_id)
        if not private.may_be_pending():
            assert await private.listed() == []
        assert await private.listed() == await plain.listed()


def test_may_be_pending_agrees_with_reading_the_store() -> None:
    for seed in range(40):
        asyncio.run(_random_changes(seed))


def test_a_shared_store_is_always_read() -> None:
    """Another worker may add an override at any moment: only a private store is known."""

    async def scenario() -> tuple[bool, bool]:
        shared = Overrides(MemoryStore())
        await shared.take(OPERATION_IDS[0])
        private = Overrides(MemoryStore(), private=True)
        await private.take(OPERATION_IDS[0])
        return shared.may_be_pending(), private.may_be_pending()

    assert asyncio.run(scenario()) == (True, False)


def test_an_add_is_pending_until_it_is_used_up() -> None:
    async def scenario() -> list[bool]:
        overrides = Overrides(MemoryStore(), private=True)
        seen = [overrides.may_be_pending()]  # nothing read yet: unknown
        await overrides.take(OPERATION_IDS[0])
        seen.append(overrides.may_be_pending())
        await overrides.add({"operationId": OPERATION_IDS[0], "status": None, "delay_ms": 5,
                             "times": 1}, OPERATIONS)  # fmt: skip
        seen.append(overrides.may_be_pending())
        await overrides.take(OPERATION_IDS[0])  # uses it up
        seen.append(overrides.may_be_pending())  # not read empty yet
        await overrides.take(OPERATION_IDS[0])
        seen.append(overrides.may_be_pending())
        return seen

    assert asyncio.run(scenario()) == [True, False, True, True, False]


def test_an_override_made_after_requests_without_one_applies_to_the_next_request() -> None:
    """The skipped read in the running server: requests that found no override, then one made
    through the control API answers the very next call, and the fake the one after."""

    async def scenario() -> list[int]:
        async with in_process(ServerConfig(specs=[SPECS / "plan-definitions.openapi.yaml"],
                                           fixtures=FIXTURES)) as app:  # fmt: skip
            stale = {"expectedVersionId": 6}
            statuses = [(await app.client.patch(DRAFT, headers=AUTH, json=stale)).status_code]
            made = await app.client.post("/__specfake__/overrides",
                                         json={"operationId": "update-draft", "status": 404,
                                               "times": 1})  # fmt: skip
            assert made.status_code == 201
            for _ in range(2):
                statuses.append(
                    (await app.client.patch(DRAFT, headers=AUTH, json=stale)).status_code
                )
            return statuses

    assert asyncio.run(scenario()) == [409, 404, 409]
