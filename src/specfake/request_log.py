"""The log line per request (``serve`` without ``--quiet``), written in batches.

Written one by one, each line cost its request a log record, its formatting and a ``write``
with a flush on stderr: under load the default ``serve`` answered a fifth fewer requests than
``--quiet`` (issue 21). So a request only queues its journal entry; a moment later
(:data:`FLUSH_SECONDS`) the lines are formatted and logged together, as one record. Where
no event loop runs (a request answered in a thread), the line is logged at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: the journal and the log are independent
    from specfake.journal import JournalEntry

logger = logging.getLogger("specfake")
FLUSH_SECONDS = 0.05  # how late a request's line may appear
MAX_PENDING = 1000  # lines queued before they are written anyway


def log_line(entry: JournalEntry) -> str:
    """``PATCH /v1/plan-definitions/x/draft 409 0.1ms  expectedVersionId 6 does not ...``:
    the first field error, else the detail, after the status and duration."""
    if entry.errors:
        first = entry.errors[0]
        suffix = f"  {first.location} {first.path}: {first.message}"
    else:
        suffix = f"  {entry.detail}" if entry.detail else ""
    return f"{entry.method} {entry.path} {entry.status} {entry.duration_ms:.1f}ms{suffix}"


class RequestLog:
    """Queues entries and logs their lines on ``specfake``'s logger at INFO, in batches;
    nothing when that level is off (``--quiet``)."""

    def __init__(self) -> None:
        self._pending: list[JournalEntry] = []
        self._scheduled = False

    def add(self, entry: JournalEntry) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        self._pending.append(entry)
        if len(self._pending) >= MAX_PENDING:
            self.flush()
        elif not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # nothing would flush later
                self.flush()
                return
            self._scheduled = True
            loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Log what is queued now (also at shutdown)."""
        self._scheduled = False
        batch, self._pending = self._pending, []
        if batch:
            logger.info("%s", "\n".join(map(log_line, batch)))
