"""bench/corpus DIR: every spec in DIR served by specfake (and Prism, when Node is there),
judged by the same Schemathesis run, side by side.

    bench/corpus ../shared/corpus [--no-prism] [--only NAME] [--out FILE]

Per spec and server: the time from start to the first HTTP answer, the server's RSS then,
and how many operations Schemathesis 4 finds conformant with::

    schemathesis run SPEC --url URL --phases examples,fuzzing --mode positive -n 8 --seed 1
        --checks not_a_server_error,status_code_conformance,content_type_conformance,
                 response_headers_conformance,response_schema_conformance

with credentials for whatever security scheme the spec declares (``Authorization: Bearer
dev``, basic ``dev:dev``, API-key headers ``dev``). An operation is conformant when
Schemathesis reports no failure for it (a JUnit test case without failure or error). Prints a
Markdown table; ``--out`` writes it too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from specfake.pytest_plugin import free_port, stop_process

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv" / "bin"
PRISM = BENCH / "node_modules" / ".bin" / "prism"
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")  # fmt: skip
START_TIMEOUT = 60.0


@dataclass
class Result:
    started: bool
    start_seconds: float = 0.0
    rss_mb: float = 0.0
    conformant: int = 0
    operations: int = 0

    def cell(self) -> str:
        if not self.started:
            return "does not start"
        return (f"{self.start_seconds:.2f} s, {self.rss_mb:.0f} MB, "
                f"{self.conformant}/{self.operations}")  # fmt: skip


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its descendants (Prism may run under a wrapper)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def credentials(spec: Path) -> list[str]:
    """Schemathesis options that authenticate against what the spec declares."""
    document = yaml.load(spec.read_text(), Loader=yaml.CSafeLoader)
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    options: list[str] = []
    for scheme in schemes.values():
        if not isinstance(scheme, dict):
            continue
        kind, where = scheme.get("type"), scheme.get("in")
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            options += ["--auth", "dev:dev"]
        elif kind in ("http", "oauth2", "openIdConnect"):
            options += ["-H", "Authorization: Bearer dev"]
        elif kind == "apiKey" and where == "header" and scheme.get("name"):
            options += ["-H", f"{scheme['name']}: dev"]
    return list(dict.fromkeys(options)) if len(options) <= 2 else options[:2]


def serve(server: str, spec: Path, port: int, log) -> subprocess.Popen[bytes]:
    if server == "specfake":
        command = [str(VENV / "specfake"), "serve", str(spec), "--port", str(port), "--quiet"]
    else:
        command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    return subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir()
    )


def first_answer(process: subprocess.Popen[bytes], url: str, started: float) -> float | None:
    while time.monotonic() - started < START_TIMEOUT:
        if process.poll() is not None:
            return None
        try:
            httpx.get(url + "/", timeout=1)
            return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.02)
    return None


def judge(spec: Path, url: str, report: Path) -> tuple[int, int]:
    command = [str(VENV / "schemathesis"), "run", str(spec), "--url", url,
               "--phases", "examples,fuzzing", "--mode", "positive", "-n", "8", "--seed", "1",
               "--checks", CHECKS, *credentials(spec),
               "--report", "junit", "--report-junit-path", str(report)]  # fmt: skip
    with tempfile.TemporaryDirectory() as empty:  # no schemathesis.toml picked up
        subprocess.run(command, cwd=empty, capture_output=True, timeout=900, check=False,
                       env={**os.environ, "SCHEMATHESIS_HOOKS": ""})  # fmt: skip
    return conformance(report) if report.exists() else (0, 0)


def conformance(report: Path) -> tuple[int, int]:
    """(operations without a failure, operations) in a Schemathesis JUnit report."""
    cases = list(ElementTree.parse(report).getroot().iter("testcase"))
    failed = [case for case in cases if case.find("failure") is not None
              or case.find("error") is not None]  # fmt: skip
    return len(cases) - len(failed), len(cases)


def measure(server: str, spec: Path, work: Path) -> Result:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(work / f"{spec.stem}.{server}.log", "wb") as log:
        started = time.monotonic()
        process = serve(server, spec, port, log)
        try:
            seconds = first_answer(process, url, started)
            if seconds is None:
                return Result(False)
            rss = tree_rss_mb(process.pid)
            conformant, operations = judge(spec, url, work / f"{spec.stem}.{server}.xml")
            return Result(True, seconds, rss, conformant, operations)
        finally:
            stop_process(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    servers = ["specfake"]
    if not arguments.no_prism and PRISM.exists():
        servers.insert(0, "prism")
    work = Path(tempfile.mkdtemp(prefix="specfake-corpus-"))
    header = "| spec | " + " | ".join(f"{s}: start, RSS, ops conformant" for s in servers) + " |"

    def row(spec: Path) -> list[str]:
        return [measure(server, spec, work).cell() for server in servers]

    table(spec_files(arguments.directory, arguments.only), header, row, arguments.out)
    print(f"(logs and JUnit reports: {work})", file=sys.stderr)
    return 0


def spec_files(directory: Path, only: list[str]) -> list[Path]:
    """The specs in ``directory`` (``only`` those named, by file name or stem)."""
    specs = sorted(p.resolve() for p in directory.iterdir()
                   if p.suffix in (".yaml", ".yml", ".json"))  # fmt: skip
    return [spec for spec in specs if {spec.name, spec.stem} & set(only)] if only else specs


def table(
    specs: list[Path], header: str, row: Callable[[Path], list[str]], out: Path | None
) -> None:
    """A Markdown table with one row per spec, printed as it goes and written to ``out``."""
    lines = [header, "|---" * header.count(" | ") + "|---|"]
    print(lines[0] + "\n" + lines[1], flush=True)
    for spec in specs:
        lines.append(f"| {spec.name} | " + " | ".join(row(spec)) + " |")
        print(lines[-1], flush=True)
    if out:
        out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
