"""bench/stateful.py DIR: Schemathesis's stateful phase over every spec in DIR, against the
resource fake and against the same spec served as a plain mock (``--stateless``).

    .venv/bin/python bench/stateful.py ../shared/corpus [--only NAME] [--out FILE]

Per spec and server: the API links Schemathesis infers and follows, and how many failures of
the two checks that need state it finds::

    schemathesis run SPEC --url URL --phases stateful --max-examples 20 --seed 1
        --checks not_a_server_error,use_after_free,ensure_resource_availability

``use_after_free``: a deleted resource must be gone; ``ensure_resource_availability``: a
created one must be there. A plain mock fails them wherever Schemathesis reaches a delete or
a create; the fake should fail neither. Specs without links have no stateful phase (``-``).
Prints a Markdown table; ``--out`` writes it too.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import VENV, credentials, first_answer, spec_files, table

from specfake.pytest_plugin import free_port, stop_process

CHECKS = "not_a_server_error,use_after_free,ensure_resource_availability"
FAILURES = {
    "use_after_free": "Deleted resource still available",
    "ensure_resource_availability": "Resource is not available after creation",
    "not_a_server_error": "Server error",
}


def run(spec: Path, stateless: bool, work: Path) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(VENV / "specfake"), "serve", str(spec), "--port", str(port), "--quiet",
               "--no-watch", *(["--stateless"] if stateless else [])]  # fmt: skip
    name = f"{spec.stem}.{'mock' if stateless else 'fake'}"
    with open(work / f"{name}.server.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=work)
        try:
            if first_answer(process, url, time.monotonic()) is None:
                return "does not start"
            phase = [str(VENV / "schemathesis"), "run", str(spec), "--url", url,
                     "--phases", "stateful", "--max-examples", "20", "--seed", "1",
                     "--checks", CHECKS, "--no-color", *credentials(spec)]  # fmt: skip
            result = subprocess.run(phase, cwd=work, capture_output=True, text=True,
                                    timeout=900, check=False)  # fmt: skip
        finally:
            stop_process(process)
    (work / f"{name}.schemathesis.txt").write_text(result.stdout)
    return summary(result.stdout)


def summary(output: str) -> str:
    """``links followed/total; N use_after_free, ...`` from a Schemathesis run's output."""
    links = re.search(r"API Links:\s+(\d+) covered / \d+ selected / (\d+) total", output)
    if links is None:
        return "-"
    counts = []
    for check, text in FAILURES.items():
        found = re.search(rf"{re.escape(text)}: (\d+)", output)
        if found:
            counts.append(f"{found.group(1)} {check}")
    return f"{links.group(1)}/{links.group(2)} links; " + (", ".join(counts) or "no failure")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="specfake-stateful-"))
    header = "| spec | resource fake | plain mock (`--stateless`) |"
    table(spec_files(arguments.directory, arguments.only), header,
          lambda spec: [run(spec, False, work), run(spec, True, work)], arguments.out)  # fmt: skip
    print(f"(server logs and Schemathesis output: {work})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
