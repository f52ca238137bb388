"""``GET /__specfake__/events``: the journal and every change as Server-Sent Events.

The stream (``text/event-stream``) sends, in order:

* ``event: refetch`` first, and again whenever this subscriber fell behind and events were
  dropped (``data: {"missed": N}``): fetch ``GET /__specfake__/requests`` and merge it by
  ``id``; the stream carries everything recorded since it opened;
* ``event: request`` per journal entry (``id:`` and ``data:`` the entry as the journal lists
  it, with its ``id``);
* ``event: changed`` with ``data: {"what": "state" | "overrides" | "faults" | "world" |
  "requests"}``: fetch that part again;
* a comment line every :data:`KEEPALIVE_SECONDS`, so idle proxies keep it open;
* ``event: bye`` when the server shuts down, then the end of the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from specfake.feed import Event, Missed, Subscription

KEEPALIVE_SECONDS = 15.0
RETRY_MS = 1000  # how soon a browser's EventSource reconnects after the stream ends
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # a proxy in front must not hold events back
]


def frame(event: str, data: Any, event_id: int | None = None) -> bytes:
    """One SSE message. JSON has no raw newlines, so ``data`` is always one line."""
    head = b"id: %d\n" % event_id if event_id is not None else b""
    return head + b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def frames(events: list[Event]) -> bytes:
    chunks = []
    for event in events:
        if event.kind == "request":
            chunks.append(frame("request", event.data.to_json(), event.data.id))
        else:
            chunks.append(frame("changed", {"what": event.data}))
    return b"".join(chunks)


class EventStream:
    """The ASGI response streaming one :class:`~specfake.feed.Subscription` until the client
    leaves or the feed closes it (shutdown)."""

    def __init__(self, subscription: Subscription) -> None:
        self._subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self._subscription
        gone = asyncio.create_task(_close_when_disconnected(receive, subscription))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            opening = b"retry: %d\n\n" % RETRY_MS + frame("refetch", {"missed": 0})
            await _body(send, opening)
            while (batch := await subscription.next(KEEPALIVE_SECONDS)) is not None:
                if isinstance(batch, Missed):
                    await _body(send, frame("refetch", {"missed": batch.count}))
                else:
                    await _body(send, frames(batch) if batch else b": keep-alive\n\n")
            if not gone.done():  # closed by the server, not by the client leaving
                await send({"type": "http.response.body", "body": frame("bye", {}),
                            "more_body": False})  # fmt: skip
        except OSError:  # the client left while an event was being written
            pass
        finally:
            subscription.close()
            gone.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await gone


async def _body(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _close_when_disconnected(receive: Receive, subscription: Subscription) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    subscription.close()
