"""The last stage: an :class:`Outcome` becomes the HTTP response sent."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from specfake.pipeline.body import is_json_media
from specfake.pipeline.outcome import Outcome


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
        response = Response(outcome.content, outcome.status)
        response.raw_headers = [
            *(outcome.raw_headers or []),
            (b"content-length", str(len(outcome.content)).encode()),
        ]
        return response
    if outcome.body is None:
        return Response(status_code=outcome.status, headers=outcome.headers)
    if isinstance(outcome.body, str | bytes) and not is_json_media(outcome.media_type):
        content = outcome.body.encode() if isinstance(outcome.body, str) else outcome.body
        return Response(content, outcome.status, outcome.headers, media_type=outcome.media_type)
    content = to_json(outcome.body)
    # No headers (the usual case) as None: Response then skips two list walks over them.
    headers = outcome.headers or None
    return Response(content, outcome.status, headers, media_type=outcome.media_type)


class DroppedResponse(Response):
    """A response that starts and is never finished: the connection is dropped half-way, as a
    failing server or network does (``--fail-rate`` where no 5xx is documented). uvicorn
    closes the connection when the app returns with the response incomplete."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})  # fmt: skip
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2],
                    "more_body": True})  # fmt: skip
