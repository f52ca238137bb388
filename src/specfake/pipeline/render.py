"""The last stage: an :class:`Outcome` becomes the HTTP response sent."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from specfake.pipeline.body import is_json_media
from specfake.pipeline.outcome import Outcome

RawHeaders = list[tuple[bytes, bytes]]


def to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, by orjson (several times faster than ``json.dumps``); the few values
    it refuses (integers past 64 bits, which a body or fixture may hold; non-string keys) go
    through ``json``."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def render(outcome: Outcome) -> Response:
    if outcome.content is not None:  # sent as received (proxy mode)
        content = outcome.content
        length = (b"content-length", str(len(content)).encode())
        return RenderedResponse(content, outcome.status, [*(outcome.raw_headers or []), length])
    body = outcome.body
    if body is None:
        content, media_type = b"", None
    elif isinstance(body, str | bytes) and not is_json_media(outcome.media_type):
        content, media_type = body.encode() if isinstance(body, str) else body, outcome.media_type
    else:
        content, media_type = to_json(body), outcome.media_type
    headers = response_headers(outcome.status, content, media_type, outcome.headers)
    return RenderedResponse(content, outcome.status, headers)


def response_headers(
    status: int, body: bytes, media_type: str | None, headers: Mapping[str, str]
) -> RawHeaders:
    """The header list Starlette's ``Response(body, status, headers, media_type)`` sends, built
    without its constructor's general path (``init_headers``): ``headers`` lower-cased, then
    ``content-length`` and ``content-type`` unless given, as Starlette adds them (no length on
    a 1xx, 204 or 304; text types in UTF-8). ``tests/pipeline/test_render.py`` compares the
    two on many inputs."""
    raw: RawHeaders = []
    given: Collection[bytes] = ()
    if headers:  # most answers have none: no walks over them
        raw = [(name.lower().encode("latin-1"), value.encode("latin-1"))
               for name, value in headers.items()]  # fmt: skip
        given = {name for name, _ in raw}
    if b"content-length" not in given and not (status < 200 or status in (204, 304)):
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
    if media_type is not None and b"content-type" not in given:
        if media_type.startswith("text/") and "charset=" not in media_type.lower():
            media_type += "; charset=utf-8"
        raw.append((b"content-type", media_type.encode("latin-1")))
    return raw


class RenderedResponse(Response):
    """A Starlette response from a body already encoded and its header list already built
    (:func:`response_headers`); sent as any ``Response`` is."""

    def __init__(self, body: bytes, status: int, raw_headers: RawHeaders) -> None:
        self.status_code = status
        self.body = body
        self.raw_headers = raw_headers
        self.background = None


class DroppedResponse(Response):
    """A response that starts and is never finished: the connection is dropped half-way, as a
    failing server or network does (``--fail-rate`` where no 5xx is documented). uvicorn
    closes the connection when the app returns with the response incomplete."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})  # fmt: skip
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2],
                    "more_body": True})  # fmt: skip
