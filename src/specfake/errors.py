"""Problem details (RFC 9457) as values, and the exception that carries one.

Every stage of the pipeline reports failures as a :class:`Problem`; the app turns it into an
``application/problem+json`` response. Keeping problems as data (Prism's "errors are data") lets
the request journal, the log line and the contract checks read the same fields the client sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import islice
from typing import Any, Literal

FieldLocation = Literal["body", "query", "path", "header"]

PROBLEM_TYPE_BASE = "urn:specfake:problem:"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# At most this many field errors in one answer (and its journal entry): a 1 MB body can break
# a schema 250,000 times, and listing each would cost megabytes per request.
MAX_FIELD_ERRORS = 100


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field at fault: where it is, a JSON Pointer (or parameter name), and what is wrong."""

    location: FieldLocation
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"in": self.location, "path": self.path, "message": self.message}


MAX_MESSAGE_CHARS = 500


def shortened(message: str) -> str:
    """``message``, cut to :data:`MAX_MESSAGE_CHARS`: a validator quotes the failing value,
    which may be a megabyte long."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}… ({len(message)} characters in all)"


def json_pointer(parts: list[str]) -> str:
    """RFC 6901: ``["a/b", "c"]`` → ``/a~1b/c``; how a :class:`FieldError` names a body field.
    (A plain loop: a third cheaper than a generator joined, and a 422 names several.)"""
    pointer = ""
    for part in parts:
        pointer += "/" + part.replace("~", "~0").replace("/", "~1")
    return pointer


@dataclass(slots=True)
class Problem(Exception):
    """An RFC 9457 problem. Raise it anywhere in a request; the app renders it."""

    status: int
    slug: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    @property
    def type(self) -> str:
        return PROBLEM_TYPE_BASE + self.slug

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [error.to_json() for error in self.errors]
        body.update(self.extensions)
        return body


def malformed_json(detail: str) -> Problem:
    return Problem(400, "malformed-json", "Malformed JSON body", detail)


def validation_failed(errors: list[FieldError], status: int = 422) -> Problem:
    """A 422 (or ``status``) listing the failing fields, the first :data:`MAX_FIELD_ERRORS`.

    Past the cap the count is not exact ("more than 100"): producers stop looking once they
    have one more than the cap (:func:`first_errors`), so the cap saves the work too.
    """
    count = len(errors)
    if count > MAX_FIELD_ERRORS:
        summary = (
            f"More than {MAX_FIELD_ERRORS} fields failed validation; the first "
            f"{MAX_FIELD_ERRORS} are listed. Fix them and send the request again."
        )
        errors = errors[:MAX_FIELD_ERRORS]
    else:
        noun = "field" if count == 1 else "fields"
        summary = f"{count} {noun} failed validation; fix them and send the request again."
    return Problem(
        status, "validation-failed", "Request does not match the spec", summary, errors=errors
    )


def first_errors(errors: Iterable[FieldError]) -> list[FieldError]:
    """Enough of ``errors`` for :func:`validation_failed`: one more than the cap, so it can
    say "more than"; a lazy iterable is not run past that."""
    return list(islice(errors, MAX_FIELD_ERRORS + 1))


def unauthorized(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Authentication required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="specfake"'},
    )


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", "Not found", detail)


def method_not_allowed(method: str, allowed: list[str]) -> Problem:
    allow = ", ".join(allowed)
    return Problem(
        405,
        "method-not-allowed",
        "Method not allowed",
        f"{method} is not defined for this path; the spec allows {allow}.",
        headers={"Allow": allow},
    )


def not_acceptable(accept: str, available: list[str]) -> Problem:
    return Problem(
        406,
        "not-acceptable",
        "Not acceptable",
        f"Accept: {accept!r} matches none of {', '.join(available)}.",
        errors=[FieldError("header", "Accept", f"must accept one of {', '.join(available)}")],
    )


def conflict(detail: str, **extensions: Any) -> Problem:
    return Problem(409, "conflict", "Conflict", detail, extensions=extensions)


def payload_too_large(limit: int) -> Problem:
    return Problem(
        413,
        "payload-too-large",
        "Request body too large",
        f"The body is over the {limit}-byte limit (serve --max-body).",
    )


def unsupported_media_type(content_type: str, supported: list[str]) -> Problem:
    return Problem(
        415,
        "unsupported-media-type",
        "Unsupported Content-Type",
        f"Content-Type {content_type!r} is not accepted; send one of {', '.join(supported)}.",
        errors=[FieldError("header", "Content-Type", f"must be one of {', '.join(supported)}")],
    )


def response_invalid(errors: list[FieldError], status: int) -> Problem:
    return Problem(
        500,
        "response-validation-failed",
        "The fake produced a response that breaks the spec",
        f"The {status} response was not sent because it breaks the spec; this is a bug in the "
        "fake, the fixtures or the spec's examples.",
        errors=errors,
    )


def upstream_response_invalid(errors: list[FieldError], status: int) -> Problem:
    return Problem(
        502,
        "upstream-response-invalid",
        "The upstream server's answer breaks the spec",
        f"The upstream answered {status} with a response that breaks the spec (proxy --errors); "
        "fix the server or the spec.",
        errors=errors,
    )


def internal_error() -> Problem:
    """A bug in specfake, described to the client instead of a bare 500."""
    return Problem(500, "internal-error", "specfake failed", "See the server log.")


def control_route_error(status: int, detail: str, headers: dict[str, str]) -> Problem:
    """The control API's own 404/405 (unknown route, wrong method)."""
    phrase = HTTPStatus(status).phrase
    return Problem(status, phrase.lower().replace(" ", "-"), phrase, detail, headers=headers)


def insufficient_storage(collection: str, capacity: int) -> Problem:
    return Problem(
        507,
        "insufficient-storage",
        "The fake is full",
        f"{collection} already holds {capacity} records, the most one fake keeps "
        "(serve --max-records); delete some, POST /__specfake__/reset, or raise the limit.",
    )


def store_unavailable(detail: str) -> Problem:
    return Problem(
        503,
        "store-unavailable",
        "The state store does not answer",
        f"{detail}; retry once it is back (see the server log).",
        headers={"Retry-After": "1"},
    )


def misdirected(host: str, name: str) -> Problem:
    return Problem(
        421,
        "misdirected-request",
        "Host not served",
        f"Host {host!r} is not a name this server answers to (a page whose domain rebinds to "
        "this machine would send one). Use localhost or 127.0.0.1, or start specfake with "
        f"--allowed-host {name}.",
    )


def cross_site_control(reason: str) -> Problem:
    return Problem(
        403,
        "cross-site-control",
        "Control API writes are same-site only",
        f"Refused: {reason}, and a web page must not reset or replace the fake's state. "
        "Scripts (curl, tests) send no Origin and are served.",
    )


def control_token_required() -> Problem:
    return Problem(
        401,
        "control-token-required",
        "Control token required",
        "This server was started with --control-token; send Authorization: Bearer TOKEN or "
        "Specfake-Control-Token: TOKEN (the dashboard: ?control_token=TOKEN).",
        headers={"WWW-Authenticate": 'Bearer realm="specfake control"'},
    )


def request_timeout(part: str, seconds: float) -> Problem:
    option = "--header-timeout" if part == "headers" else "--body-timeout"
    return Problem(
        408,
        "request-timeout",
        "Request timeout",
        f"The request's {part} did not arrive within {seconds:g} s (serve {option}).",
    )


def too_many_connections(limit: int) -> Problem:
    return Problem(
        503,
        "too-many-connections",
        "Too many connections",
        f"This server keeps at most {limit} connections open (serve --max-connections); "
        "retry shortly.",
        headers={"Retry-After": "1"},
    )


def too_many_event_streams(limit: int) -> Problem:
    return Problem(
        503,
        "too-many-event-streams",
        "Too many event streams",
        f"At most {limit} dashboards (GET /__specfake__/events streams) can be open at once; "
        "close some tabs and retry.",
        headers={"Retry-After": "5"},
    )


def connection_dropped() -> Problem:
    return Problem(
        500,
        "connection-dropped",
        "Connection dropped",
        "--fail-rate chose this request and the operation documents no 5xx: the answer was "
        "started and the connection dropped.",
    )


def client_disconnected() -> Problem:
    return Problem(400, "client-disconnected", "Client disconnected", "The body never arrived.")


class SpecfakeError(Exception):
    """A start-up or usage error a person must fix (bad spec, bad fixture, bad page).

    ``file`` and ``pointer`` (a JSON Pointer into that file), where known, say where: a reload
    that fails reports them in its 422 body.
    """

    def __init__(self, message: str, *, file: object = None, pointer: str | None = None) -> None:
        super().__init__(message)
        self.file = None if file is None else str(file)
        self.pointer = pointer


def reload_failed(error: SpecfakeError) -> Problem:
    """The 422 of ``POST /__specfake__/reload``: the new files are refused, the old world stays."""
    where = {"file": error.file, "pointer": error.pointer}
    return Problem(
        422,
        "reload-failed",
        "Reload refused",
        f"{error} The previous specs and fixtures keep serving; fix the file and reload again.",
        extensions={name: value for name, value in where.items() if value is not None},
    )
