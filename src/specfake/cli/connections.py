"""``GuardedHttpProtocol``: uvicorn's httptools protocol with the timers and the cap it lacks.

uvicorn arms its keep-alive timer only after a first response, so a connection that opens and
says nothing, or sends its headers or body a byte at a time, is kept forever; about 20,000 of
them exhaust the process's file descriptors. Here:

* a connection idle before its first request closes after ``idle_seconds``;
* a request whose headers are not complete after ``header_seconds`` gets a 408;
* a request whose body is not complete after ``body_seconds`` gets a 408;
* past ``max_connections`` open connections, a new one gets a 503 and is closed.

Every refusal is ``application/problem+json`` with ``Connection: close``, like the app's own.

And a response leaves in one write (:class:`CorkedTransport`), not uvicorn's two.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from specfake.config import ConnectionLimits
from specfake.errors import (
    PROBLEM_CONTENT_TYPE,
    Problem,
    request_timeout,
    too_many_connections,
)


def raw_problem(problem: Problem) -> bytes:
    """``problem`` as a whole HTTP/1.1 response, for answers written before or instead of the
    app (there is no ASGI cycle to send them through)."""
    body = json.dumps(problem.to_json()).encode()
    extra = "".join(f"{name}: {value}\r\n" for name, value in problem.headers.items())
    head = (
        f"HTTP/1.1 {problem.status} {HTTPStatus(problem.status).phrase}\r\n"
        f"content-type: {PROBLEM_CONTENT_TYPE}\r\ncontent-length: {len(body)}\r\n"
        f"{extra}connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


MAX_HELD_BYTES = 64 * 1024  # what CorkedTransport holds at most before it writes


class CorkedTransport:
    """A connection's transport whose writes within one turn of the event loop leave together:
    when the response is complete, at the turn's end or when the connection closes, whichever
    comes first. uvicorn writes a response's head and its body apart: two sends, two TCP
    segments and two wake-ups of the client per response, one of them avoidable (issue 21).
    What a later turn writes (a stream's next event) leaves in that turn. Anything but
    ``write`` and ``close`` is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)
        self._held_bytes += len(data)
        if self._held_bytes >= MAX_HELD_BYTES:  # a body streamed within one turn: uvicorn's
            self.flush()  # flow control watches the real transport's buffer, so fill that

    def flush(self) -> None:
        """Write what is held, as one (nothing once the connection is closing)."""
        held, self._held, self._held_bytes = self._held, [], 0
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:  # asked after every response: not through __getattr__
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedHttpProtocol(HttpToolsProtocol):
    """One connection; ``limits`` comes from :func:`guarded_protocol`."""

    limits = ConnectionLimits()
    _corked: CorkedTransport  # the connection's transport, set when it is made

    def __init__(self, *arguments: Any, **keywords: Any) -> None:
        super().__init__(*arguments, **keywords)
        self._request_timer: asyncio.TimerHandle | None = None
        self._timed_part: str | None = None  # what the armed timer waits for
        self._missing_part: str | None = None  # what the request being parsed still lacks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._corked = CorkedTransport(transport, self.loop)
        super().connection_made(self._corked)  # type: ignore[arg-type]  # one in all but type
        if len(self.connections) > self.limits.max_connections:
            self._refuse(too_many_connections(self.limits.max_connections))
            return
        # What uvicorn arms after a response, armed before the first request too.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.limits.idle_seconds, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse ``data``; then, if a request is left half-received, time what it lacks.

        A request whose bytes came in one read (nearly all of them) is parsed whole within
        it and needs no timer: arming and cancelling two per request cost a few percent of
        its time (issue 21)."""
        super().data_received(data)
        part = self._missing_part
        if part is not None and part != self._timed_part:
            limit = self.limits.header_seconds if part == "headers" else self.limits.body_seconds
            self._arm_request_timer(limit, part)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._missing_part = "headers"

    def on_headers_complete(self) -> None:
        self._cancel_request_timer()
        super().on_headers_complete()
        self._missing_part = "body"

    def on_message_complete(self) -> None:
        self._cancel_request_timer()
        self._missing_part = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """The response's last byte is written: send it now, not at the turn's end."""
        self._corked.flush()
        super().on_response_complete()

    def _arm_request_timer(self, seconds: float, part: str) -> None:
        self._cancel_request_timer()
        self._request_timer = self.loop.call_later(seconds, self._too_slow, seconds, part)
        self._timed_part = part

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
            self._timed_part = None

    def _too_slow(self, seconds: float, part: str) -> None:
        """The request's ``part`` did not arrive in time: 408, unless a response started."""
        self._request_timer = self._timed_part = None
        cycle = self.cycle
        if cycle is not None and part == "body":
            if cycle.response_started:
                return
            cycle.disconnected = True  # the app's receive() now says http.disconnect
            cycle.message_event.set()
        self._refuse(request_timeout(part, seconds))

    def _refuse(self, problem: Problem) -> None:
        if not self.transport.is_closing():
            self.transport.write(raw_problem(problem))
            self.transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedHttpProtocol]:
    """The protocol class for uvicorn's ``http=`` with these ``limits`` (uvicorn builds one
    instance per connection from the class, so the limits ride on a subclass)."""
    return type("GuardedHttpProtocol", (GuardedHttpProtocol,), {"limits": limits})
