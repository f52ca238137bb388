"""Authenticate a request before anything else is looked at (docs/interface.md, "Auth").

Accepted bearer credentials: one of the configured tokens (``serve --token``, default ``dev``),
or any well-formed JWT that has not expired, so a frontend's real login tokens work unchanged.
The JWT's signature is not checked: specfake is a local fake, not an identity provider.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Collection, Mapping

from specfake.errors import Problem, unauthorized
from specfake.pipeline.body import parse_json
from specfake.spec.compile import CompiledOperation, SecurityScheme


def authenticate(
    operation: CompiledOperation,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    tokens: Collection[str],
) -> None:
    """Raise a 401 problem unless one security alternative of ``operation`` is satisfied.

    ``headers`` must look names up case-insensitively (as the pipeline's header mapping does).
    """
    if not operation.requires_auth:
        return
    reasons = []
    for alternative in operation.security:
        reason = None
        for scheme in alternative:  # every scheme of an alternative must pass
            reason = _check(scheme, headers, query, tokens)
            if reason:
                break
        if not reason:
            return
        reasons.append(reason)
    raise unauthorized(reasons[0])


def _check(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    tokens: Collection[str],
) -> str | None:
    """Why ``scheme`` is not satisfied, or ``None`` when it is."""
    if scheme.kind == "apiKey":
        value = (query if scheme.location == "query" else headers).get(scheme.name)
        return None if value else f"Send the API key in the {scheme.location} {scheme.name!r}."
    if scheme.kind == "other":
        return None
    authorization = headers.get("authorization", "")
    expected = "Bearer" if scheme.kind == "bearer" else "Basic"
    if not authorization:
        return f"Send 'Authorization: {expected} <token>'; no Authorization header was sent."
    given_scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if given_scheme.lower() != expected.lower() or not credentials:
        return f"The Authorization header must use the {expected} scheme with a credential."
    if scheme.kind == "basic" or credentials in tokens:
        return None
    problem = jwt_problem(credentials)
    if problem is None:
        return None
    return f"The bearer token is not accepted: {problem}. Use a --token value or a valid JWT."


def jwt_problem(token: str, now: float | None = None) -> str | None:
    """Why ``token`` is not a well-formed, unexpired JWT, or ``None`` when it is one."""
    parts = token.split(".")
    # The signature may be empty (an unsecured JWT, RFC 7519 §6) but must be base64url.
    if len(parts) != 3 or not all(parts[:2]) or not _BASE64URL.fullmatch(parts[2]):
        return "it is not a JWT (three base64url parts)"
    try:
        # As strict as request bodies: a deeply nested payload is refused, not a RecursionError.
        header, payload = (parse_json(_b64url(part)) for part in parts[:2])
    except (binascii.Error, Problem):
        return "its header or payload is not base64url-encoded JSON"
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return "its header and payload must be JSON objects"
    expires = payload.get("exp")
    if expires is not None:
        if isinstance(expires, bool) or not isinstance(expires, int | float):
            return "its 'exp' claim is not a number"
        if expires <= (time.time() if now is None else now):
            return "it has expired ('exp' is in the past)"
    return None


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def _b64url(part: str) -> bytes:
    if not _BASE64URL.fullmatch(part):  # str.isalnum() would let non-ASCII letters through
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
