"""The request journal as HAR 1.2 (``GET /__specfake__/requests?format=har``): a recording a
browser's tools can open and ``specfake verify`` will replay.

Credentials never leave in it: ``Authorization``, ``Proxy-Authorization``, cookies and API-key
headers are replaced by ``[redacted]``, and anything shaped like a JWT in a URL or a body by
``[redacted JWT]``. A body cut at the journal's limit says so in the entry's ``comment``.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from specfake.journal import JournalEntry, Recorded, timestamp

REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    "specfake-control-token",
})  # fmt: skip
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")


def har_log(entries: list[JournalEntry]) -> dict[str, Any]:
    """A HAR 1.2 document of ``entries`` that carry a recording, oldest first."""
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "specfake", "version": _version()},
            "entries": [_entry(entry, entry.recorded) for entry in entries if entry.recorded],
        }
    }


def _entry(entry: JournalEntry, recorded: Recorded) -> dict[str, Any]:
    url = f"{recorded.scheme}://{recorded.host}{_redacted_text(recorded.target)}"
    request_type = _header(recorded.request_headers, b"content-type")
    response_type = _header(recorded.response_headers, b"content-type")
    http_version = f"HTTP/{recorded.http_version}"
    request: dict[str, Any] = {
        "method": entry.method,
        "url": url,
        "httpVersion": http_version,
        "cookies": [],
        "headers": _headers(recorded.request_headers),
        "queryString": [
            {"name": name, "value": _redacted_text(value)}
            for name, value in parse_qsl(urlsplit(recorded.target).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": recorded.request_size,
    }
    if recorded.request_size:
        request["postData"] = {"mimeType": request_type or "", "text": _text(recorded.request_body)}
    cut = [part for part, kept, size in (
        ("request", recorded.request_body, recorded.request_size),
        ("response", recorded.response_body, recorded.response_size),
    ) if len(kept) < size]  # fmt: skip
    har: dict[str, Any] = {
        "startedDateTime": timestamp(entry.time),
        "time": entry.duration_ms,
        "request": request,
        "response": {
            "status": entry.status,
            "statusText": _phrase(entry.status),
            "httpVersion": http_version,
            "cookies": [],
            "headers": _headers(recorded.response_headers),
            "content": {
                "size": recorded.response_size,
                "mimeType": response_type or "",
                "text": _text(recorded.response_body),
            },
            "redirectURL": _header(recorded.response_headers, b"location") or "",
            "headersSize": -1,
            "bodySize": recorded.response_size,
        },
        "cache": {},
        "timings": {"send": 0, "wait": entry.duration_ms, "receive": 0},
    }
    if entry.operation_id:
        har["_operationId"] = entry.operation_id
    if cut:
        noun = "bodies" if len(cut) > 1 else "body"
        har["comment"] = f"{' and '.join(cut)} {noun} cut to the journal's limit"
    return har


def _headers(raw: list[tuple[bytes, bytes]]) -> list[dict[str, str]]:
    headers = []
    for key, value in raw:
        name = key.decode("latin-1")
        text = REDACTED if name.lower() in _SECRET_HEADERS else value.decode("latin-1")
        headers.append({"name": name, "value": _redacted_text(text)})
    return headers


def _header(raw: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in raw if key.lower() == name), None)


def _text(body: bytes) -> str:
    return _redacted_text(body.decode("utf-8", "replace"))


def _redacted_text(text: str) -> str:
    return _JWT.sub("[redacted JWT]", text)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _version() -> str:
    try:
        return version("specfake")
    except PackageNotFoundError:
        return "unknown"
