"""Pure choices about what to answer: the Accept check, and which documented response to mock.

Nothing here reads headers or the request; callers pass in plain values (Prism's negotiator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfake.errors import PROBLEM_CONTENT_TYPE, Problem
from specfake.pipeline.preferences import Preferences
from specfake.spec.compile import CompiledOperation, CompiledResponse


def accepts(accept: str | None, media_type: str) -> bool:
    """Whether an ``Accept`` header value allows ``media_type`` (ignoring q=0 exclusions)."""
    if not accept:
        return True
    main, _, _ = media_type.partition("/")
    for item in accept.split(","):
        candidate, *params = (part.strip().lower() for part in item.split(";"))
        if any(param.replace(" ", "") in {"q=0", "q=0.0", "q=0.00", "q=0.000"} for param in params):
            continue
        if candidate in {"*/*", "*", media_type, f"{main}/*"}:
            return True
        if candidate == "application/json" and media_type.endswith("+json"):
            return True
    return False


def acceptable_success_media(operation: CompiledOperation, accept: str | None) -> list[str]:
    """The operation's non-problem media types the client accepts (all when none are declared)."""
    offered = [media for media in operation.produces if media != PROBLEM_CONTENT_TYPE]
    return [media for media in offered if accepts(accept, media)] if offered else []


@dataclass(frozen=True, slots=True)
class MockChoice:
    """Which documented response to answer with, and which example of it (if any)."""

    status: int
    response: CompiledResponse
    media_type: str | None
    example: Any
    has_example: bool


def choose_mock(
    operation: CompiledOperation, preferences: Preferences, accept: str | None
) -> MockChoice:
    """Pick status, media type and example the way Prism does.

    Status: ``Prefer: code`` if documented, else the lowest documented 2xx, else the lowest
    documented code. Example: the named one, else the first; ``dynamic`` skips examples.
    """
    status, response = _status(operation, preferences.code)
    media_type = next((media for media in response.media if accepts(accept, media)), None)
    if media_type is None and response.media:
        media_type = next(iter(response.media))
    examples = response.media[media_type].examples if media_type else {}
    if preferences.example is not None:
        if preferences.example not in examples:
            known = ", ".join(sorted(examples)) or "none"
            raise Problem(
                422,
                "unknown-example",
                "Unknown example",
                f"The {status} response has no example named {preferences.example!r} "
                f"(Prefer: example=...); its examples: {known}.",
            )
        return MockChoice(status, response, media_type, examples[preferences.example], True)
    if examples and not preferences.dynamic:
        return MockChoice(status, response, media_type, next(iter(examples.values())), True)
    return MockChoice(status, response, media_type, None, False)


def _status(operation: CompiledOperation, wanted: int | None) -> tuple[int, CompiledResponse]:
    if wanted is not None:
        response = operation.responses.get(str(wanted))
        if response is None:
            documented = ", ".join(sorted(operation.responses))
            raise Problem(
                422,
                "undocumented-status",
                "Status not documented",
                f"Prefer: code={wanted} asks for a status this operation does not document "
                f"(documented: {documented}).",
            )
        return wanted, response
    # A 1xx is never a whole answer: it is skipped, as if undocumented.
    numeric = sorted(code for code in operation.responses if code.isdigit() and code[0] != "1")
    success = [code for code in numeric if code.startswith("2")]
    if success:
        return int(success[0]), operation.responses[success[0]]
    for pattern in ("2XX", "default"):
        if pattern in operation.responses:
            return 200, operation.responses[pattern]
    if numeric:
        return int(numeric[0]), operation.responses[numeric[0]]
    return 204, NO_RESPONSE  # OpenAPI 3.1 allows an operation to document none


# What an operation that documents no response answers (with a Specfake-Warning).
NO_RESPONSE = CompiledResponse(
    status="204", description="no response is documented", media={}, headers=[]
)
