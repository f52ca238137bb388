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
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from starlette.types import Receive, Scope, Send

from specfake.config import CONTROL_PREFIX
from specfake.errors import Problem, control_token_required, cross_site_control, misdirected
from specfake.pipeline.outcome import problem_outcome
from specfake.pipeline.render import render

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

    def __post_init__(self) -> None:
        names = tuple(host_name(host) or host.lower() for host in self.allowed_hosts)
        object.__setattr__(self, "allowed_hosts", names)

    def allows_host(self, host: str | None) -> bool:
        """``host`` is a Host header value's name part (:func:`host_name`; ``None``: none)."""
        if ANY_HOST in self.allowed_hosts:
            return True
        if host is None:
            return False
        bound = host_name(self.bound_host) or self.bound_host.lower()
        return is_loopback(host) or host == bound or host in self.allowed_hosts

    def allows_origin(self, origin: str) -> bool:
        if self.origin_pattern and re.fullmatch(self.origin_pattern, origin):
            return True
        try:
            name = urlsplit(origin).hostname
        except ValueError:
            return False
        return name is not None and self.allows_host(name)


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

    async def refused(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer ``scope`` with its refusal and say so, or leave it to be served."""
        problem = self.refusal(scope)
        if problem is None:
            return False
        await render(problem_outcome(problem))(scope, receive, send)
        return True

    def refusal(self, scope: Scope) -> Problem | None:
        """The problem to answer instead of serving ``scope``, or ``None`` to serve it."""
        host = origin = fetch_site = authorization = control_token = None
        for key, value in scope["headers"]:
            if key == b"host":
                host = value.decode("latin-1")
            elif key == b"origin":
                origin = value.decode("latin-1")
            elif key == b"sec-fetch-site":
                fetch_site = value.decode("latin-1").lower()
            elif key == b"authorization":
                authorization = value.decode("latin-1")
            elif key == b"specfake-control-token":
                control_token = value.decode("latin-1")
        policy = self._policy
        if host is not None:
            name = host_name(host)
            if not policy.allows_host(name):
                return misdirected(host, name or host)
        if not scope["path"].startswith(CONTROL_PREFIX):
            return None
        path = scope["path"]
        public = scope["method"] in _SAFE_METHODS and (
            path == HEALTH_PATH or path.startswith(STATIC_PREFIX)
        )
        if policy.control_token is not None and not public:
            given = control_token or _bearer(authorization) or _query_token(scope)
            expected = policy.control_token.encode("utf-8", "surrogateescape")
            if given is None or not hmac.compare_digest(
                given.encode("utf-8", "surrogateescape"), expected
            ):
                return control_token_required()
        if scope["method"] not in _SAFE_METHODS:
            # An allowed Origin wins over Sec-Fetch-Site: a frontend on localhost:5173 calling
            # 127.0.0.1:4010 is "cross-site" to the browser, and is the user's own page.
            if origin is not None:
                if origin == "null" or not policy.allows_origin(origin):
                    return cross_site_control(f"Origin {origin!r} is not an allowed origin")
            elif fetch_site == "cross-site":
                return cross_site_control("the request comes from another site")
        return None


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def _query_token(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("control_token")
    return values[0] if values else None
