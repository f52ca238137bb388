"""The idempotency engine's lease, over every store: a key left "running" by a request that
will never finish (its worker was killed) is taken over once the lease runs out, not refused
until the key's age limit forgets it."""

from __future__ import annotations

import asyncio

import pytest

from specfake.errors import Problem
from specfake.fakes.idempotency import IdempotencyKeys, new_entry
from specfake.store import CollectionLimit

LEASE = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(store, clock) -> IdempotencyKeys:
    limit = CollectionLimit(max_items=100, max_age_seconds=24 * 3600)
    return IdempotencyKeys(store, "keys", limit, wait_seconds=0.1, lease_seconds=LEASE, clock=clock)


def abandon(keys: IdempotencyKeys, store, run, key: str, fingerprint: str) -> None:
    """A reservation as a worker killed mid-request leaves it: running, never finished."""
    entry = keys.running(new_entry(key, fingerprint))
    assert run(store.compare_and_set("keys", key, None, entry)) is not None


def test_a_key_running_within_its_lease_makes_a_retry_wait_then_409(keys, store, clock, run):
    abandon(keys, store, run, "k", "same")
    clock.now += LEASE - 1

    async def work():
        raise AssertionError("must not run while another request holds the key")

    with pytest.raises(Problem) as refused:
        run(keys.once("k", "same", work))
    assert refused.value.status == 409 and "still in progress" in refused.value.detail


def test_a_key_running_past_its_lease_is_taken_over_by_the_retry(keys, store, clock, run):
    abandon(keys, store, run, "k", "same")
    clock.now += LEASE + 1
    calls = []

    async def work():
        calls.append(1)
        return {"answer": len(calls)}

    assert run(keys.once("k", "same", work)) == {"answer": 1}
    assert run(keys.once("k", "same", work)) == {"answer": 1}  # remembered now: a replay
    stored = run(store.get("keys", "k")).value
    assert stored["state"] == "done" and "lease_until" not in stored
    assert calls == [1]


def test_of_many_retries_after_a_lapsed_lease_one_runs_the_work(keys, store, clock, run):
    abandon(keys, store, run, "k", "same")
    clock.now += LEASE + 1
    calls = []

    async def work():
        calls.append(1)
        await asyncio.sleep(0.01)  # still running while the others look
        return {"answer": "once"}

    async def retries():
        return await asyncio.gather(*(keys.once("k", "same", work) for _ in range(12)))

    assert run(retries()) == [{"answer": "once"}] * 12
    assert calls == [1]


def test_a_lapsed_reservation_of_a_done_key_is_done_again(keys, store, clock, run):
    """An acknowledgement reserves a key that was done; given back, it keeps its answer."""
    done = {**new_entry("k", "same"), "state": "done", "response": {"answer": 1}}
    record = run(store.compare_and_set("keys", "k", None, keys.running(done)))
    assert run(keys.reclaim("k", record)) is False  # the lease holds
    clock.now += LEASE + 1
    assert run(keys.reclaim("k", record)) is True
    stored = run(store.get("keys", "k")).value
    assert stored == done
