"""``SqliteStore``: the state in one SQLite file (``--store sqlite:///PATH``), so it survives a
restart; embedded, no server.

sqlite3 blocks, and the event loop must not wait on another process's lock, so the store has
two connections. A point read or compare-and-set runs on the loop's own, which never waits: it
takes tens of microseconds, less than handing it to a thread costs. When that connection finds
the file locked (another process, or this store's thread, is writing) the call goes to the
store's worker thread, whose connection waits for the lock (``busy_timeout``); so does all bulk
work (listing, snapshot, restore) and the WAL checkpoints, which sync the file.

Each compare-and-set is one ``BEGIN IMMEDIATE`` transaction that reads the record's revision
and writes only if it is the expected one: atomic across connections and processes sharing the
file. WAL mode lets readers go on while one writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from specfake.store.base import CollectionFull, CollectionLimit, Versioned
from specfake.store.json_text import decode, encode

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000  # how long the worker thread's connection waits for another writer
# SQLite's automatic checkpoint runs every 1000 WAL pages; a point write adds two or three.
CHECKPOINT_EVERY = 256
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    revision INTEGER NOT NULL,
    written REAL NOT NULL,
    PRIMARY KEY (collection, key)
);
-- Eviction: the oldest records of a collection by rowid (count), or by when first written (age).
CREATE INDEX IF NOT EXISTS records_in_order ON records (collection);
CREATE INDEX IF NOT EXISTS records_by_age ON records (collection, written);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
"""


class SqliteStore:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._limits: dict[str, CollectionLimit] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="specfake-sqlite")
        self._connection: sqlite3.Connection | None = None  # the worker thread's
        self._loop_connection: sqlite3.Connection | None = None  # the event loop's: never waits
        self._point_writes = 0
        self._checkpoints: set[asyncio.Future[None]] = set()

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        await self._run(self._db)
        self._loop_db()

    async def close(self) -> None:
        if self._checkpoints:
            await asyncio.gather(*self._checkpoints)
        if self._loop_connection is not None:
            self._loop_connection.close()
            self._loop_connection = None
        if self._connection is not None:
            await self._run(self._connection.close)
            self._connection = None
        self._executor.shutdown(wait=True)

    def _db(self) -> sqlite3.Connection:
        """The worker thread's connection (made on first use: a test may skip ``open``): it
        waits up to ``busy_timeout`` for another writer, and checkpoints the WAL by itself."""
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(self.path, busy_timeout_ms=BUSY_TIMEOUT_MS)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
            self._connection = connection
        return self._connection

    def _loop_db(self) -> sqlite3.Connection:
        """The event loop's connection: it fails at once where the other would wait, and leaves
        the WAL checkpoints (which sync the file) to the worker thread."""
        if self._loop_connection is None:
            if self._connection is None:  # a call before open() (a test): set the file up
                self._executor.submit(self._db).result()
            connection = _connect(self.path, busy_timeout_ms=0)
            connection.execute("PRAGMA wal_autocheckpoint=0")
            self._loop_connection = connection
        return self._loop_connection

    async def _run(self, call: Callable[..., T], *arguments: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, call, *arguments)

    async def _point(self, call: Callable[..., T], *arguments: Any) -> T:
        """``call(connection, *arguments)`` on the loop's connection, or on the worker thread's
        if the file is locked."""
        try:
            return call(self._loop_db(), *arguments)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        return await self._run(lambda: call(self._db(), *arguments))

    async def _count_write(self) -> None:
        """Every ``CHECKPOINT_EVERY`` point writes, a WAL checkpoint on the worker thread
        (SQLite's automatic one would run on the loop's connection, and sync the file there).
        A checkpoint the thread has not finished by the next one's turn is waited for, so the
        WAL stays bounded however busy the machine is."""
        self._point_writes += 1
        if self._point_writes % CHECKPOINT_EVERY:
            return
        if self._checkpoints:
            await asyncio.gather(*self._checkpoints)
        checkpoint = asyncio.get_running_loop().run_in_executor(self._executor, self._checkpoint)
        self._checkpoints.add(checkpoint)
        checkpoint.add_done_callback(self._checkpoints.discard)

    def _checkpoint(self) -> None:
        """All of the WAL into the file, and the next write starts the WAL over: point writes
        meanwhile find the file locked and wait here. (A passive checkpoint would never catch
        up with writes that go on while it runs, and the WAL would grow without end.)"""
        self._db().execute("PRAGMA wal_checkpoint(RESTART)")

    # -- the StateStore interface ----------------------------------------------------------

    def set_limit(self, collection: str, limit: CollectionLimit) -> None:
        self._limits[collection] = limit

    async def claim_first_load(self) -> bool:
        """Whether this start is the first on this file (then the fixtures load): decided in
        one transaction, so of several processes starting together exactly one loads them."""
        return await self._run(self._claim)

    def _claim(self) -> bool:
        cursor = self._db().execute("INSERT OR IGNORE INTO meta VALUES ('loaded', 1)")
        return cursor.rowcount == 1

    async def get(self, collection: str, key: str) -> Versioned | None:
        return await self._point(self._get, collection, key)

    def _get(self, db: sqlite3.Connection, collection: str, key: str) -> Versioned | None:
        """A read, never a write: a record past its age is left for the next write to evict."""
        row = db.execute(
            "SELECT value, revision FROM records WHERE collection = ? AND key = ? "
            "AND written >= ?",
            (collection, key, self._oldest_kept(collection)),
        ).fetchone()
        return None if row is None else Versioned(decode(row[0]), row[1])

    async def compare_and_set(
        self, collection: str, key: str, expected_revision: int | None, value: Any | None
    ) -> Versioned | None:
        written = await self._point(
            self._compare_and_set, collection, key, expected_revision, value
        )
        await self._count_write()
        return written

    def _compare_and_set(
        self, db: sqlite3.Connection, collection: str, key: str, expected: int | None,
        value: Any | None,
    ) -> Versioned | None:
        db.execute("BEGIN IMMEDIATE")
        try:
            self._evict_expired(db, collection)
            row = db.execute(
                "SELECT value, revision FROM records WHERE collection = ? AND key = ?",
                (collection, key),
            ).fetchone()
            if (row[1] if row else None) != expected:
                db.execute("ROLLBACK")
                return None
            if value is None:
                if row is None:
                    db.execute("ROLLBACK")
                    return None
                where = (collection, key)
                db.execute("DELETE FROM records WHERE collection = ? AND key = ?", where)
                db.execute("COMMIT")
                return Versioned(decode(row[0]), row[1])
            if row is None:
                self._check_capacity(db, collection)
            revision = self._next_revision(db)
            text = encode(value)
            if row is None:
                db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                           (collection, key, text, revision, self._clock()))  # fmt: skip
            else:
                db.execute("UPDATE records SET value = ?, revision = ? WHERE collection = ? AND "
                           "key = ?", (text, revision, collection, key))  # fmt: skip
            if row is None:
                self._evict_past_count(db, collection)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return Versioned(decode(text), revision)

    async def append(self, collection: str, records: dict[str, Any]) -> None:
        await self._run(self._append, collection, records)

    def _append(self, collection: str, records: dict[str, Any]) -> None:
        """One transaction for all of them."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            for key, value in records.items():
                if db.execute("SELECT 1 FROM records WHERE collection = ? AND key = ?",
                              (collection, key)).fetchone():  # fmt: skip
                    continue
                self._check_capacity(db, collection)
                db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                           (collection, key, encode(value), self._next_revision(db),
                            self._clock()))  # fmt: skip
            self._evict_expired(db, collection)
            self._evict_past_count(db, collection)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def list(self, collection: str) -> list[tuple[str, Versioned]]:
        return await self._run(self._list, collection)

    def _list(self, collection: str) -> list[tuple[str, Versioned]]:
        rows = self._db().execute(
            "SELECT key, value, revision FROM records WHERE collection = ? AND written >= ? "
            "ORDER BY rowid",
            (collection, self._oldest_kept(collection)),
        ).fetchall()
        return [(key, Versioned(decode(value), revision)) for key, value, revision in rows]

    async def snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        return await self._run(self._snapshot, collections)

    def _snapshot(self, collections: list[str]) -> dict[str, dict[str, Any]]:
        """One read transaction: every collection as of one moment (WAL keeps that view while
        others write)."""
        db = self._db()
        db.execute("BEGIN")
        try:
            return {name: {key: record.value for key, record in self._list(name)}
                    for name in collections}  # fmt: skip
        finally:
            db.execute("COMMIT")

    async def restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        await self._run(self._restore, snapshot)

    def _restore(self, snapshot: dict[str, dict[str, Any]]) -> None:
        db = self._db()
        now = self._clock()
        db.execute("BEGIN IMMEDIATE")
        try:
            for collection, values in snapshot.items():
                db.execute("DELETE FROM records WHERE collection = ?", (collection,))
                rows = []
                for key, value in values.items():
                    rows.append((collection, key, encode(value), self._next_revision(db), now))
                db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows)
                self._evict_past_count(db, collection)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- helpers ---------------------------------------------------------------------------

    def _next_revision(self, db: sqlite3.Connection) -> int:
        db.execute("UPDATE meta SET value = value + 1 WHERE name = 'revision'")
        return db.execute("SELECT value FROM meta WHERE name = 'revision'").fetchone()[0]

    def _check_capacity(self, db: sqlite3.Connection, collection: str) -> None:
        limit = self._limits.get(collection)
        if limit is None or limit.capacity is None:
            return
        count = db.execute("SELECT COUNT(*) FROM records WHERE collection = ?",
                           (collection,)).fetchone()[0]  # fmt: skip
        if count >= limit.capacity:
            raise CollectionFull(collection, limit.capacity)

    def _oldest_kept(self, collection: str) -> float:
        """When the oldest record still kept was first written (``max_age_seconds``)."""
        limit = self._limits.get(collection)
        if limit is None or limit.max_age_seconds is None:
            return float("-inf")
        return self._clock() - limit.max_age_seconds

    def _evict_expired(self, db: sqlite3.Connection, collection: str) -> None:
        if self._oldest_kept(collection) != float("-inf"):
            db.execute("DELETE FROM records WHERE collection = ? AND written < ?",
                       (collection, self._oldest_kept(collection)))  # fmt: skip

    def _evict_past_count(self, db: sqlite3.Connection, collection: str) -> None:
        """Delete all but the newest ``max_items`` (older than the max_items-th newest)."""
        limit = self._limits.get(collection)
        if limit is None or limit.max_items is None:
            return
        db.execute(
            "DELETE FROM records WHERE collection = ?1 AND rowid < (SELECT rowid FROM records "
            "WHERE collection = ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2)",
            (collection, limit.max_items - 1),
        )


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from any thread
    (each is used by one at a time)."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    # WAL's recommended setting: a commit is not synced to disk one by one, yet a killed
    # process loses nothing committed (only a power cut could lose the last ones).
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection

