"""Turn one ``bench/run`` output directory into the Markdown table recorded in RESULTS.md.

``bench/run`` leaves, per server and scenario, ``<server>.<scenario>.wrk`` (wrk's output, whose
``BENCH_RESULT`` line ``lua/report.lua`` prints), ``<server>.<scenario>.status`` (the status
one probe request got), ``.wrk.time`` (wrk's own CPU seconds) and ``.cpu`` (the machine's and
the server's CPU ticks before and after), plus ``startup.json`` when start-up was measured.

    python bench/report.py OUT_DIR --command "bench/run ..."
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SERVERS = ("specfake", "bare", "prism")
SERVER_LABELS = {"specfake": "specfake", "bare": "bare Starlette", "prism": "Prism"}
# Targets from issue 8, checked for the scenarios that carry them.
TARGET_SCENARIOS = ("patch-409-stale", "patch-422-invalid")
MIN_BARE_RATIO = 0.6
MIN_PRISM_RATIO = 3.0
MAX_P99_MS = 15.0
MAX_STARTUP_S = 1.5
NOISY_PERCENT = 10  # other processes' CPU during a run above which its numbers are suspect


@dataclass(frozen=True, slots=True)
class Run:
    server: str
    scenario: str
    status: str  # what the probe request got
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    unexpected: int  # failed edits for the valid-PATCH scenario, socket errors for all
    other_cpu: float | None  # % of the machine's CPU other processes used during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def read_runs(out: Path) -> dict[tuple[str, str], Run]:
    runs = {}
    for path in sorted(out.glob("*.wrk")):
        server, scenario = path.stem.split(".", 1)
        lines = [line for line in path.read_text().splitlines() if line.startswith("BENCH_RESULT ")]
        if not lines:
            continue  # wrk failed; its log says why
        result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
        socket_errors = sum(
            result[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
        status_file = path.with_suffix(".status")
        runs[(server, scenario)] = Run(
            server=server,
            scenario=scenario,
            status=status_file.read_text().strip() if status_file.exists() else "?",
            requests=result["requests"],
            seconds=(result["duration_us"] - result["hold_us"]) / 1e6,
            p50_ms=result["p50_us"] / 1000,
            p99_ms=result["p99_us"] / 1000,
            unexpected=socket_errors + result["failed_edits"],
            other_cpu=other_cpu_percent(path),
        )
    return runs


def other_cpu_percent(wrk_output: Path) -> float | None:
    """How much of the machine's CPU went to neither the server nor wrk during the run: other
    work on the machine (and the kernel's threads), which makes the run's numbers noisy."""
    ticks, timing = wrk_output.with_suffix(".cpu"), Path(f"{wrk_output}.time")
    if not ticks.exists() or not timing.exists():
        return None
    (machine_before, server_before), (machine_after, server_after) = (
        map(int, line.split()) for line in ticks.read_text().splitlines()
    )
    elapsed, wrk_user, wrk_system = map(float, timing.read_text().split()[-3:])
    hertz = os.sysconf("SC_CLK_TCK")
    others = (machine_after - machine_before - server_after + server_before) / hertz
    others -= wrk_user + wrk_system
    return max(0.0, 100 * others / (elapsed * os.cpu_count()))


def scenarios_in_order(out: Path) -> list[str]:
    order = out / "scenarios.txt"
    return order.read_text().split() if order.exists() else []


def ratio(numerator: Run | None, denominator: Run | None) -> float | None:
    if numerator is None or denominator is None or denominator.rps == 0:
        return None
    return numerator.rps / denominator.rps


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(runs: dict[tuple[str, str], Run], scenarios: list[str]) -> list[str]:
    lines = [
        "| scenario | server | status | req/s | p50 ms | p99 ms | errors | other CPU | "
        "specfake / bare | specfake / Prism |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        mine = runs.get(("specfake", scenario))
        for server in SERVERS:
            run = runs.get((server, scenario))
            if run is None:
                continue
            bare, prism = "", ""
            if server == "specfake":
                bare = _format_ratio(ratio(mine, runs.get(("bare", scenario))))
                prism = _format_ratio(ratio(mine, runs.get(("prism", scenario))))
            other = "n/a" if run.other_cpu is None else f"{run.other_cpu:.0f}%"
            if run.other_cpu is not None and run.other_cpu > NOISY_PERCENT:
                other = f"**{other}**"
            lines.append(
                f"| {scenario} | {SERVER_LABELS[server]} | {run.status} | {run.rps:,.0f} | "
                f"{run.p50_ms:.2f} | {run.p99_ms:.2f} | {run.unexpected} | {other} | "
                f"{bare} | {prism} |"
            )
    return lines


def _format_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def target_lines(runs: dict[tuple[str, str], Run], startup: dict | None) -> list[str]:
    lines = []
    for scenario in TARGET_SCENARIOS:
        mine = runs.get(("specfake", scenario))
        if mine is None:
            continue
        bare = ratio(mine, runs.get(("bare", scenario)))
        prism = ratio(mine, runs.get(("prism", scenario)))
        checks = []
        if bare is not None:
            checks.append(f"{bare:.2f}x bare ≥ {MIN_BARE_RATIO}: {verdict(bare >= MIN_BARE_RATIO)}")
        if prism is not None:
            checks.append(
                f"{prism:.2f}x Prism ≥ {MIN_PRISM_RATIO:g}: {verdict(prism >= MIN_PRISM_RATIO)}"
            )
        checks.append(
            f"p99 {mine.p99_ms:.1f} ms ≤ {MAX_P99_MS:g} ms: {verdict(mine.p99_ms <= MAX_P99_MS)}"
        )
        lines.append(f"- {scenario}: " + "; ".join(checks))
    if startup is not None:
        runs, worst = len(startup["seconds"]), max(startup["seconds"])
        lines.append(
            f"- start to first answered request (bundled specs, warm .pyc, {runs} runs): "
            f"median {startup['median']:.2f} s, worst {worst:.2f} s ≤ {MAX_STARTUP_S} s: "
            f"{verdict(worst <= MAX_STARTUP_S)}"
        )
    return lines


def machine_lines(command: str, settings: str) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, commit {_git_revision()}",
        f"- machine: {cpu}, {_cores()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, {_tool_versions()}",
        f"- load: {settings}",
        f"- command: `{command}`",
    ]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _git_revision() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return (git("rev-parse", "--short", "HEAD") or "unknown") + dirty


def _tool_versions() -> str:
    def first_line(*command: str) -> str:
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:
            return "absent"
        return (result.stdout or result.stderr).strip().splitlines()[0]

    prism_package = Path(__file__).parent / "node_modules/@stoplight/prism-cli/package.json"
    prism = json.loads(prism_package.read_text())["version"] if prism_package.exists() else "absent"
    wrk = first_line("wrk", "--version").split(" [")[0]
    return f"{wrk}, Node {first_line('node', '--version')}, Prism {prism}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--command", required=True, help="the bench/run command line, verbatim")
    parser.add_argument("--settings", required=True, help="the wrk settings, for the record")
    arguments = parser.parse_args()
    runs = read_runs(arguments.out)
    startup_file = arguments.out / "startup.json"
    startup = json.loads(startup_file.read_text()) if startup_file.exists() else None
    lines = [
        *machine_lines(arguments.command, arguments.settings),
        "",
        *table(runs, scenarios_in_order(arguments.out)),
        "",
        *target_lines(runs, startup),
    ]
    noisy = [run for run in runs.values() if (run.other_cpu or 0) > NOISY_PERCENT]
    if noisy:
        lines.append(
            f"- {len(noisy)} runs (other CPU in bold) shared the machine with other work "
            f"(over {NOISY_PERCENT}% of its CPU): their numbers and ratios are suspect."
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
