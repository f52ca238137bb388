"""Turn one ``bench/run`` output directory into the Markdown table recorded in RESULTS.md.

``bench/run`` leaves, per server, scenario and round, ``<server>.<scenario>.r<N>.wrk`` (wrk's
output, whose ``BENCH_RESULT`` line ``lua/report.lua`` prints), ``.status`` (the status one
probe request got), ``.wrk.time`` (wrk's own elapsed and CPU seconds) and ``.cpu`` (CPU ticks
of the machine, the server with its workers, and ``--extra-pid``, before and after), plus
``startup.json`` when start-up was measured.

The primary figure is the server's CPU time per request: it does not depend on how fast the
load generator is, and it survives a change of machine better than req/s. Its ratio to bare
Starlette's is bare / specfake (higher is better, like the req/s ratio). With several rounds,
each figure is the median over the rounds, and each ratio the median of the rounds' ratios
(the servers of a round ran seconds apart, so a drifting machine moves both alike), with the
rounds' range beside it.

    python bench/report.py OUT_DIR --command "bench/run ..."
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SERVERS = ("specfake", "quiet", "bare", "floor", "pipeline", "prism")
SERVER_LABELS = {
    "specfake": "specfake",
    "quiet": "specfake --quiet",
    "bare": "bare Starlette",
    "floor": "specfake floor (no pipeline)",  # bench/floor_app.py, bench/run --floor
    "pipeline": "specfake pipeline only (no journal, log, guard)",  # floor_app --pipeline-only
    "prism": "Prism",
}
# Issue 21's targets: the least ratio to bare (CPU per request and req/s alike), with the
# default log line; the PATCHes also a p99 bound.
MIN_BARE_RATIO = {
    "patch-409-stale": 0.6,
    "patch-422-invalid": 0.6,
    "patch-200-valid": 0.6,
    "cohort-create": 0.4,
    "resource-create": 0.5,
    "resource-read": 0.5,
}
P99_SCENARIOS = ("patch-409-stale", "patch-422-invalid", "patch-200-valid")
MAX_P99_MS = 15.0
MIN_LOG_RATIO = 0.95  # the default log line within 5% of --quiet
SCALE_PAIRS = (
    ("read-404-5ops", "read-404-650ops"),
    ("create-invalid-5ops", "create-invalid-650ops"),
)
MAX_SCALE_GROWTH = 1.10  # "flat": the 650-operation spec's CPU per request within 10%
MAX_STARTUP_S = 1.5
NOISY_PERCENT = 10  # other processes' CPU during a run above which its numbers are suspect
HERTZ = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Run:
    server: str
    scenario: str
    status: str  # what the probe request got
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    unexpected: int  # socket errors; and non-2xx answers where the probe got a 2xx
    cpu_us: float | None  # the server's CPU time per request (its workers included)
    extra_cpu_us: float | None  # --extra-pid's (a redis-server's) CPU time per request
    wrk_cpu: float | None  # % of one core wrk used: near 100, wrk was the bottleneck
    other_cpu: float | None  # % of the machine's CPU other processes used during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


Rounds = dict[tuple[str, str], dict[int, Run]]  # (server, scenario) → round → its run


def read_runs(out: Path) -> Rounds:
    runs: Rounds = {}
    for path in sorted(out.glob("*.wrk")):
        server, scenario, *rest = path.stem.split(".")
        round_number = int(rest[0].removeprefix("r")) if rest else 1  # older runs: one round
        lines = [line for line in path.read_text().splitlines() if line.startswith("BENCH_RESULT ")]
        if not lines:
            continue  # wrk failed; its log says why
        result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
        status_file = path.with_suffix(".status")
        status = status_file.read_text().strip() if status_file.exists() else "?"
        unexpected = sum(
            result[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
        if status.startswith("2"):
            unexpected += result["non_2xx_3xx"]
        usage = cpu_usage(path, result["requests"])
        runs.setdefault((server, scenario), {})[round_number] = Run(
            server=server,
            scenario=scenario,
            status=status,
            requests=result["requests"],
            seconds=result["duration_us"] / 1e6,
            p50_ms=result["p50_us"] / 1000,
            p99_ms=result["p99_us"] / 1000,
            unexpected=unexpected,
            **usage,
        )
    return runs


def cpu_usage(wrk_output: Path, requests: int) -> dict[str, float | None]:
    """The server's (and extra process's) CPU µs per request, wrk's share of its core, and
    how much of the machine's CPU went to neither (other work, which makes a run noisy)."""
    ticks, timing = wrk_output.with_suffix(".cpu"), Path(f"{wrk_output}.time")
    if not ticks.exists() or not timing.exists() or requests == 0:
        return {"cpu_us": None, "extra_cpu_us": None, "wrk_cpu": None, "other_cpu": None}
    before, after = (list(map(int, line.split())) for line in ticks.read_text().splitlines())
    machine, server, extra = (b - a for a, b in zip(before, after, strict=True))
    elapsed, wrk_user, wrk_system = map(float, timing.read_text().split()[-3:])
    wrk_seconds = wrk_user + wrk_system
    others = (machine - server - extra) / HERTZ - wrk_seconds
    return {
        "cpu_us": server / HERTZ / requests * 1e6,
        "extra_cpu_us": extra / HERTZ / requests * 1e6 if extra else None,
        "wrk_cpu": 100 * wrk_seconds / elapsed,
        "other_cpu": max(0.0, 100 * others / (elapsed * os.cpu_count())),
    }


def scenarios_in_order(out: Path) -> list[str]:
    order = out / "scenarios.txt"
    return order.read_text().split() if order.exists() else []


def typical(rounds: dict[int, Run] | None) -> Run | None:
    """One run standing for all the rounds: each figure the median of the rounds' (req/s as
    the median round's requests over its seconds), errors summed."""
    if not rounds:
        return None
    runs = list(rounds.values())
    by_rps = sorted(runs, key=lambda run: run.rps)[(len(runs) - 1) // 2]

    def median(field: str) -> float | None:
        values = [getattr(run, field) for run in runs if getattr(run, field) is not None]
        return statistics.median(values) if values else None

    return Run(
        server=by_rps.server,
        scenario=by_rps.scenario,
        status=runs[0].status,
        requests=by_rps.requests,
        seconds=by_rps.seconds,
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        unexpected=sum(run.unexpected for run in runs),
        cpu_us=median("cpu_us"),
        extra_cpu_us=median("extra_cpu_us"),
        wrk_cpu=median("wrk_cpu"),
        other_cpu=median("other_cpu"),
    )


@dataclass(frozen=True, slots=True)
class Ratio:
    """The median of the rounds' ratios, and their range."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        if self.low == self.high:
            return f"{self.median:.2f}x"
        return f"{self.median:.2f}x ({self.low:.2f}-{self.high:.2f})"


RatioOf = Callable[[Run | None, Run | None], float | None]


def paired(
    ratio: RatioOf, mine: dict[int, Run] | None, other: dict[int, Run] | None
) -> Ratio | None:
    """``ratio`` of ``mine`` to ``other`` round by round (the two ran seconds apart)."""
    mine, other = mine or {}, other or {}
    values = [
        value
        for number in sorted(mine.keys() & other.keys())
        if (value := ratio(mine[number], other[number])) is not None
    ]
    if not values:
        return None
    return Ratio(statistics.median(values), min(values), max(values))


def rps_ratio(numerator: Run | None, denominator: Run | None) -> float | None:
    if numerator is None or denominator is None or denominator.rps == 0:
        return None
    return numerator.rps / denominator.rps


def cpu_ratio(mine: Run | None, baseline: Run | None) -> float | None:
    """baseline's CPU per request / mine: 0.5 is twice the baseline's CPU per request."""
    if mine is None or baseline is None or not mine.cpu_us or baseline.cpu_us is None:
        return None
    return baseline.cpu_us / mine.cpu_us


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(runs: Rounds, scenarios: list[str]) -> list[str]:
    lines = [
        "| scenario | server | status | CPU µs/req | req/s | p50 ms | p99 ms | errors | wrk CPU "
        "| other CPU | CPU vs bare | req/s vs bare | req/s vs Prism |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        bare, prism = runs.get(("bare", scenario)), runs.get(("prism", scenario))
        for server in SERVERS:
            rounds = runs.get((server, scenario))
            run = typical(rounds)
            if run is None:
                continue
            ratios = ["", "", ""]
            if server == "floor":
                ratios[0] = _format_ratio(paired(cpu_ratio, rounds, bare))
            if server in ("specfake", "quiet", "pipeline"):
                ratios = [
                    _format_ratio(paired(cpu_ratio, rounds, bare)),
                    _format_ratio(paired(rps_ratio, rounds, bare)),
                    _format_ratio(paired(rps_ratio, rounds, prism)),
                ]
            other = _percent(run.other_cpu)
            if run.other_cpu is not None and run.other_cpu > NOISY_PERCENT:
                other = f"**{other}**"
            cpu = "n/a" if run.cpu_us is None else f"{run.cpu_us:.0f}"
            if run.extra_cpu_us is not None:
                cpu += f" (+{run.extra_cpu_us:.0f})"
            lines.append(
                f"| {scenario} | {SERVER_LABELS[server]} | {run.status} | {cpu} | "
                f"{run.rps:,.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | {run.unexpected} | "
                f"{_percent(run.wrk_cpu)} | {other} | {' | '.join(ratios)} |"
            )
    return lines


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def _format_ratio(value: Ratio | None) -> str:
    return "n/a" if value is None else str(value)


def target_lines(runs: Rounds, startup: dict | None, together: bool = False) -> list[str]:
    """Each target's verdict. ``together`` (``bench/run --log-line-together``): the two
    servers shared a core, so no p99 is judged (each had half of it)."""
    lines = []
    for scenario, minimum in MIN_BARE_RATIO.items():
        mine, bare = runs.get(("specfake", scenario)), runs.get(("bare", scenario))
        cpu, rps = paired(cpu_ratio, mine, bare), paired(rps_ratio, mine, bare)
        typical_mine = typical(mine)
        if typical_mine is None:
            continue
        checks = []
        if cpu is not None and rps is not None:  # (bench/run --log-line-together: no bare)
            checks.append(
                f"CPU {cpu} and req/s {rps} bare ≥ {minimum}: "
                f"{verdict(min(cpu.median, rps.median) >= minimum)}"
            )
        if scenario in P99_SCENARIOS and not together:
            checks.append(
                f"p99 {typical_mine.p99_ms:.1f} ms ≤ {MAX_P99_MS:g} ms: "
                f"{verdict(typical_mine.p99_ms <= MAX_P99_MS)}"
            )
        quiet = runs.get(("quiet", scenario))
        log_cpu, log_rps = paired(cpu_ratio, mine, quiet), paired(rps_ratio, mine, quiet)
        if log_cpu is not None and log_rps is not None:
            checks.append(
                f"log line: CPU {log_cpu}, req/s {log_rps} --quiet ≥ {MIN_LOG_RATIO}: "
                f"{verdict(min(log_cpu.median, log_rps.median) >= MIN_LOG_RATIO)}"
            )
        floor = typical(runs.get(("floor", scenario)))
        alone = paired(cpu_ratio, runs.get(("pipeline", scenario)), bare)
        budget = pipeline_budget(typical_mine, typical(bare), floor, alone, minimum)
        if budget is not None:
            checks.append(budget)
        lines.append(f"- {scenario}: " + "; ".join(checks))
    for small, large in SCALE_PAIRS:
        # cpu_ratio(small, large) is large's CPU per request / small's: the growth.
        growth = cpu_ratio(typical(runs.get(("specfake", small))),
                           typical(runs.get(("specfake", large))))  # fmt: skip
        if growth is not None:
            lines.append(
                f"- {large} vs {small}: CPU per request {growth:.2f}x ≤ "
                f"{MAX_SCALE_GROWTH}: {verdict(growth <= MAX_SCALE_GROWTH)}"
            )
    if startup is not None:
        count, worst = len(startup["seconds"]), max(startup["seconds"])
        lines.append(
            f"- start to first answered request (bundled specs, warm .pyc, {count} runs): "
            f"median {startup['median']:.2f} s, worst {worst:.2f} s ≤ {MAX_STARTUP_S} s: "
            f"{verdict(worst <= MAX_STARTUP_S)}"
        )
    return lines


def pipeline_budget(
    mine: Run | None, bare: Run | None, floor: Run | None, alone: Ratio | None, minimum: float
) -> str | None:
    """What specfake's pipeline costs per request over the floor (its served path without the
    pipeline: bench/floor_app.py) and what it may cost for ``minimum`` (bare / minimum, less
    the floor); and ``alone``, the CPU ratio to bare of the pipeline without journal, log line
    and guard. Not that server's cost over the floor: the floor keeps the guard, so the
    difference would leave the guard out twice."""
    if mine is None or bare is None or floor is None:
        return None
    if mine.cpu_us is None or bare.cpu_us is None or floor.cpu_us is None:
        return None
    spent, allowed = mine.cpu_us - floor.cpu_us, bare.cpu_us / minimum - floor.cpu_us
    line = f"pipeline {spent:.0f} µs over the floor's {floor.cpu_us:.0f}, "
    if allowed > 0:
        line += f"{allowed:.0f} µs allowed for {minimum}x"
    else:
        line += f"which alone misses {minimum}x"
    if alone is not None:
        line += f"; without journal, log line and guard CPU {alone} bare"
    return line


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
    parser.add_argument(
        "--together", action="store_true", help="specfake and --quiet ran at the same time"
    )
    arguments = parser.parse_args()
    runs = read_runs(arguments.out)
    startup_file = arguments.out / "startup.json"
    startup = json.loads(startup_file.read_text()) if startup_file.exists() else None
    lines = [
        *machine_lines(arguments.command, arguments.settings),
        "",
        *table(runs, scenarios_in_order(arguments.out)),
        "",
        *target_lines(runs, startup, arguments.together),
    ]
    noisy = [] if arguments.together else [  # together, "other" is the other server
        run
        for rounds in runs.values()
        for run in rounds.values()
        if (run.other_cpu or 0) > NOISY_PERCENT
    ]
    if noisy:
        lines.append(
            f"- {len(noisy)} runs (other CPU in bold) shared the machine with other work "
            f"(over {NOISY_PERCENT}% of its CPU): their numbers and ratios are suspect."
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
