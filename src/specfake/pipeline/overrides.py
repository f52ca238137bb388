"""Overrides: force what an operation answers, from the control API (``POST
/__specfake__/overrides``), for the error states a frontend must handle.

An override names an operationId and any of a documented ``status``, a named ``example`` of
it, and a ``delay_ms``; it applies to the next ``times`` calls (or until deleted) after auth
and validation, and with a status or example it bypasses the fake, as ``Prefer: code=`` does.
The newest override of an operation wins. They outlive a reload; one whose operation the new
specs no longer serve simply never applies. With several workers they live in the shared
store, so every worker applies them (a read of one record per request); one process knows
when none can be pending and skips the read (:meth:`Overrides.may_be_pending`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from specfake.errors import FieldError, validation_failed
from specfake.pipeline.preferences import MAX_DELAY_MS, Preferences
from specfake.spec.compile import CompiledOperation
from specfake.store.base import StateStore, Versioned

Json = dict[str, Any]

MAX_OVERRIDES = 1000
COLLECTION, KEY = "__specfake__", "overrides"  # a collection no fake names
_FIELDS = frozenset({"operationId", "status", "example", "delay_ms", "times"})


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    operation_id: str
    status: int | None = None
    example: str | None = None
    delay_ms: int = 0
    times: int | None = None  # calls left; None: until deleted

    @classmethod
    def of(cls, stored: Json) -> Override:
        """The override :meth:`to_json` gave."""
        return cls(stored["id"], stored["operationId"], stored["status"], stored["example"],
                   stored["delay_ms"], stored["times"])  # fmt: skip

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
    """The overrides of a running server, newest last, kept in one record of ``store``: a
    private memory store for one process, the shared store with several workers, so an
    override made on any worker applies on all and counts its ``times`` once. Every change is
    a compare-and-set of the whole list, retried when another request changed it first.

    ``private``: no other process writes ``store``, so this object sees every add and can
    tell when none is pending (:meth:`may_be_pending`)."""

    def __init__(self, store: StateStore, private: bool = False) -> None:
        self._store = store
        self._private = private
        self._adds = 0  # overrides this object added
        self._adds_when_empty: int | None = None  # ``_adds`` when ``take`` last found none

    def may_be_pending(self) -> bool:
        """Whether :meth:`take` could find an override: always on a shared store (another
        worker may have added one); in one process, unless ``take`` found none and nothing was
        added since, which spares every request a store read when overrides are not used."""
        return not self._private or self._adds != self._adds_when_empty

    async def add(self, body: Any, operations: list[CompiledOperation]) -> Override:
        """Check ``body`` against the served ``operations`` (422 naming each bad field)."""
        errors = _errors(body, operations)
        if errors:
            raise validation_failed(errors)
        status, example = body.get("status"), body.get("example")
        if example is not None:  # the response that has it
            operation = next(op for op in operations if op.operation_id == body["operationId"])
            status = _status_with(operation, example, status)
        while True:
            record = await self._store.get(COLLECTION, KEY)
            value = record.value if record else {"next_id": 1, "overrides": []}
            if len(value["overrides"]) >= MAX_OVERRIDES:
                message = f"at most {MAX_OVERRIDES} overrides; delete some"
                raise validation_failed([FieldError("body", "", message)])
            override = Override(
                id=str(value["next_id"]),
                operation_id=body["operationId"],
                status=status,
                example=example,
                delay_ms=body.get("delay_ms", 0),
                times=body.get("times"),
            )
            changed = {"next_id": value["next_id"] + 1,
                       "overrides": [*value["overrides"], override.to_json()]}  # fmt: skip
            if await self._write(record, changed):
                self._adds += 1  # no await since the write: no take can miss it
                return override

    async def take(self, operation_id: str) -> Override | None:
        """The override for this call of ``operation_id``, counting the call."""
        while True:
            adds = self._adds  # before the read: an add finishing during it stays pending
            record = await self._store.get(COLLECTION, KEY)
            listed = record.value["overrides"] if record else []
            if not listed:
                self._adds_when_empty = adds
                return None
            index = next((index for index in range(len(listed) - 1, -1, -1)
                          if listed[index]["operationId"] == operation_id), None)  # fmt: skip
            if index is None:
                return None
            override = Override.of(listed[index])
            if override.times is None:
                return override
            changed = list(listed)
            if override.times <= 1:
                del changed[index]
            else:
                changed[index] = replace(override, times=override.times - 1).to_json()
            if await self._write(record, {**record.value, "overrides": changed}):
                return override

    async def listed(self) -> list[dict[str, Any]]:
        record = await self._store.get(COLLECTION, KEY)
        return list(record.value["overrides"]) if record else []

    async def delete(self, override_id: str | None = None) -> bool:
        """Delete one (``False`` if there is none with that id) or, without an id, all."""
        while True:
            record = await self._store.get(COLLECTION, KEY)
            if record is None:
                return override_id is None
            listed = record.value["overrides"]
            kept = [] if override_id is None else [o for o in listed if o["id"] != override_id]
            if len(kept) == len(listed):
                return override_id is None
            if await self._write(record, {**record.value, "overrides": kept}):
                return True

    async def _write(self, record: Versioned | None, value: Json) -> bool:
        expected = record.revision if record else None
        return await self._store.compare_and_set(COLLECTION, KEY, expected, value) is not None


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
