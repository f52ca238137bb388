"""Reading the ASGI scope cheaply: the raw path, the path as journaled, the headers by name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from starlette.datastructures import URL
from starlette.types import Scope


def raw_path(scope: Scope) -> str:
    """The path as sent, still percent-encoded (``%2F`` stays inside one segment)."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    return raw.decode("latin-1").split("?", 1)[0]


def url_path(scope: Scope) -> str:
    """``request.url.path``, without building the URL when it is the ASGI path (most requests)."""
    path: str = scope["path"]
    if path.startswith("/") and scope.get("server") and not _rewritten_by_url(path):
        return path
    return URL(scope=scope).path


def _rewritten_by_url(path: str) -> bool:
    """Whether ``path`` holds a character Starlette's ``URL`` escapes or drops (``?#\\``, tab,
    CR, LF). Six ``in`` tests: half the time of a regex search on a typical path."""
    return (
        "?" in path or "#" in path or "\\" in path or "\t" in path or "\r" in path
        or "\n" in path
    )


def request_target(scope: Scope) -> str:
    """Path and query as sent, still encoded: what a proxy forwards."""
    target: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return target.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


class RequestHeaders(Mapping[str, str]):
    """A request's headers by name, the first value winning as in Starlette's ``Headers``,
    whose every ``get`` scans the header list again; a request's headers are read by the
    guard, the CORS dispatch, auth, negotiation and validation. Names are looked up
    case-insensitively. The pairs go into a dict as they are (one C call, names already
    lower-case as ASGI sends them) and a value is decoded only when read: most never are."""

    __slots__ = ("_pairs", "_raw")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._pairs = raw
        self._raw = dict(reversed(raw))  # reversed: the first of repeated names wins

    @classmethod
    def of(cls, scope: Scope) -> RequestHeaders:
        """The headers of ``scope``, parsed on the first call for this request and kept in
        the scope (as Starlette keeps its ``state``), so every stage reads the same parse."""
        headers = scope.get(_HEADERS_KEY)
        if headers is None:
            headers = scope[_HEADERS_KEY] = cls(scope["headers"])
        return headers

    def get(self, key: str, default: Any = None) -> Any:
        value = self._raw.get(_wire_name(key))
        return default if value is None else value.decode("latin-1")

    def last(self, key: str) -> str | None:
        """The last value of ``key`` (lower-case): what the guard judges, as it always has."""
        if len(self._raw) == len(self._pairs):  # no name repeats: the only value
            value = self._raw.get(_wire_name(key))
        else:
            wanted = _wire_name(key)
            value = next((v for name, v in reversed(self._pairs) if name == wanted), None)
        return None if value is None else value.decode("latin-1")

    def __getitem__(self, key: str) -> str:
        value = self._raw.get(_wire_name(key))
        if value is None:
            raise KeyError(key)
        return value.decode("latin-1")

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _wire_name(key) in self._raw

    def __iter__(self) -> Iterator[str]:
        return (name.decode("latin-1") for name in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


_HEADERS_KEY = "specfake.headers"  # where RequestHeaders.of keeps a request's parse


@lru_cache(maxsize=256)  # the names read are the code's and the specs' few, every request
def _wire_name(name: str) -> bytes | None:
    """``name`` as it would arrive (lower-case, latin-1), or ``None`` for a name no request can
    carry (a spec's header parameter named ``X-Ωmega``): absent, as it always was. Kept per
    name: lower-casing and encoding it again cost more than the look-up it serves."""
    try:
        return name.lower().encode("latin-1")
    except UnicodeEncodeError:
        return None
