"""The ``Prefer`` request header (Prism's syntax), parsed once at the edge.

``Prefer: code=409``, ``example=NAME``, ``dynamic=true`` answer from the spec, bypassing the
stateful fake; ``delay=300`` delays the answer by 300 ms. Unknown preferences are ignored,
as RFC 7240 asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from specfake.errors import FieldError, validation_failed

MAX_DELAY_MS = 60_000


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int = 0

    @property
    def bypasses_fake(self) -> bool:
        """Any of code/example/dynamic asks for the spec's answer instead of the fake's."""
        return self.code is not None or self.example is not None or self.dynamic


NO_PREFERENCES = Preferences()


def parse_prefer(header: str | None) -> Preferences:
    """Parse ``Prefer``; a malformed value of a known preference is a 400 naming it."""
    if not header:
        return NO_PREFERENCES
    values: dict[str, str] = {}
    for item in header.replace(";", ",").split(","):
        key, _, value = item.strip().partition("=")
        values[key.strip().lower()] = value.strip().strip('"')
    errors = []
    code = delay = None
    if "code" in values:
        code = _integer(values["code"], 100, 599)
        if code is None:
            errors.append(FieldError("header", "Prefer", "code= must be an HTTP status (100-599)"))
    if "delay" in values:
        delay = _integer(values["delay"], 0, MAX_DELAY_MS)
        if delay is None:
            errors.append(
                FieldError("header", "Prefer", f"delay= must be milliseconds, 0-{MAX_DELAY_MS}")
            )
    if errors:
        raise validation_failed(errors, status=400)
    return Preferences(
        code=code,
        example=values.get("example") or None,
        dynamic=values.get("dynamic", "").lower() == "true",
        delay_ms=delay or 0,
    )


def _integer(text: str, low: int, high: int) -> int | None:
    if not (text.isascii() and text.isdigit() and len(text) <= 9):  # "²".isdigit() is True
        return None
    return int(text) if low <= int(text) <= high else None
