"""Read a recording: the HAR 1.2 the journal exports (``GET /__specfake__/requests?format=har``),
a browser saved or Schemathesis wrote (``--report har``), as the interactions ``verify``
replays, oldest first."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specfake.errors import SpecfakeError

CONTROL_PREFIX = "/__specfake__/"


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request and the answer it got. ``body`` and ``answer`` are parsed JSON
    (``None`` when empty or not JSON); ``raw_body`` is the request body as recorded."""

    number: int  # 1-based, as the report names it
    method: str
    target: str  # path and query, as sent
    headers: tuple[tuple[str, str], ...]
    raw_body: str | None
    body: Any
    status: int
    answer_headers: dict[str, str]
    answer: Any
    answer_type: str

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def label(self) -> str:
        return f"#{self.number} {self.method} {self.path}"


def read_recording(path: Path) -> list[Interaction]:
    """The interactions of the HAR file at ``path``; the control API's own requests are left
    out (they are specfake's, not the API's)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["log"]["entries"]
        if not isinstance(entries, list):
            raise TypeError("log.entries is not a list")
    except OSError as error:
        raise SpecfakeError(f"cannot read recording {path}: {error.strerror}", file=path) from error
    except (ValueError, KeyError, TypeError) as error:
        raise SpecfakeError(
            f"{path} is not a HAR recording ({error}); export one with "
            "GET /__specfake__/requests?format=har",
            file=path,
            pointer="/log/entries",
        ) from error
    interactions = []
    for index, entry in enumerate(entries):
        try:
            interaction = _interaction(len(interactions) + 1, entry)
        except (KeyError, TypeError, ValueError) as error:
            message = f"{path}: entry {index} is not a HAR entry ({error!r})"
            raise SpecfakeError(message, file=path, pointer=f"/log/entries/{index}") from error
        if not interaction.path.startswith(CONTROL_PREFIX):
            interactions.append(interaction)
    return interactions


def _interaction(number: int, entry: dict[str, Any]) -> Interaction:
    request, response = entry["request"], entry["response"]
    url = urlsplit(request["url"])
    target = url.path + (f"?{url.query}" if url.query else "")
    raw_body = (request.get("postData") or {}).get("text")
    content = response.get("content") or {}
    answer_headers = {str(h["name"]).lower(): str(h["value"]) for h in response["headers"]}
    return Interaction(
        number=number,
        method=str(request["method"]).upper(),
        target=target,
        headers=tuple((str(h["name"]), str(h["value"])) for h in request["headers"]),
        raw_body=raw_body,
        body=parsed(raw_body),
        status=int(response["status"]),
        answer_headers=answer_headers,
        answer=parsed(_content_text(content)),
        answer_type=str(content.get("mimeType") or "").split(";")[0].strip(),
    )


def _content_text(content: dict[str, Any]) -> str | None:
    """A response's text; HAR allows it base64-encoded (``"encoding": "base64"``)."""
    text = content.get("text")
    if text is None or content.get("encoding") != "base64":
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"response content is not valid base64: {error}") from error


def parsed(text: str | None) -> Any:
    """``text`` as JSON, or ``None`` when it is empty or not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
