"""Rule results, the readable report, and the JUnit file for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["pass", "fail", "skip"]


@dataclass(slots=True)
class RuleResult:
    """One rule's verdict, with what was seen when it failed or why it was skipped."""

    rule: str
    description: str
    status: Status = "pass"
    messages: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.status = "fail"
        self.messages.append(message)

    def skip(self, reason: str) -> None:
        self.status = "skip"
        self.messages.append(reason)


def render_text(results: list[RuleResult], url: str) -> str:
    marks = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}
    lines = [f"specfake check against {url}", ""]
    for result in results:
        lines.append(f"  {marks[result.status]}  {result.rule}: {result.description}")
        lines.extend(f"          {message}" for message in result.messages)
    counts = {status: sum(r.status == status for r in results) for status in marks}
    lines += ["", f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"]
    return "\n".join(lines)


def write_junit(results: list[RuleResult], url: str, path: Path) -> None:
    suite = ElementTree.Element(
        "testsuite",
        name="specfake check",
        tests=str(len(results)),
        failures=str(sum(r.status == "fail" for r in results)),
        skipped=str(sum(r.status == "skip" for r in results)),
    )
    suite.set("hostname", url)
    for result in results:
        case = ElementTree.SubElement(
            suite, "testcase", classname="specfake.check", name=result.rule
        )
        if result.status == "fail":
            failure = ElementTree.SubElement(case, "failure", message=result.description)
            failure.text = "\n".join(result.messages)
        elif result.status == "skip":
            ElementTree.SubElement(case, "skipped", message="; ".join(result.messages))
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
