"""Forward a request to the real server (``specfake proxy``) and bring its answer back.

Hop-by-hop headers (RFC 9110 §7.6.1) stay on their own hop; everything else, the
``Authorization`` header included, goes through unchanged, since the upstream authenticates.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from specfake.errors import Problem
from specfake.pipeline.body import media_type_of
from specfake.pipeline.outcome import Outcome

HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    }
)  # fmt: skip
DEFAULT_TIMEOUT = 30.0


def upstream_outcome(status: int, headers: list[tuple[str, str]], content: bytes) -> Outcome:
    """The upstream's answer as an :class:`Outcome` sent exactly as received; its ``body`` is
    parsed for :func:`~specfake.pipeline.response_check.response_errors` only, and a JSON body
    that does not parse is kept as text, so the check reports it instead of crashing."""
    by_name = dict(headers)
    media_type = media_type_of(by_name.get("content-type"))
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except ValueError:
            body = content.decode("utf-8", "replace")
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    return Outcome(status, body, media_type, by_name, content=content, raw_headers=raw)


class Forwarder:
    """One connection pool to the upstream, opened and closed by the app's lifespan."""

    def __init__(self, upstream: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.upstream = upstream.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=timeout)

    async def close(self) -> None:
        await self._client.aclose()

    async def forward(
        self, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> Outcome:
        """Send ``method target`` (path and query, still encoded) upstream; 502 if it fails."""
        kept = [
            (name, value)
            for name, value in headers
            if name.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        try:
            response = await self._client.request(
                method, self.upstream + target, headers=kept, content=body
            )
        except httpx.HTTPError as error:
            raise Problem(
                502, "upstream-unreachable", "The upstream server did not answer",
                f"{method} {self.upstream}{target} failed: {error!r}. Is --upstream right?",
            ) from error  # fmt: skip
        returned = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-encoding"
        ]
        return upstream_outcome(response.status_code, returned, response.content)
