"""Find fenced code blocks in a documentation page, with the section and label they sit under.

Docs pages put the OpenAPI document in a ```yaml block under "OpenAPI Specification" and the
request/response examples in ```json blocks after a bold "**Request**"/"**Response**" label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*$")
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*]+)\*\*:?$")


@dataclass(frozen=True, slots=True)
class FencedBlock:
    """A fenced code block: its language, the rest of the info string, and its text."""

    language: str
    title: str
    text: str
    section: str
    label: str
    line: int


def fenced_blocks(page: str) -> list[FencedBlock]:
    """Every fenced block of ``page`` in order. An unclosed fence runs to the end of the page."""
    blocks: list[FencedBlock] = []
    section = ""
    label = ""
    lines = page.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        if heading:
            section, label = heading.group("title"), ""
        elif bold := _BOLD_LABEL.match(stripped):
            label = bold.group("label").strip()
        elif fence := _FENCE.match(stripped):
            marker = fence.group("fence")
            language, _, title = fence.group("info").strip().partition(" ")
            body: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(marker):
                body.append(lines[index])
                index += 1
            blocks.append(
                FencedBlock(
                    language=language.lower(),
                    title=title.strip(),
                    text="\n".join(body) + "\n",
                    section=section,
                    label=label,
                    line=index - len(body),
                )
            )
        index += 1
    return blocks
