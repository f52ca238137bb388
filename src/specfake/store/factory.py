"""``open_store(url)``: the store a ``--store URL`` names, by its scheme.

One table from scheme to constructor, so a new store (``sqlite://``, ``redis://``) plugs in
here without the app knowing: the app only ever sees a :class:`StateStore`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from specfake.errors import SpecfakeError
from specfake.store.base import StateStore
from specfake.store.memory import MemoryStore


def _memory(url: SplitResult) -> StateStore:
    if url.netloc or url.path not in ("", "/"):
        raise SpecfakeError(f"--store {url.geturl()}: memory:// takes no host or path")
    return MemoryStore()


def _sqlite(url: SplitResult) -> StateStore:
    """``sqlite:///state.db`` (relative) or ``sqlite:////var/state.db`` (absolute), as in
    SQLAlchemy: what follows the third slash is the path."""
    if url.netloc or len(url.path) < 2:
        raise SpecfakeError(f"--store {url.geturl()}: give a file, e.g. sqlite:///specfake.db")
    from specfake.store.sqlite import SqliteStore

    return SqliteStore(Path(url.path[1:]))


def _redis(url: SplitResult) -> StateStore:
    """``redis://HOST:PORT/DB`` (``rediss://`` for TLS), with ``?prefix=NAME:`` for the keys
    (default ``specfake:``); the other query parameters are redis-py's own."""
    if not url.hostname:
        raise SpecfakeError(f"--store {url.geturl()}: give a host, e.g. redis://127.0.0.1:6379/0")
    database = url.path.strip("/")
    if database and not database.isdigit():
        raise SpecfakeError(f"--store {url.geturl()}: the path is a database number, e.g. /0")
    from specfake.store.redis import DEFAULT_PREFIX, RedisStore

    query = parse_qsl(url.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "prefix"), DEFAULT_PREFIX)
    if not prefix:
        raise SpecfakeError(f"--store {url.geturl()}: prefix= needs a value, e.g. prefix=myapp:")
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    return RedisStore(url._replace(query=rest).geturl(), prefix=prefix)


_STORES: dict[str, Callable[[SplitResult], StateStore]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "redis": _redis,
    "rediss": _redis,
}


def open_store(url: str) -> StateStore:
    """The store ``url`` names; an unknown scheme is a :class:`SpecfakeError` listing the known."""
    parts = urlsplit(url)
    make = _STORES.get(parts.scheme)
    if make is None:
        known = ", ".join(f"{scheme}://" for scheme in _STORES)
        raise SpecfakeError(f"--store {url!r}: unknown store scheme; known: {known}")
    return make(parts)


def store_shares_state(url: str) -> bool:
    """Whether several processes can share the store ``url`` names (``--workers``)."""
    return urlsplit(url).scheme not in ("memory", "")
