"""Fast checks of the bench helpers (``bench/``): the generated fixtures load, and a run's wrk
output becomes the right table and verdicts. The benchmark itself is ``bench/run``."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from specfake.config import ServerConfig
from specfake.fixtures import load_fixture_dir
from specfake.pytest_plugin import free_port
from specfake.resources import bundled_specs
from specfake.store import MemoryStore
from specfake.world import build_world
from tests.conftest import ROOT
from tests.servers import running_process


def bench_module(name: str) -> ModuleType:
    """``bench/NAME.py``: bench/ is a directory of scripts, not a package."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generated_fixtures_load_with_the_drafts_valid_patch_lua_edits(tmp_path: Path) -> None:
    fixtures = bench_module("fixtures")
    fixtures.write_fixtures(tmp_path, drafts=3)
    world = build_world(ServerConfig(specs=bundled_specs(), fixtures=None), MemoryStore())
    state = load_fixture_dir(tmp_path, world.state_schemas)
    ids = [row["id"] for row in state["pathways"]]
    assert ids[-3:] == ["bench-draft-000000", "bench-draft-000001", "bench-draft-000002"]
    assert "cohort_catalog" in state
    lua = (ROOT / "bench/lua/valid_patch.lua").read_text()
    assert f"/{fixtures.DRAFT_PREFIX}%06d/" in lua


def write_run(out: Path, server: str, scenario: str, requests: int, server_ticks: int,
              status: str, non_2xx: int = 0, round_number: int | None = None) -> None:
    """One wrk run's files as bench/run leaves them (``round_number`` None: as runs before
    ``--rounds`` were named)."""
    result = {
        "requests": requests, "duration_us": 10_000_000, "p50_us": 5000, "p99_us": 12_000,
        "max_us": 30000, "non_2xx_3xx": non_2xx, "connect_errors": 0, "read_errors": 0,
        "write_errors": 0, "timeouts": 0,
    }  # fmt: skip
    wrk_output = f"Running 10s test\nBENCH_RESULT {json.dumps(result)}\n"
    stem = f"{server}.{scenario}" + ("" if round_number is None else f".r{round_number}")
    (out / f"{stem}.wrk").write_text(wrk_output)
    (out / f"{stem}.status").write_text(status)
    # 10 s on 2 cores at 100 ticks/s: of the machine's busy ticks the server took
    # server_ticks and wrk 900 (5 + 4 s), so 2 s of 20 (10%) went to other processes.
    machine = server_ticks + 900 + 200
    (out / f"{stem}.cpu").write_text(f"0 0 0\n{machine} {server_ticks} 0\n")
    (out / f"{stem}.wrk.time").write_text("10.0 5.0 4.0\n")


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/report.py on the machine write_run describes: 2 cores, 100 ticks a second."""
    module = bench_module("report")
    monkeypatch.setattr(module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(module, "HERTZ", 100)
    return module


def test_report_computes_cpu_per_request_and_ratios_from_one_run_and_names_each_miss(
    tmp_path: Path, report: ModuleType
) -> None:
    (tmp_path / "scenarios.txt").write_text("patch-409-stale\npatch-200-valid\n")
    write_run(tmp_path, "specfake", "patch-409-stale", 40_000, 800, "409")  # 200 µs each
    write_run(tmp_path, "quiet", "patch-409-stale", 42_000, 800, "409")  # 190 µs
    write_run(tmp_path, "bare", "patch-409-stale", 60_000, 720, "200")  # 120 µs
    write_run(tmp_path, "prism", "patch-409-stale", 4_000, 900, "200")
    write_run(tmp_path, "specfake", "patch-200-valid", 30_000, 900, "200", non_2xx=3)
    write_run(tmp_path, "bare", "patch-200-valid", 60_000, 720, "200")
    write_run(tmp_path, "specfake", "read-404-5ops", 50_000, 500, "404")  # 100 µs
    write_run(tmp_path, "specfake", "read-404-650ops", 50_000, 525, "404")  # 105 µs
    runs = report.read_runs(tmp_path)
    assert runs[("specfake", "patch-409-stale")][1].cpu_us == pytest.approx(200)
    table = "\n".join(report.table(runs, report.scenarios_in_order(tmp_path)))
    row = ("| patch-409-stale | specfake | 409 | 200 | 4,000 | 5.00 | 12.00 | 0 | 90% | 10% "
           "| 0.60x | 0.67x | 10.00x |")  # fmt: skip
    assert row in table
    assert "| patch-200-valid | specfake | 200 | 300 | 3,000 | 5.00 | 12.00 | 3 |" in table
    verdicts = "\n".join(report.target_lines(runs, {"seconds": [1.2, 1.7], "median": 1.45}))
    assert "patch-409-stale: CPU 0.60x and req/s 0.67x bare ≥ 0.6: met" in verdicts
    assert "log line: CPU 0.95x, req/s 0.95x --quiet ≥ 0.95: met" in verdicts
    assert "patch-200-valid: CPU 0.40x and req/s 0.50x bare ≥ 0.6: **missed**" in verdicts
    assert "p99 12.0 ms ≤ 15 ms: met" in verdicts
    assert "read-404-650ops vs read-404-5ops: CPU per request 1.05x ≤ 1.1: met" in verdicts
    assert "worst 1.70 s ≤ 1.5 s: **missed**" in verdicts


def test_report_takes_the_median_of_the_rounds_ratios_and_shows_their_range(
    tmp_path: Path, report: ModuleType
) -> None:
    """Three rounds on a drifting machine: the second ran on a slower minute for both servers
    alike, so its ratio agrees with the others although its figures do not."""
    (tmp_path / "scenarios.txt").write_text("resource-read\n")
    # specfake: 100, 150, 110 µs per request; bare: 60, 90, 55 → ratios 0.60, 0.60, 0.50
    for number, (mine, bare) in enumerate([(1000, 600), (1500, 900), (1100, 550)], 1):
        write_run(tmp_path, "specfake", "resource-read", 100_000, mine, "200", round_number=number)
        write_run(tmp_path, "bare", "resource-read", 100_000, bare, "200", round_number=number)
    runs = report.read_runs(tmp_path)
    assert sorted(runs[("specfake", "resource-read")]) == [1, 2, 3]
    table = "\n".join(report.table(runs, report.scenarios_in_order(tmp_path)))
    assert "| resource-read | specfake | 200 | 110 | 10,000 |" in table  # the median round
    assert "| 0.60x (0.50-0.60) |" in table
    verdicts = "\n".join(report.target_lines(runs, None))
    assert "resource-read: CPU 0.60x (0.50-0.60) and req/s 1.00x bare ≥ 0.5: met" in verdicts


def test_report_of_a_log_line_together_run_gives_the_log_lines_verdict_alone(
    tmp_path: Path, report: ModuleType
) -> None:
    """``bench/run --log-line-together`` runs no bare app and the two servers shared one core:
    the report judges the log line against --quiet, and neither a bare ratio nor a p99."""
    (tmp_path / "scenarios.txt").write_text("patch-409-stale\n")
    # default log line: 100, 103 µs per request; --quiet: 98, 100 → ratios 0.98, 0.97: 0.975
    for number, (mine, quiet) in enumerate([(1000, 980), (1030, 1000)], 1):
        for server, ticks in [("specfake", mine), ("quiet", quiet)]:
            write_run(tmp_path, server, "patch-409-stale", 100_000, ticks, "409",
                      round_number=number)
    runs = report.read_runs(tmp_path)
    assert "p99 12.0 ms ≤ 15 ms: met" in report.target_lines(runs, None)[0]
    assert report.target_lines(runs, None, together=True) == [
        "- patch-409-stale: log line: CPU 0.98x (0.97-0.98), req/s 1.00x --quiet ≥ 0.95: met"
    ]


def test_no_bench_script_runs_lua_per_request_but_the_valid_patch_lookup() -> None:
    lua = (ROOT / "bench/lua/valid_patch.lua").read_text()
    assert "function response" not in lua and "function delay" not in lua
    for static in ("fixed.lua", "report.lua"):
        script = (ROOT / "bench/lua" / static).read_text()
        assert not any(f"function {name}" in script for name in ("request", "response", "delay"))


def test_the_generated_spec_has_the_operations_asked_for_and_no_defects(tmp_path: Path) -> None:
    import yaml

    from specfake.spec import load_spec
    from specfake.spec.compile import compile_spec

    document = bench_module("big_spec").generate(40)
    path = tmp_path / "generated.openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    spec = load_spec(path)
    operations, warnings = compile_spec(spec)
    assert len(operations) == 40
    assert [*spec.warnings, *warnings] == []
    references = json.dumps(document).count('"$ref"')
    assert references > 3 * len(document["components"]["schemas"])  # densely cross-linked


def test_the_corpus_runner_counts_conformant_operations_from_junit(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(
        "<testsuites><testsuite>"
        "<testcase name='GET /a'/>"
        "<testcase name='POST /a'><failure message='ST103'/></testcase>"
        "<testcase name='GET /b'><error message='boom'/></testcase>"
        "</testsuite></testsuites>"
    )
    corpus = bench_module("corpus")
    assert corpus.conformance(report) == (1, 3)
    assert corpus.Result(True, 0.5, 40.0, 1, 3).cell() == "0.50 s, 40 MB, 1/3"


def test_inprocess_versus_quiet_interleaves_quiet_batches_and_prints_the_log_lines_cost() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "inprocess.py"), "--only", "patch-409-stale",
         "--log", "--versus-quiet", "--requests", "100"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    measured, versus = run.stdout.splitlines()
    assert measured.startswith("patch-409-stale") and "CPU µs/request" in measured
    assert "--quiet batches in between" in versus and versus.endswith("x")
    refused = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "inprocess.py"), "--versus-quiet"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2 and "add --log" in refused.stderr


def test_inprocess_collector_reports_the_collectors_share_of_the_timed_requests() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "inprocess.py"), "--only", "publish-404-unknown",
         "--requests", "2000", "--collector"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    measured, collector = run.stdout.splitlines()
    assert measured.startswith("publish-404-unknown")
    assert collector.startswith("collector: ") and "CPU µs per request" in collector
    assert "threshold (10000, " in collector  # the server process's setting


def test_inprocess_ab_measures_two_checkouts_together_and_prints_their_ratio() -> None:
    """Against this very checkout: the line names both medians and a ratio with its range."""
    run = subprocess.run(
        [str(ROOT / "bench" / "inprocess_ab"), str(ROOT / "src"), "--rounds", "1",
         "--requests", "100", "publish-404-unknown"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    line = run.stdout.strip()
    assert line.startswith("publish-404-unknown") and " other " in line and " this " in line
    assert line.endswith(")") and "x (" in line


def test_report_puts_the_pipelines_cost_over_the_floor_beside_what_each_target_allows(
    tmp_path: Path, report: ModuleType
) -> None:
    (tmp_path / "scenarios.txt").write_text("patch-409-stale\n")
    write_run(tmp_path, "specfake", "patch-409-stale", 100_000, 800, "409")  # 80 µs each
    write_run(tmp_path, "bare", "patch-409-stale", 100_000, 330, "200")  # 33 µs
    write_run(tmp_path, "floor", "patch-409-stale", 100_000, 250, "409")  # 25 µs
    runs = report.read_runs(tmp_path)
    table = "\n".join(report.table(runs, report.scenarios_in_order(tmp_path)))
    assert "| patch-409-stale | specfake floor (no pipeline) | 409 | 25 |" in table
    assert "| 1.32x |  |  |" in table  # the floor's CPU against bare's, nothing else
    verdicts = report.target_lines(runs, None)[0]
    # 0.6x of bare is 55 µs a request: 30 of them left once the floor's 25 are spent
    assert verdicts.endswith("; pipeline 55 µs over the floor's 25, 30 µs allowed for 0.6x")
    write_run(tmp_path, "pipeline", "patch-409-stale", 100_000, 650, "409")  # 65 µs
    runs = report.read_runs(tmp_path)
    assert "| specfake pipeline only (no journal, log, guard) | 409 | 65 |" in "\n".join(
        report.table(runs, report.scenarios_in_order(tmp_path))
    )
    assert report.target_lines(runs, None)[0].endswith(
        "; pipeline 55 µs over the floor's 25, 30 µs allowed for 0.6x; "
        "without journal, log line and guard CPU 0.51x bare"
    )
    write_run(tmp_path, "floor", "patch-409-stale", 100_000, 600, "409")  # 60 µs: over 55
    runs = report.read_runs(tmp_path)
    assert "; pipeline 20 µs over the floor's 60, which alone misses 0.6x;" in (
        report.target_lines(runs, None)[0]
    )


def floor_app(*arguments: str) -> contextlib.AbstractContextManager[str]:
    """``bench/floor_app.py ARGUMENTS serve`` on a free port, the bundled specs."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "floor_app.py"), *arguments, "serve",
               "--port", str(port), "--quiet", "--no-watch"]  # fmt: skip
    return running_process(command, port)


def test_the_floor_app_is_specfake_serve_answering_every_served_request_one_fixed_body() -> None:
    floor = bench_module("floor_app")
    with floor_app() as base_url:
        unrouted = httpx.post(f"{base_url}/no/such/path", content=b'{"a": 1}')
        routed = httpx.patch(f"{base_url}/v1/plan-definitions/anything/draft", json={})
        control = httpx.get(f"{base_url}/__specfake__/requests")
    for answer in (unrouted, routed):
        assert answer.status_code == 409 and answer.content == floor.ANSWER
        assert answer.headers["content-type"] == "application/problem+json"
    assert control.status_code == 200 and control.json() == {"requests": []}  # none journaled


def test_the_pipeline_only_app_answers_as_specfake_but_journals_and_guards_nothing() -> None:
    stale = {"expectedVersionId": 6}
    path = "/v1/plan-definitions/a1b2c3d4-e5f6-4789-9abc-def012345678/draft"
    auth = {"Authorization": "Bearer dev"}
    with floor_app("--pipeline-only") as base_url:
        conflict = httpx.patch(f"{base_url}{path}", json=stale, headers=auth)
        unauthorized = httpx.patch(f"{base_url}{path}", json=stale)
        foreign_host = httpx.patch(f"{base_url}{path}", json=stale,
                                   headers={**auth, "Host": "evil.example"})  # fmt: skip
        journal = httpx.get(f"{base_url}/__specfake__/requests")
    assert conflict.status_code == 409 and conflict.json()["currentVersionId"] == 7
    assert conflict.content == bench_module("floor_app").ANSWER  # the floor sends the same body
    assert unauthorized.status_code == 401  # the pipeline's auth is still there
    assert foreign_host.status_code == 409  # the guard would have answered 421
    assert journal.json() == {"requests": []}
