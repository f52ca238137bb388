"""``open_store(url)`` for each scheme: what a Redis URL means (database, prefix, redis-py's own
options) and the mistakes named before anything connects."""

from __future__ import annotations

import pytest
from redis.utils import HIREDIS_AVAILABLE

from specfake.errors import SpecfakeError
from specfake.store import MemoryStore, open_store
from specfake.store.factory import store_shares_state
from specfake.store.redis import RedisStore
from specfake.store.sqlite import SqliteStore


def test_a_redis_url_keeps_its_database_and_options_and_takes_the_prefix_out():
    store = open_store("redis://127.0.0.1:6390/3?prefix=team-a:&socket_timeout=2")
    assert isinstance(store, RedisStore) and store.prefix == "team-a:"
    assert store.url == "redis://127.0.0.1:6390/3?socket_timeout=2"
    options = store._redis.connection_pool.connection_kwargs
    assert (options["db"], options["port"], options["socket_timeout"]) == (3, 6390, 2.0)


def test_a_redis_url_without_a_prefix_gets_the_default_one():
    assert open_store("redis://localhost:6379/0").prefix == "specfake:"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis:///0", "give a host"),
        ("redis://127.0.0.1:6379/zero", "the path is a database number"),
        ("redis://127.0.0.1:6379/0?prefix=", "prefix= needs a value"),
        ("sqlite://", "give a file"),
        ("mysql://db/x", "known: memory://, sqlite://, redis://, rediss://"),
    ],
)
def test_store_urls_that_cannot_work_are_refused_naming_the_mistake(url, message):
    with pytest.raises(SpecfakeError, match=message):
        open_store(url)


def test_which_stores_workers_can_share():
    assert isinstance(open_store("memory://"), MemoryStore)
    assert isinstance(open_store("sqlite:///x.db"), SqliteStore)
    shared = [url for url in ("memory://", "sqlite:///x.db", "redis://h:1/0")
              if store_shares_state(url)]  # fmt: skip
    assert shared == ["sqlite:///x.db", "redis://h:1/0"]


def test_the_redis_client_parses_replies_with_hiredis():
    assert HIREDIS_AVAILABLE  # a declared dependency: the C parser, not the Python one
