"""Server settings, one place for the defaults the CLI and tests share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTROL_PREFIX = "/__specfake__"  # the control API's routes (docs/interface.md)
DEFAULT_MAX_BODY = 1024 * 1024  # the largest accepted request body, in bytes (--max-body)
DEFAULT_STORE = "memory://"
# A reservation of an idempotency key lapses after this many seconds (fakes/idempotency.py):
# far longer than a fake's work takes, short enough that a retry after a crash soon succeeds.
DEFAULT_IDEMPOTENCY_LEASE = 10.0
# How long in-flight requests may still finish after SIGTERM before they are cancelled.
DEFAULT_GRACE_SECONDS = 5.0
# Any http://localhost:PORT or http://127.0.0.1:PORT origin: where a dev server runs the app.
LOCAL_ORIGINS = r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """Per-connection timers and the connection cap (``cli/connections.py`` applies them)."""

    idle_seconds: float = 5.0  # open, sending nothing (before a request or between two)
    header_seconds: float = 10.0  # from a request's first byte to the end of its headers
    body_seconds: float = 30.0  # from the end of the headers to the end of the body
    max_connections: int = 1000


DEFAULT_LIMITS = ConnectionLimits()


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What ``specfake serve`` runs: which specs and fixtures, and how strictly."""

    specs: list[Path]
    fixtures: Path | None = None
    # Set: the specs it lists are made from their docs pages and overlays in memory, at start
    # and on every reload (serve --manifest); only ``import-docs`` writes spec files.
    manifest: Path | None = None
    tokens: tuple[str, ...] = ("dev",)
    max_body: int = DEFAULT_MAX_BODY
    seed: int | None = None
    cors_origin_regex: str | None = LOCAL_ORIGINS
    journal_size: int = 1000
    idempotency_max_keys: int = 10_000
    idempotency_max_age_seconds: float = 24 * 3600
    idempotency_lease_seconds: float = DEFAULT_IDEMPOTENCY_LEASE
    max_records: int = 100_000  # per collection a request can grow (drafts...); past it 507
    validate_responses: bool = True
    upstream: str | None = None  # set: forward every request there (specfake proxy)
    proxy_errors: bool = False  # with upstream: refuse invalid requests and answers
    store: str = DEFAULT_STORE  # where state lives, by URL (store.open_store)
    workers: int = 1  # processes serving one port over a shared store; >1: follow reloads
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    host: str = "127.0.0.1"  # the bound address: a Host this server answers to
    allowed_hosts: tuple[str, ...] = ()  # more Host names (--allowed-host; "*": any)
    control_token: str | None = None  # required on the control API when set
    watch: bool = False  # reload when the served files change (serve's default: --no-watch)
    latency_ms: tuple[int, int] | None = None  # every answer waits low..high ms (--latency)
    stateless: bool = False  # every operation a plain mock, the built-in fakes included
    fail_rate: float = 0.0  # this share of answers fails: a documented 5xx, else dropped
