"""The readable report of a replay, its JUnit file, and the ``--dry-run`` listing."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from pathlib import Path

from specfake.verify.recording import Interaction
from specfake.verify.replay import Replayed

MAX_BODY_CHARS = 400


def render_text(outcomes: list[Replayed], url: str) -> str:
    lines = [f"specfake verify against {url}", ""]
    for outcome in outcomes:
        interaction = outcome.interaction
        mark = "DIFF" if outcome.differences else "ok  "
        lines.append(f"  {mark}  {interaction.label} → {outcome.status} "
                     f"(recorded {interaction.status})")  # fmt: skip
        lines.extend(f"          note: {note}" for note in outcome.notes)
        for difference in outcome.differences:
            lines.append(f"          {difference.field}: {difference.message}")
    differing = sum(bool(outcome.differences) for outcome in outcomes)
    total = sum(len(outcome.differences) for outcome in outcomes)
    lines += ["", f"{len(outcomes)} interaction(s) replayed, {differing} with differences "
                  f"({total} difference(s))"]  # fmt: skip
    return "\n".join(lines)


def write_junit(outcomes: list[Replayed], url: str, path: Path) -> None:
    suite = ElementTree.Element(
        "testsuite",
        name="specfake verify",
        tests=str(len(outcomes)),
        failures=str(sum(bool(outcome.differences) for outcome in outcomes)),
    )
    suite.set("hostname", url)
    for outcome in outcomes:
        case = ElementTree.SubElement(
            suite, "testcase", classname="specfake.verify", name=outcome.interaction.label
        )
        if outcome.differences:
            first = outcome.differences[0]
            failure = ElementTree.SubElement(
                case, "failure", message=f"{first.field}: {first.message}"
            )
            failure.text = "\n".join(f"{d.field}: {d.message}" for d in outcome.differences)
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def render_plan(
    planned: Iterable[tuple[Interaction, str, dict[str, str], bytes | None]], url: str
) -> str:
    """What ``verify`` would send; values the server assigns are filled in from its answers
    during a real run, so here they still show the recording's."""
    lines = [f"specfake verify --dry-run: what would be sent to {url}", ""]
    for interaction, target, headers, body in planned:
        lines.append(f"  #{interaction.number} {interaction.method} {url.rstrip('/')}{target}")
        lines.extend(f"      {name}: {value}" for name, value in headers.items())
        if body is not None:
            text = body.decode("utf-8", "replace")
            cut = "…" if len(text) > MAX_BODY_CHARS else ""
            lines.append(f"      {text[:MAX_BODY_CHARS]}{cut}")
        lines.append(f"      expect {interaction.status}")
    lines += ["", "(ids, versions and ETags the server assigns are carried from its answers "
                  "during a real run; this listing shows the recording's)"]  # fmt: skip
    return "\n".join(lines)
