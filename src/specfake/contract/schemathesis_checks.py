"""Custom Schemathesis checks for the bundled APIs' error contract (docs/interface.md,
"Error bodies").

Load them into any Schemathesis run (the repository's ``schemathesis.toml`` does)::

    SCHEMATHESIS_HOOKS=specfake.contract.schemathesis_checks schemathesis run SPEC --url URL

or in ``schemathesis.toml``: ``hooks = "specfake.contract.schemathesis_checks"``.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

PROBLEM_FIELDS = ("type", "title", "status", "detail")


def _json_body(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


@schemathesis.check
def problem_details_on_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is an RFC 9457 problem whose ``status`` is the HTTP status."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError(
            f"{response.status_code} answered with Content-Type {content_type!r}, "
            "not application/problem+json"
        )
    body = _json_body(response)
    missing = [name for name in PROBLEM_FIELDS if not isinstance(body, dict) or name not in body]
    if missing:
        raise AssertionError(f"problem body lacks {', '.join(missing)}")
    if body["status"] != response.status_code:
        raise AssertionError(f"problem status {body['status']} != HTTP {response.status_code}")
    return True


@schemathesis.check
def www_authenticate_on_401(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 401 tells the client how to authenticate (RFC 9110 §11.6.1)."""
    if response.status_code != 401:
        return None
    if not response.headers.get("www-authenticate"):
        raise AssertionError("401 without a WWW-Authenticate header")
    return True


@schemathesis.check
def conflict_reports_current_version(ctx: Any, response: Any, case: Any) -> bool | None:
    """A pathway 409 says which version the row has now, so the client can refetch and retry."""
    if response.status_code != 409 or "/v1/plan-definitions/" not in case.operation.path:
        return None
    body = _json_body(response)
    version = body.get("currentVersionId") if isinstance(body, dict) else None
    if isinstance(version, bool) or not isinstance(version, int | float):
        raise AssertionError("409 without a numeric currentVersionId")
    return True
