"""A bounded journal of recent requests (``GET /__specfake__/requests``) and the log line."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("specfake")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    time: str
    method: str
    path: str
    status: int
    duration_ms: float
    operation_id: str | None
    detail: str | None
    errors: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "operation_id": self.operation_id,
            "detail": self.detail,
            "errors": self.errors,
        }


class RequestJournal:
    """The last ``size`` requests, newest last; older ones drop off."""

    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)

    def record(self, entry: JournalEntry) -> None:
        self._entries.append(entry)
        if entry.errors:
            first = entry.errors[0]
            suffix = f"  {first['in']} {first['path']}: {first['message']}"
        else:
            suffix = f"  {entry.detail}" if entry.detail else ""
        logger.info(
            "%s %s %d %.1fms%s", entry.method, entry.path, entry.status, entry.duration_ms, suffix
        )

    def entries(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self._entries]

    def clear(self) -> None:
        self._entries.clear()


def timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
