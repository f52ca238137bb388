"""Overrides: force what an operation answers, from the control API (``POST
/__specfake__/overrides``), for the error states a frontend must handle.

An override names an operationId and any of a documented ``status``, a named ``example`` of
it, and a ``delay_ms``; it applies to the next ``times`` calls (or until deleted) after auth
and validation, and with a status or example it bypasses the fake, as ``Prefer: code=`` does.
The newest override of an operation wins. They outlive a reload; one whose operation the new
specs no longer serve simply never applies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from specfake.errors import FieldError, validation_failed
from specfake.pipeline.preferences import MAX_DELAY_MS, Preferences
from specfake.spec.compile import CompiledOperation

MAX_OVERRIDES = 1000
_FIELDS = frozenset({"operationId", "status", "example", "delay_ms", "times"})


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    operation_id: str
    status: int | None = None
    example: str | None = None
    delay_ms: int = 0
    times: int | None = None  # calls left; None: until deleted

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operationId": self.operation_id,
            "status": self.status,
            "example": self.example,
            "delay_ms": self.delay_ms,
            "times": self.times,
        }

    def applied_to(self, preferences: Preferences) -> Preferences:
        """``preferences`` as this override changes them (its values win)."""
        return replace(
            preferences,
            code=self.status if self.status is not None else preferences.code,
            example=self.example if self.example is not None else preferences.example,
            delay_ms=self.delay_ms or preferences.delay_ms,
        )


class Overrides:
    """The overrides of a running server, newest last."""

    def __init__(self) -> None:
        self._overrides: list[Override] = []
        self._ids = itertools.count(1)

    def add(self, body: Any, operations: list[CompiledOperation]) -> Override:
        """Check ``body`` against the served ``operations`` (422 naming each bad field)."""
        errors = _errors(body, operations)
        if not errors and len(self._overrides) >= MAX_OVERRIDES:
            errors = [FieldError("body", "", f"at most {MAX_OVERRIDES} overrides; delete some")]
        if errors:
            raise validation_failed(errors)
        status, example = body.get("status"), body.get("example")
        if example is not None:  # the response that has it
            operation = next(op for op in operations if op.operation_id == body["operationId"])
            status = _status_with(operation, example, status)
        override = Override(
            id=str(next(self._ids)),
            operation_id=body["operationId"],
            status=status,
            example=example,
            delay_ms=body.get("delay_ms", 0),
            times=body.get("times"),
        )
        self._overrides.append(override)
        return override

    def take(self, operation_id: str) -> Override | None:
        """The override for this call of ``operation_id``, counting the call."""
        for index in range(len(self._overrides) - 1, -1, -1):
            override = self._overrides[index]
            if override.operation_id != operation_id:
                continue
            if override.times is not None:
                if override.times <= 1:
                    del self._overrides[index]
                else:
                    self._overrides[index] = replace(override, times=override.times - 1)
            return override
        return None

    def listed(self) -> list[dict[str, Any]]:
        return [override.to_json() for override in self._overrides]

    def delete(self, override_id: str | None = None) -> bool:
        """Delete one (``False`` if there is none with that id) or, without an id, all."""
        if override_id is None:
            self._overrides.clear()
            return True
        kept = [override for override in self._overrides if override.id != override_id]
        found = len(kept) != len(self._overrides)
        self._overrides = kept
        return found


def example_names(operation: CompiledOperation, code: str) -> set[str]:
    """The named examples of ``operation``'s ``code`` response, in any media type."""
    response = operation.responses.get(code)
    if response is None:
        return set()
    return {name for media in response.media.values() for name in media.examples}


def _status_with(operation: CompiledOperation, example: str, status: Any) -> int | None:
    """The documented status whose response has ``example`` (``status`` itself, if given)."""
    codes = [str(status)] if status is not None else sorted(operation.responses)
    for code in codes:
        if code.isdigit() and example in example_names(operation, code):
            return int(code)
    return None


def _errors(body: Any, operations: list[CompiledOperation]) -> list[FieldError]:
    if not isinstance(body, dict):
        return [FieldError("body", "", "must be an object with operationId")]
    errors = [FieldError("body", f"/{name}", f"unknown field; known: {', '.join(sorted(_FIELDS))}")
              for name in body if name not in _FIELDS]  # fmt: skip
    operation_id = body.get("operationId")
    matching = [op for op in operations if op.operation_id == operation_id]
    if not isinstance(operation_id, str) or not matching:
        served = ", ".join(sorted({op.operation_id for op in operations}))
        errors.append(FieldError("body", "/operationId", f"no served operation has it; served: "
                                 f"{served}"))  # fmt: skip
        return errors
    operation = matching[0]
    status, example = body.get("status"), body.get("example")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)
                               or str(status) not in operation.responses):  # fmt: skip
        documented = ", ".join(sorted(operation.responses))
        errors.append(FieldError("body", "/status", f"not a status {operation_id} documents "
                                 f"({documented})"))  # fmt: skip
    if example is not None and not isinstance(example, str):
        errors.append(FieldError("body", "/example", "must be the name of an example"))
    elif example is not None and _status_with(operation, example, status) is None:
        names = {name for code in operation.responses
                 for name in example_names(operation, code)}  # fmt: skip
        known = ", ".join(sorted(names)) or "none"
        where = f"the {status} response" if status is not None else operation_id
        errors.append(FieldError("body", "/example", f"{where} has no such example; known: "
                                 f"{known}"))  # fmt: skip
    delay = body.get("delay_ms", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY_MS:
        errors.append(FieldError("body", "/delay_ms", f"must be 0 to {MAX_DELAY_MS}"))
    times = body.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        errors.append(FieldError("body", "/times", "must be a whole number of calls, 1 or more"))
    if status is None and example is None and not delay:
        errors.append(FieldError("body", "", "give a status, an example or a delay_ms"))
    return errors
