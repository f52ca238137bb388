"""An HTTP client for the rules that records every exchange, for the cross-cutting rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from specfake.errors import SpecfakeError


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the checker sent and what came back."""

    method: str
    path: str
    status: int
    content_type: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when the body is empty or not JSON
    raw: bytes


class Probe:
    """Sends requests to the server under test with the configured token, and remembers them."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.exchanges: list[Exchange] = []
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        authorization: str | None = "default",
        record: bool = True,
    ) -> Exchange:
        """Send one request; ``authorization=None`` sends none, ``"default"`` the bearer token."""
        headers = {"Accept": "application/json, application/problem+json"}
        if authorization == "default":
            headers["Authorization"] = f"Bearer {self.token}"
        elif authorization is not None:
            headers["Authorization"] = authorization
        if json_body is not None:
            content = json.dumps(json_body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._client.request(method, path, content=content, headers=headers)
        except httpx.TransportError as error:
            raise SpecfakeError(f"cannot reach {self.base_url}: {error}") from error
        exchange = Exchange(
            method=method,
            path=path,
            status=response.status_code,
            content_type=response.headers.get("content-type", "").split(";")[0].strip(),
            headers=dict(response.headers),
            body=_parse(response.content),
            raw=response.content,
        )
        if record:
            self.exchanges.append(exchange)
        return exchange


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
