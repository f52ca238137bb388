"""Every StateStore implementation, built for a test, as fixtures (a plugin of tests/conftest.py):
the contract suite and the tests of what runs over the store (the idempotency engine) use them.

``store`` and ``clock_and_store`` are each implementation in turn; ``shared_url`` the URL of
each store that several processes can share; ``run`` runs a coroutine on the test's loop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from specfake.store import MemoryStore, StateStore
from specfake.store.redis import RedisStore
from specfake.store.sqlite import SqliteStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def redis_store_url(redis_url: str) -> str:
    """A URL of the test Redis with a prefix of its own, so tests never see each other's keys."""
    return f"{redis_url}/0?prefix=test-{uuid.uuid4().hex}:"


def memory_store(clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest) -> StateStore:
    return MemoryStore(clock=clock)


def sqlite_store(clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest) -> StateStore:
    return SqliteStore(tmp_path / "state.db", clock=clock)


def redis_store(clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest) -> StateStore:
    redis_url = request.getfixturevalue("redis_url")
    return RedisStore(f"{redis_url}/0", prefix=f"test-{uuid.uuid4().hex}:", clock=clock)


IMPLEMENTATIONS = [memory_store, sqlite_store, redis_store]


def shared_sqlite_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}"


def shared_redis_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return redis_store_url(request.getfixturevalue("redis_url"))


SHARED = [shared_sqlite_url, shared_redis_url]
Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture
def run() -> Iterator[Run]:
    """Run coroutines on one event loop for the whole test (a Redis connection belongs to the
    loop it was made on)."""
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda factory: factory.__name__)
def clock_and_store(request, tmp_path, run):
    clock = FakeClock()
    store = request.param(clock, tmp_path, request)
    run(store.open())
    yield clock, store
    run(store.close())


@pytest.fixture
def store(clock_and_store):
    return clock_and_store[1]


@pytest.fixture(params=SHARED, ids=lambda factory: factory.__name__)
def shared_url(request, tmp_path) -> str:
    """The URL of a store several processes can share."""
    return request.param(tmp_path, request)
