"""Print a summary of the JUnit reports the contract tests leave in reports/ (for CI logs)."""

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

reports = Path(sys.argv[1] if len(sys.argv) > 1 else "reports")
for report in sorted(reports.glob("*.xml")):
    suites = list(ElementTree.parse(report).getroot().iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    print(f"{report.name}: {total} test cases, {failed} failed")
coverage = reports / "link-coverage.txt"
if coverage.exists():
    print(coverage.read_text(), end="")
for shot in sorted(reports.glob("*.png")):
    print(f"screenshot: {shot.name}")
