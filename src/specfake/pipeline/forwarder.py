"""Forward a request to the real server (``specfake proxy``) and bring its answer back.

Hop-by-hop headers (RFC 9110 §7.6.1) stay on their own hop; everything else, the
``Authorization`` header included, goes through unchanged, since the upstream authenticates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.responses import Response

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


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """The upstream's answer as received, and as an :class:`Outcome` for validation."""

    status: int
    headers: list[tuple[str, str]]
    content: bytes

    def outcome(self) -> Outcome:
        """Parsed for :func:`~specfake.pipeline.response_check.response_errors`; a JSON body
        that does not parse is kept as text, so the check reports it instead of crashing."""
        headers = dict(self.headers)
        media_type = media_type_of(headers.get("content-type"))
        body: Any = None
        if self.content:
            try:
                body = json.loads(self.content)
            except ValueError:
                body = self.content.decode("utf-8", "replace")
        return Outcome(self.status, body, media_type, headers)

    def response(self, violations: int) -> Response:
        """The answer as received, plus ``Specfake-Violations``: how many spec violations the
        request and this answer had (details in the journal and the log)."""
        response = Response(self.content, self.status)
        response.raw_headers = [
            *(
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in self.headers
            ),
            (b"content-length", str(len(self.content)).encode()),
            (b"specfake-violations", str(violations).encode()),
        ]
        return response


class Forwarder:
    """One connection pool to the upstream for the life of the process."""

    def __init__(self, upstream: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.upstream = upstream.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=timeout)

    async def forward(
        self, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> UpstreamResponse:
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
        return UpstreamResponse(response.status_code, returned, response.content)
