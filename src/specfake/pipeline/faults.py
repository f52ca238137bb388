"""Server-wide faults: ``--latency MS[-MS]`` and ``--fail-rate FRACTION``, and what the
dashboard sets at run time (``GET``/``PUT /__specfake__/faults``).

They apply after auth and validation, like overrides: a failing answer is the operation's
lowest documented 5xx, or, where it documents none, a response started and the connection
dropped. The running server holds one frozen :class:`Faults` and swaps it whole; a reload
keeps it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from specfake.errors import FieldError, validation_failed
from specfake.pipeline.preferences import Preferences
from specfake.spec.compile import CompiledOperation

MAX_LATENCY_MS = 60_000
_FIELDS = ("latency_ms", "fail_rate")


class Dropped(Exception):
    """The fail rate chose this request and the operation documents no 5xx: drop it."""


@dataclass(frozen=True, slots=True)
class Faults:
    latency_ms: tuple[int, int] | None = None  # every answer waits low..high ms
    fail_rate: float = 0.0  # this share of answers fails

    @property
    def active(self) -> bool:
        """Whether :meth:`applied` can change anything (most servers run without faults)."""
        return self.fail_rate > 0 or self.latency_ms is not None

    def to_json(self) -> dict[str, Any]:
        latency = list(self.latency_ms) if self.latency_ms else None
        return {"latency_ms": latency, "fail_rate": self.fail_rate}

    def updated(self, body: Any) -> Faults:
        """These faults with the fields ``body`` gives replaced (422 naming each bad one):
        ``{"latency_ms": [low, high] | ms | null, "fail_rate": 0..1}``."""
        if not isinstance(body, dict) or not body:
            raise validation_failed([FieldError("body", "", "give latency_ms and/or fail_rate")])
        errors = [FieldError("body", f"/{name}", f"unknown field; known: {', '.join(_FIELDS)}")
                  for name in body if name not in _FIELDS]  # fmt: skip
        latency, fail_rate = self.latency_ms, self.fail_rate
        if "latency_ms" in body:
            try:
                latency = _latency(body["latency_ms"])
            except ValueError:
                errors.append(FieldError("body", "/latency_ms", "must be null, a number of ms "
                                         f"or [low, high] with 0 <= low <= high <= "
                                         f"{MAX_LATENCY_MS}"))  # fmt: skip
        if "fail_rate" in body:
            fail_rate = body["fail_rate"]
            if isinstance(fail_rate, bool) or not isinstance(fail_rate, int | float) or not (
                0 <= fail_rate <= 1
            ):
                errors.append(FieldError("body", "/fail_rate", "must be a number from 0 to 1"))
        if errors:
            raise validation_failed(errors)
        return Faults(latency, float(fail_rate))

    def applied(self, preferences: Preferences, operation: CompiledOperation) -> Preferences:
        """``preferences`` with this request's fault: a 5xx code or a longer delay; raises
        :class:`Dropped` when it fails and ``operation`` documents no 5xx."""
        if self.fail_rate and random.random() < self.fail_rate:
            failures = sorted(code for code in operation.responses
                              if code.isdigit() and code[0] == "5")  # fmt: skip
            if not failures:
                raise Dropped()
            preferences = replace(preferences, code=int(failures[0]), example=None)
        if self.latency_ms:
            low, high = self.latency_ms
            delay = preferences.delay_ms + random.randint(low, high)
            preferences = replace(preferences, delay_ms=delay)
        return preferences


def _latency(value: Any) -> tuple[int, int] | None:
    """``null``, ``300`` or ``[100, 800]`` as bounds (``--latency``'s ``MS[-MS]``); a
    ``ValueError`` for anything else."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):  # fmt: skip
        raise ValueError(value)
    low, high = value
    if not 0 <= low <= high <= MAX_LATENCY_MS:
        raise ValueError(value)
    return low, high
