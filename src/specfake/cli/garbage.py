"""The server process's cyclic garbage collector settings, shared by ``serve`` and its workers.

Most of what a request allocates is freed by reference counting as soon as it is answered;
what the collector walks is what outlives a request for a while (the journal's entries, the
memory store's hot records). At CPython's default threshold (a young collection every 700 net
allocations) that walking cost a valid PATCH about 4 CPU µs and a cohort create 10-15, with
pauses up to 22 and 51 ms; every 10,000 it cost 1.5-1.9 and ~4 µs, with pauses up to 6 and
25 ms (bench/RESULTS.md, "Garbage collection"). Cyclic garbage then waits a little longer to
be freed; nothing else changes.

Set by the server process only: a test session or an app embedding specfake keeps its own.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 10_000  # net allocations between young collections (CPython: 700)


def collect_garbage_less_often() -> None:
    """Young collections every :data:`YOUNG_COLLECTION_EVERY` allocations; the older
    generations' thresholds as they are."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)
