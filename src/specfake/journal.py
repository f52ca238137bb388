"""A bounded journal of recent requests (``GET /__specfake__/requests``); the log line of each
is :mod:`specfake.request_log`'s."""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from specfake.errors import FieldError

# Bodies kept per entry, each cut here (the HAR export notes the cut): the journal is for
# seeing what an app sent, and its bytes are bounded as a whole too.
MAX_RECORDED_BODY = 64 * 1024


@dataclass(slots=True)
class Recorded:
    """What a request and its answer carried, for the HAR export (``har.py``); bodies cut at
    :data:`MAX_RECORDED_BODY`, their whole sizes kept."""

    scheme: str
    host: str
    target: str  # path and query as sent
    http_version: str
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    request_size: int
    response_headers: list[tuple[bytes, bytes]]
    response_body: bytes
    response_size: int

    @classmethod
    def of(
        cls,
        scope: Any,
        target: str,
        request_body: bytes,
        response_headers: list[tuple[bytes, bytes]],
        response_body: bytes,
    ) -> Recorded:
        headers = scope["headers"]
        return cls(
            scope.get("scheme", "http"),
            _host(headers),
            target,
            scope.get("http_version", "1.1"),
            list(headers),
            request_body[:MAX_RECORDED_BODY],
            len(request_body),
            list(response_headers),  # a copy: headers added after the journal are not its
            response_body[:MAX_RECORDED_BODY],
            len(response_body),
        )

    def to_record(self) -> dict[str, Any]:
        """As JSON, to share through a store; headers as Latin-1 text, bodies as base64."""
        return {
            "scheme": self.scheme,
            "host": self.host,
            "target": self.target,
            "http_version": self.http_version,
            "request_headers": _texts(self.request_headers),
            "request_body": base64.b64encode(self.request_body).decode("ascii"),
            "request_size": self.request_size,
            "response_headers": _texts(self.response_headers),
            "response_body": base64.b64encode(self.response_body).decode("ascii"),
            "response_size": self.response_size,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Recorded:
        return cls(
            scheme=record["scheme"],
            host=record["host"],
            target=record["target"],
            http_version=record["http_version"],
            request_headers=_raw(record["request_headers"]),
            request_body=base64.b64decode(record["request_body"]),
            request_size=record["request_size"],
            response_headers=_raw(record["response_headers"]),
            response_body=base64.b64decode(record["response_body"]),
            response_size=record["response_size"],
        )

    def size(self) -> int:
        """The bytes its strings hold: the target, the bodies kept, every header."""
        size = len(self.target) + len(self.request_body) + len(self.response_body)
        for name, value in self.request_headers:
            size += len(name) + len(value)
        for name, value in self.response_headers:
            size += len(name) + len(value)
        return size


def _host(headers: list[tuple[bytes, bytes]]) -> str:
    """The ``Host`` header's value (HTTP/1.1 requires one), else the loopback address."""
    for name, value in headers:
        if name == b"host":
            return value.decode("latin-1")
    return "127.0.0.1"


def _texts(headers: list[tuple[bytes, bytes]]) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers]


def _raw(headers: list[list[str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


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
    recorded: Recorded | None = None
    id: int = 0  # given by the journal: 1, 2, ... in the order recorded

    @property
    def duration_ms(self) -> float:
        return round(self.seconds * 1000, 3)

    def to_record(self) -> dict[str, Any]:
        """Everything, as JSON, to share through a store (:mod:`specfake.shared_journal`)."""
        return {
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "seconds": self.seconds,
            "operation_id": self.operation_id,
            "detail": self.detail,
            "errors": [error.to_json() for error in self.errors],
            "recorded": self.recorded.to_record() if self.recorded else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> JournalEntry:
        recorded = record["recorded"]
        return cls(
            time=record["time"],
            method=record["method"],
            path=record["path"],
            status=record["status"],
            seconds=record["seconds"],
            operation_id=record["operation_id"],
            detail=record["detail"],
            errors=tuple(FieldError(e["in"], e["path"], e["message"]) for e in record["errors"]),
            recorded=Recorded.from_record(recorded) if recorded else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": timestamp(self.time),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "operation_id": self.operation_id,
            "detail": self.detail,
            "errors": [error.to_json() for error in self.errors],
        }


# What an entry costs besides its strings (the object, its tuple, the deque slot), roughly.
_ENTRY_OVERHEAD = 300
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def entry_size(entry: JournalEntry) -> int:
    """About how many bytes ``entry`` keeps alive: its strings dominate (a long path, a
    hundred field errors quoting long names)."""
    size = _ENTRY_OVERHEAD + len(entry.path) + len(entry.detail or "")
    if entry.recorded is not None:
        size += entry.recorded.size()
    for error in entry.errors:
        size += 100 + len(error.path) + len(error.message)
    return size


class RequestJournal:
    """The last ``size`` requests, newest last, in at most about ``max_bytes``; older ones
    drop off. Bounded in bytes too: a request's path and errors can be large."""

    def __init__(self, size: int = 1000, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: deque[tuple[JournalEntry, int]] = deque()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._last_id = 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def record(self, entry: JournalEntry) -> None:
        self._last_id += 1
        entry.id = self._last_id
        cost = entry_size(entry)
        self._entries.append((entry, cost))
        self._bytes += cost
        while len(self._entries) > self._size or (
            self._bytes > self._max_bytes and len(self._entries) > 1
        ):
            self._bytes -= self._entries.popleft()[1]

    def entries(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry, _ in self._entries]

    def recorded(self) -> list[JournalEntry]:
        """The entries themselves, oldest first (the HAR export reads their bodies)."""
        return [entry for entry, _ in self._entries]

    def find(self, entry_id: int) -> JournalEntry | None:
        """The entry with ``entry_id``, if it is still kept. Ids in the journal are
        consecutive (entries leave from the old end only), so this is an index."""
        if not self._entries:
            return None
        index = entry_id - self._entries[0][0].id
        return self._entries[index][0] if 0 <= index < len(self._entries) else None

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


def timestamp(epoch: float) -> str:
    """``epoch`` as ISO 8601 UTC with milliseconds and ``Z``."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
