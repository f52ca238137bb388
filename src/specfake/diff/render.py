"""The changes as text (a terminal), JSON (scripts) or Markdown (a pull-request comment)."""

from __future__ import annotations

import json
from collections.abc import Callable

from specfake.diff.changes import Change

FORMATS = ("text", "json", "markdown")


def render(changes: list[Change], old: str, new: str, output_format: str = "text") -> str:
    """``changes`` from spec ``old`` to ``new`` in ``output_format`` (one of :data:`FORMATS`)."""
    renderers: dict[str, Callable[[list[Change], str, str], str]] = {
        "text": _text,
        "json": _json,
        "markdown": _markdown,
    }
    return renderers[output_format](_ordered(changes), old, new)


def _ordered(changes: list[Change]) -> list[Change]:
    """Breaking changes first, each group in the order found."""
    return [c for c in changes if c.breaking] + [c for c in changes if not c.breaking]


def _summary(changes: list[Change]) -> str:
    breaking = sum(change.breaking for change in changes)
    return f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s)"


def _text(changes: list[Change], old: str, new: str) -> str:
    lines = [f"specfake diff {old} → {new}", ""]
    for change in changes:
        mark = "BREAKING" if change.breaking else "ok      "
        where = f"{change.operation}: " if change.operation else ""
        lines.append(f"  {mark}  {where}{change.message}")
        lines.append(f"            {change.rule} at {change.pointer}")
    if changes:
        lines.append("")
    lines.append(_summary(changes) if changes else "no changes")
    return "\n".join(lines)


def _json(changes: list[Change], old: str, new: str) -> str:
    document = {
        "old": old,
        "new": new,
        "breaking": sum(change.breaking for change in changes),
        "changes": [change.to_json() for change in changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _markdown(changes: list[Change], old: str, new: str) -> str:
    lines = [f"### API changes: `{old}` → `{new}`", "", f"**{_summary(changes)}**", ""]
    if not changes:
        return "\n".join([*lines[:2], "No changes."])
    lines += ["| | operation | change | rule | where |", "|---|---|---|---|---|"]
    for change in changes:
        mark = "❌ breaking" if change.breaking else "✅"
        cells = [mark, change.operation or "(API)", change.message, f"`{change.rule}`",
                 f"`{change.pointer}`"]  # fmt: skip
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)
