"""What the producing stage gets and answers with, before it becomes an HTTP response.

A producer (a fake's handler, the mocker, the forwarder) gets an :class:`OperationRequest`,
one that passed routing, auth and validation, and answers an :class:`Outcome`; the pipeline
validates the outcome against the spec and renders it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers

from specfake.errors import PROBLEM_CONTENT_TYPE, Problem
from specfake.spec.compile import CompiledOperation

JSON = "application/json"


@dataclass(slots=True)
class Outcome:
    """A status, a JSON-able body (``None`` for no body), its media type and extra headers.

    ``content``, when set, is the body as bytes to send exactly as they are (an upstream's
    answer in proxy mode, with its headers in ``raw_headers``); ``body`` is then its parsed
    form, for validation only. ``checked``: the producer validated it against the spec
    already (and put any breach in ``Specfake-Warning``), so the pipeline does not again.
    ``problem``: set on a producer's refusal (its own 404, 409...) answered as a value, what
    was wrong, for the journal (returned, not raised as :class:`Refusal`: raising one through
    the coroutines of a handler cost about 2.5 µs per refused request).
    """

    status: int
    body: Any
    media_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    raw_headers: list[tuple[bytes, bytes]] | None = None
    checked: bool = False
    problem: Problem | None = None


@dataclass(slots=True)
class OperationRequest:
    """A request that passed auth and validation, as a fake sees it; read-only by contract
    (a fake that needs another makes one with ``dataclasses.replace``). Not ``frozen``: one
    is made for every request a fake answers, and a frozen dataclass's ``__init__`` costs
    about a microsecond more, setting each field through ``object.__setattr__``."""

    operation: CompiledOperation
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    headers: Headers
    body: Any


class Refusal(Exception):
    """A producer's refusal (404, 409...) already shaped as the answer the spec documents for
    it; ``problem`` says what was wrong, for the journal."""

    def __init__(self, problem: Problem, outcome: Outcome) -> None:
        super().__init__(problem)  # its text is made only if someone reads it
        self.problem = problem
        self.outcome = outcome


Handler = Callable[[OperationRequest], Awaitable[Outcome]]


def problem_outcome(problem: Problem) -> Outcome:
    """``problem`` as an ``application/problem+json`` answer."""
    return Outcome(problem.status, problem.to_json(), PROBLEM_CONTENT_TYPE, dict(problem.headers))
