"""What a stage answers with, before it becomes an HTTP response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"


@dataclass(slots=True)
class Outcome:
    """A status, a JSON-able body (``None`` for no body), its media type and extra headers.

    Fakes and the mocker return this; the app validates it against the spec and renders it.
    """

    status: int
    body: Any
    media_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
