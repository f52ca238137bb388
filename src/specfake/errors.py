"""Problem details (RFC 9457) as values, and the exception that carries one.

Every stage of the pipeline reports failures as a :class:`Problem`; the app turns it into an
``application/problem+json`` response. Keeping problems as data (Prism's "errors are data") lets
the request journal, the log line and the contract checks read the same fields the client sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

FieldLocation = Literal["body", "query", "path", "header"]

PROBLEM_TYPE_BASE = "urn:specfake:problem:"
PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field at fault: where it is, a JSON Pointer (or parameter name), and what is wrong."""

    location: FieldLocation
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"in": self.location, "path": self.path, "message": self.message}


def json_pointer(parts: list[str]) -> str:
    """RFC 6901: ``["a/b", "c"]`` → ``/a~1b/c``; how a :class:`FieldError` names a body field."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


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
    count = len(errors)
    noun = "field" if count == 1 else "fields"
    return Problem(
        status,
        "validation-failed",
        "Request does not match the spec",
        f"{count} {noun} failed validation; fix them and send the request again.",
        errors=errors,
    )


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
