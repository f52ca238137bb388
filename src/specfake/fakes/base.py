"""What a stateful fake is: handlers for some operations, over a :class:`StateStore`.

A fake owns named sections of the fixture/state format (``pathways``, ``cohort_drafts``...),
each described by a JSON Schema so fixture files and ``PUT /__specfake__/state`` are checked
the same way, and it answers the operations it knows by method and path template.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.datastructures import Headers

from specfake.pipeline.outcome import Outcome
from specfake.spec.compile import CompiledOperation


@dataclass(frozen=True, slots=True)
class OperationRequest:
    """A request that passed auth and validation, as a fake sees it."""

    operation: CompiledOperation
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    headers: Headers
    body: Any


Handler = Callable[[OperationRequest], Awaitable[Outcome]]
OperationKey = tuple[str, str]  # (method, path template), e.g. ("POST", "/cohort/draft")


class Fake(Protocol):
    """A stand-in for one API that remembers what clients did."""

    name: str

    def handlers(self) -> Mapping[OperationKey, Handler]:
        """The operations this fake answers, by method and path template."""
        ...

    def state_schema(self) -> Mapping[str, dict[str, Any]]:
        """A JSON Schema for each state section this fake owns."""
        ...

    async def load(self, sections: Mapping[str, Any]) -> None:
        """Replace the fake's state with ``sections`` (already validated; missing ones = empty)."""
        ...

    async def dump(self) -> dict[str, Any]:
        """The fake's state, in the fixture format."""
        ...


def utc_now_iso() -> str:
    """Now as ISO 8601 UTC with milliseconds and ``Z``, the docs' timestamp format."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"  # drop "+00:00"
