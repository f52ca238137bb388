"""A bounded journal of recent requests (``GET /__specfake__/requests``) and the log line."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from specfake.errors import FieldError

logger = logging.getLogger("specfake")


@dataclass(slots=True)
class JournalEntry:
    """One answered request, kept as raw values: every request is recorded, few are ever read,
    so rounding, formatting the time and the errors wait until one is."""

    time: float  # seconds since the epoch (``time.time()``)
    method: str
    path: str
    status: int
    seconds: float  # how long the pipeline took
    operation_id: str | None
    detail: str | None
    errors: tuple[FieldError, ...]

    @property
    def duration_ms(self) -> float:
        return round(self.seconds * 1000, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "time": timestamp(self.time),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "operation_id": self.operation_id,
            "detail": self.detail,
            "errors": [error.to_json() for error in self.errors],
        }


class RequestJournal:
    """The last ``size`` requests, newest last; older ones drop off."""

    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)

    def record(self, entry: JournalEntry) -> None:
        self._entries.append(entry)
        if not logger.isEnabledFor(logging.INFO):  # serve --quiet
            return
        if entry.errors:
            first = entry.errors[0]
            suffix = f"  {first.location} {first.path}: {first.message}"
        else:
            suffix = f"  {entry.detail}" if entry.detail else ""
        logger.info(
            "%s %s %d %.1fms%s", entry.method, entry.path, entry.status, entry.duration_ms, suffix
        )

    def entries(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self._entries]

    def clear(self) -> None:
        self._entries.clear()


def timestamp(epoch: float) -> str:
    """``epoch`` as ISO 8601 UTC with milliseconds and ``Z``."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
