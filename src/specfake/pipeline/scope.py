"""Reading the ASGI scope cheaply: the raw path, the path as journaled, the headers by name."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import URL
from starlette.types import Scope

# Characters Starlette's ``URL`` escapes or drops, so ``URL(scope).path`` differs from the path.
_URL_REWRITTEN = re.compile(r"[?#\\\t\r\n]")


def raw_path(scope: Scope) -> str:
    """The path as sent, still percent-encoded (``%2F`` stays inside one segment)."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    return raw.decode("latin-1").split("?", 1)[0]


def url_path(scope: Scope) -> str:
    """``request.url.path``, without building the URL when it is the ASGI path (most requests)."""
    path: str = scope["path"]
    if path.startswith("/") and scope.get("server") and not _URL_REWRITTEN.search(path):
        return path
    return URL(scope=scope).path


def request_target(scope: Scope) -> str:
    """Path and query as sent, still encoded: what a proxy forwards."""
    target: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return target.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


class RequestHeaders(dict[str, str]):
    """A request's headers by lower-case name, the first value winning as in Starlette's
    ``Headers``, whose every ``get`` scans the header list again; the pipeline reads several.
    ``get`` is case-insensitive, which is all the pipeline stages use."""

    __slots__ = ()

    @classmethod
    def of(cls, scope: Scope) -> RequestHeaders:
        headers = cls()
        for key, value in reversed(scope["headers"]):
            headers[key.decode("latin-1")] = value.decode("latin-1")
        return headers

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, key.lower(), default)
