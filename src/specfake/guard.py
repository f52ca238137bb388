"""What keeps the web pages a developer opens away from their local fake.

A dev server on 127.0.0.1 is reachable by every page the browser shows: a page whose domain
rebinds to 127.0.0.1 sends its own ``Host``, and any page can send a cross-site form POST.
So, before anything else:

* a ``Host`` that is not a loopback name, the bound address or an ``--allowed-host`` is a 421
  (for the served APIs and the control API alike);
* a control API write (``POST``/``PUT``/``DELETE`` under ``/__specfake__``) whose ``Origin`` is
  not an allowed one, or whose ``Sec-Fetch-Site`` is ``cross-site``, is a 403; curl and scripts,
  which send neither, keep working;
* with ``--control-token`` (required when bound beyond loopback) every control request needs
  ``Authorization: Bearer TOKEN`` or ``Specfake-Control-Token: TOKEN``, or, for the dashboard
  page opened in a browser, ``?control_token=TOKEN`` (its scripts pass it on). What tells
  nothing needs none: the page's own static files (``/__specfake__/static/``, the same in
  every install) and the health check (for probes and the tests' start-up wait).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from starlette.types import Scope

from specfake.config import CONTROL_PREFIX
from specfake.errors import Problem, control_token_required, cross_site_control, misdirected
from specfake.pipeline.scope import RequestHeaders

STATIC_PREFIX = f"{CONTROL_PREFIX}/static/"
HEALTH_PATH = f"{CONTROL_PREFIX}/health"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_HOST = "*"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    bound_host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()  # as given: any case, with or without a port
    origin_pattern: str | None = None  # the CORS origins (a regex), also allowed to write
    control_token: str | None = None
    _bound_name: str = field(init=False, repr=False, compare=False)
    # Host values seen and whether they are allowed: a client sends the same one every time.
    _host_verdicts: dict[str, bool] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        names = tuple(host_name(host) or host.lower() for host in self.allowed_hosts)
        object.__setattr__(self, "allowed_hosts", names)
        bound = host_name(self.bound_host) or self.bound_host.lower()
        object.__setattr__(self, "_bound_name", bound)

    def allows_host(self, host: str | None) -> bool:
        """``host`` is a Host header value's name part (:func:`host_name`; ``None``: none)."""
        if ANY_HOST in self.allowed_hosts:
            return True
        if host is None:
            return False
        return is_loopback(host) or host == self._bound_name or host in self.allowed_hosts

    def allows_host_header(self, value: str) -> bool:
        """``allows_host(host_name(value))``, remembered for the values seen (at most
        :data:`MAX_HOST_VERDICTS`; a flood of made-up ones is judged, not kept)."""
        verdict = self._host_verdicts.get(value)
        if verdict is None:
            verdict = self.allows_host(host_name(value))
            if len(self._host_verdicts) < MAX_HOST_VERDICTS:
                self._host_verdicts[value] = verdict
        return verdict

    def allows_origin(self, origin: str) -> bool:
        if self.origin_pattern and re.fullmatch(self.origin_pattern, origin):
            return True
        try:
            name = urlsplit(origin).hostname
        except ValueError:
            return False
        return name is not None and self.allows_host(name)


MAX_HOST_VERDICTS = 64
_HOST = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([^\[\]:@/\s]+))(?::[0-9]{1,5})?")


def host_name(value: str) -> str | None:
    """A ``Host`` value's name, lower-cased: ``127.0.0.1:4010`` → ``127.0.0.1``, ``[::1]:4010``
    → ``::1``; ``None`` for anything that is not a name (and an optional port)."""
    found = _HOST.fullmatch(value.strip())
    if found is None:
        return None
    return (found.group(1) or found.group(2)).lower()


class RequestGuard:
    """Applies a :class:`GuardPolicy` to every HTTP request, before routing."""

    def __init__(self, policy: GuardPolicy) -> None:
        self._policy = policy

    def refusal(self, scope: Scope) -> Problem | None:
        """The problem to answer instead of serving ``scope``, or ``None`` to serve it."""
        headers = RequestHeaders.of(scope)  # of a repeated header, the last one is judged
        policy = self._policy
        host = headers.last("host")
        if host is not None and not policy.allows_host_header(host):
            return misdirected(host, host_name(host) or host)
        path = scope["path"]
        if not path.startswith(CONTROL_PREFIX):
            return None
        public = scope["method"] in _SAFE_METHODS and (
            path == HEALTH_PATH or path.startswith(STATIC_PREFIX)
        )
        if policy.control_token is not None and not public:
            given = (
                headers.last("specfake-control-token")
                or _bearer(headers.last("authorization"))
                or _query_token(scope)
            )
            expected = policy.control_token.encode("utf-8", "surrogateescape")
            if given is None or not hmac.compare_digest(
                given.encode("utf-8", "surrogateescape"), expected
            ):
                return control_token_required()
        if scope["method"] not in _SAFE_METHODS:
            # An allowed Origin wins over Sec-Fetch-Site: a frontend on localhost:5173 calling
            # 127.0.0.1:4010 is "cross-site" to the browser, and is the user's own page.
            origin = headers.last("origin")
            if origin is not None:
                if origin == "null" or not policy.allows_origin(origin):
                    return cross_site_control(f"Origin {origin!r} is not an allowed origin")
            elif (headers.last("sec-fetch-site") or "").lower() == "cross-site":
                return cross_site_control("the request comes from another site")
        return None


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def _query_token(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("control_token")
    return values[0] if values else None
