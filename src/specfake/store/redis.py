"""``RedisStore``: the state in a Redis server (``--store redis://HOST:PORT/DB``), shared by
every worker and every server pointed at it, and kept across restarts as long as Redis is.

Each compare-and-set is one Lua script (:mod:`specfake.store.redis_scripts`), atomic in
Redis, one round-trip; a read is one ``HMGET``. Those two, which every request makes, go
through :class:`~specfake.store.redis_direct.DirectCommands`, the rest through redis-py's
client. ``restore`` replaces its collections in one
``MULTI``/``EXEC`` transaction, so other clients see the old state or the new one. Every key
starts with a prefix (``?prefix=NAME:`` on the URL, default ``specfake:``), so servers with
other specs can share one Redis. Collections with a ``max_age_seconds`` limit (idempotency
keys) get a Redis TTL as well: even an idle collection is forgotten in time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import orjson
import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from specfake.errors import SpecfakeError
from specfake.store import redis_scripts
from specfake.store.base import CollectionFull, CollectionLimit, StoreUnavailable, Versioned
from specfake.store.redis_direct import DirectCommands

DEFAULT_PREFIX = "specfake:"
MAX_CONNECTIONS = 64  # per process
RESTORE_BATCH = 1000  # records per HSET batch queued in the restore transaction
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)  # answered 503: StoreUnavailable
NO_BOUNDS = ("", "", "")  # the script arguments of a collection without limits


class RedisStore:
    def __init__(
        self, url: str, prefix: str = DEFAULT_PREFIX, clock: Callable[[], float] = time.time
    ) -> None:
        """``url`` is what redis-py's ``from_url`` takes (without ``prefix``); ``clock`` is
        wall-clock time, shared by every process writing (a test passes a fake one)."""
        self.url = url
        self.prefix = prefix
        self._clock = clock
        self._limits: dict[str, CollectionLimit] = {}
        # Worked out once per collection, not on every call: its key names, and its limits as
        # the compare-and-set script's arguments.
        self._names: dict[str, tuple[str, str]] = {}
        self._script_bounds: dict[str, tuple[str | float, str | float, str | float]] = {}
        self._counter = f"{prefix}revision"
        # A burst waits for one of MAX_CONNECTIONS connections rather than opening more.
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=10, socket_timeout=10,
            socket_connect_timeout=5,
        )  # fmt: skip
        self._redis = redis.Redis.from_pool(pool)
        self._direct = DirectCommands(pool, max_connections=MAX_CONNECTIONS)
        self._compare_and_set = self._redis.register_script(redis_scripts.COMPARE_AND_SET)
        self._clear = self._redis.register_script(redis_scripts.CLEAR)
        self._evict = self._redis.register_script(redis_scripts.EVICT)
        self._snapshot = self._redis.register_script(redis_scripts.SNAPSHOT)

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Check that Redis answers, so a wrong URL stops the start with a clear message."""
        try:
            await self._redis.ping()
        except (RedisError, OSError) as error:
            raise SpecfakeError(
                f"--store {self.url}: Redis does not answer ({error}). Start one "
                "(redis-server --port 6379) or give the URL of a running one."
            ) from error

    async def close(self) -> None:
        await self._direct.close()
        await self._redis.aclose()

    # -- key layout ------------------------------------------------------------------------

    def _zset(self, collection: str) -> str:
        return self._key_names(collection)[0]

    def _records(self, collection: str) -> str:
        return self._key_names(collection)[1]

    def _key_names(self, collection: str) -> tuple[str, str]:
        """:func:`key_names` of ``collection``, remembered."""
        names = self._names.get(collection)
        if names is None:
            names = self._names[collection] = key_names(self.prefix, collection)
        return names

    # -- the StateStore interface ----------------------------------------------------------

    def set_limit(self, collection: str, limit: CollectionLimit) -> None:
        self._limits[collection] = limit
        self._script_bounds[collection] = script_bounds(limit)

    async def claim_first_load(self) -> bool:
        """``SET NX``: of the workers and restarts on this Redis (and prefix), only the first
        loads the fixtures."""
        with self._reaching():
            return bool(await self._redis.set(f"{self.prefix}loaded", 1, nx=True))

    async def get(self, collection: str, key: str) -> Versioned | None:
        record = self._key_names(collection)[1] + key
        try:  # not ``_reaching``: the two calls every request makes skip a context manager
            fields = await self._direct.execute("HMGET", record, "rev", "v", "at", read_only=True)
        except UNREACHABLE as error:
            raise self._unavailable(error) from error
        return self._versioned(collection, fields)

    async def compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        zset, records = self._key_names(collection)
        text = b"" if value is None else _dumps(value)
        expected = "" if expected_revision is None else expected_revision
        bounds = self._script_bounds.get(collection, NO_BOUNDS)
        arguments = [records, key, expected, text, repr(self._clock()), *bounds]
        try:
            result = await self._direct.run_script(
                self._compare_and_set.sha,
                redis_scripts.COMPARE_AND_SET,
                [zset, self._counter],
                arguments,
            )
        except UNREACHABLE as error:
            raise self._unavailable(error) from error
        if result is None:
            return None
        if result == redis_scripts.FULL:
            raise CollectionFull(collection, self._limits[collection].capacity or 0)
        if isinstance(result, list):  # a delete: the record it deleted
            return Versioned(orjson.loads(result[1]), int(result[0]))
        return Versioned(orjson.loads(text), int(result))

    async def append(self, collection: str, records: dict[str, Any]) -> None:
        """One pipeline of compare-and-set scripts: one round-trip for all of them."""
        if not records:
            return
        limit = self._limits.get(collection, CollectionLimit())
        now = repr(self._clock())
        bounds = script_bounds(limit)
        keys = [self._zset(collection), f"{self.prefix}revision"]
        with self._reaching():
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value in records.items():
                    arguments = [self._records(collection), key, "", _dumps(value), now, *bounds]
                    await self._compare_and_set(keys=keys, args=arguments, client=pipe)
                results = await pipe.execute()
        if redis_scripts.FULL in results:
            raise CollectionFull(collection, limit.capacity or 0)

    async def list(self, collection: str) -> list[tuple[str, Versioned]]:
        with self._reaching():
            keys = await self._redis.zrange(self._zset(collection), 0, -1)
            if not keys:
                return []
            records = self._records(collection)
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.hmget(records + key.decode(), "rev", "v", "at")
                rows = await pipe.execute()
        listed = []
        for key, fields in zip(keys, rows, strict=True):
            record = self._versioned(collection, fields)
            if record is not None:
                listed.append((key.decode(), record))
        return listed

    async def snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        """Every collection as of one moment: one script reads them all."""
        if not collections:
            return {}
        with self._reaching():
            rows = await self._snapshot(
                keys=[self._zset(name) for name in collections],
                args=[self._records(name) for name in collections],
            )
        snapshot: dict[str, dict[str, Any]] = {}
        for name, flat in zip(collections, rows, strict=True):
            max_age = self._limits.get(name, CollectionLimit()).max_age_seconds
            oldest = float("-inf") if max_age is None else self._clock() - max_age
            snapshot[name] = {
                flat[index].decode(): orjson.loads(flat[index + 1])
                for index in range(0, len(flat), 3)
                if float(flat[index + 2]) >= oldest
            }
        return snapshot

    async def restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        """Replace the collections in one transaction: the revisions are reserved first (one
        ``INCRBY``), then every collection is cleared and written between ``MULTI`` and
        ``EXEC``."""
        with self._reaching():
            await self._restore(snapshot)

    async def _restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        count = sum(len(values) for values in snapshot.values())
        revision = await self._redis.incrby(f"{self.prefix}revision", count) - count
        now = repr(self._clock())
        async with self._redis.pipeline(transaction=True) as pipe:
            for collection, values in snapshot.items():
                zset, records = self._zset(collection), self._records(collection)
                limit = self._limits.get(collection, CollectionLimit())
                await self._clear(keys=[zset], args=[records], client=pipe)
                scores: dict[str, int] = {}
                for key, value in values.items():
                    revision += 1
                    scores[key] = revision
                    pipe.hset(records + key, mapping={"v": _dumps(value), "rev": revision,
                                                      "at": now})  # fmt: skip
                    if limit.max_age_seconds is not None:
                        pipe.pexpire(records + key, int(limit.max_age_seconds * 1000) + 1)
                    if len(scores) == RESTORE_BATCH:
                        pipe.zadd(zset, scores)
                        scores = {}
                if scores:
                    pipe.zadd(zset, scores)
                if limit != CollectionLimit():
                    await self._evict(
                        keys=[zset],
                        client=pipe,
                        args=[records, now, _bound(limit.max_items), _bound(limit.max_age_seconds)],
                    )
            await pipe.execute()

    # -- helpers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        """A connection failure or timeout as :class:`StoreUnavailable` (a 503)."""
        try:
            yield
        except UNREACHABLE as error:
            raise self._unavailable(error) from error

    def _unavailable(self, error: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self.url} did not answer ({error})")

    def _versioned(self, collection: str, fields: list[bytes | None]) -> Versioned | None:
        """A record from its ``rev``, ``v`` and ``at`` fields; ``None`` if it is missing or
        older than the collection's ``max_age_seconds`` (the next write evicts it)."""
        revision, value, written = fields
        if revision is None or value is None:
            return None
        limit = self._limits.get(collection)
        max_age = None if limit is None else limit.max_age_seconds
        if max_age is not None and written is not None and float(written) < self._clock() - max_age:
            return None
        return Versioned(orjson.loads(value), int(revision))


def _dumps(value: Any) -> bytes:
    """JSON for a stored value; what JSON has no type for (a YAML date) as its string."""
    return orjson.dumps(value, default=str)


def key_names(prefix: str, collection: str) -> tuple[str, str]:
    """The key of ``collection``'s sorted set, and what every one of its record keys starts
    with (the collection name is percent-encoded, so it holds no ``:`` and two collections
    never share a key)."""
    name = quote(collection, safe="")
    return f"{prefix}keys:{name}", f"{prefix}rec:{name}:"


def script_bounds(limit: CollectionLimit) -> tuple[str | float, str | float, str | float]:
    """``limit`` as the compare-and-set script's last three arguments."""
    return _bound(limit.max_items), _bound(limit.max_age_seconds), _bound(limit.capacity)


def _bound(number: float | None) -> str | float:
    """A limit as a script argument: ``''`` for none."""
    return "" if number is None else number
