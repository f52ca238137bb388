"""What the SQLite store does beyond the contract suite: point calls on the event loop's own
connection never wait for a lock, and the WAL they write is still checkpointed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from specfake.store.sqlite import CHECKPOINT_EVERY, SqliteStore

PAGE = 4096
WRITES = CHECKPOINT_EVERY * 8


def test_point_writes_keep_the_wal_bounded(tmp_path: Path, run):
    """The loop's connection leaves checkpoints to the worker thread; they must happen."""
    store = SqliteStore(tmp_path / "state.db")
    value = {"text": "x" * 2000}

    wal = tmp_path / "state.db-wal"

    async def largest_wal() -> int:
        await store.open()
        record = await store.compare_and_set("things", "a", None, value)
        largest = 0
        for _ in range(WRITES):
            record = await store.compare_and_set("things", "a", record.revision, value)
            await asyncio.sleep(0)  # as between requests
            largest = max(largest, wal.stat().st_size)
        await store.close()
        return largest

    # Without checkpoints the WAL holds every write, two pages or more each (16.9 MB here);
    # with them ~2 MB, more on a busy machine, where the checkpoint thread starts late.
    assert 0 < run(largest_wal()) < WRITES * 2 * PAGE / 2


def test_a_write_while_another_connection_holds_the_lock_waits_on_the_worker(tmp_path, run):
    """Another process's write transaction: the loop's connection fails at once, the call
    goes to the worker thread, which waits for the lock and then writes."""
    path = tmp_path / "state.db"
    store = SqliteStore(path)

    async def scenario() -> tuple[bool, int]:
        await store.open()
        record = await store.compare_and_set("things", "a", None, 1)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.ensure_future(store.compare_and_set("things", "a", record.revision, 2))
        await asyncio.sleep(0.2)
        waited = not write.done()  # the loop was free meanwhile: this line ran
        other.execute("ROLLBACK")
        other.close()
        written = await write
        await store.close()
        return waited, written.value

    assert run(scenario()) == (True, 2)
