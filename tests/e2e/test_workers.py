"""``specfake serve --workers N --store redis://...``: several processes on one port over a real
redis-server. One write wins per version whichever worker takes each request, one key makes
one draft, a killed worker loses no acknowledged write, a reload on one worker reaches all of
them, and the state outlives the server."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS
from tests.servers import running_server

pytestmark = pytest.mark.e2e
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
TITLE = "        title:\n          type: string\n          description: Updated pathway title.\n"
FRESH = {"Connection": "close"}  # a connection per request: the workers share them out


def redis_store(redis_url: str) -> str:
    """The test Redis under a prefix of this test's own."""
    return f"{redis_url}/0?prefix=e2e-{uuid.uuid4().hex}:"


def version(client: httpx.Client) -> int:
    rows = client.get("/__specfake__/state").json()["pathways"]
    return next(row["versionId"] for row in rows if row["id"] == DOCS_PATHWAY)


@pytest.fixture(scope="module")
def served_specs(tmp_path_factory) -> Path:
    """Copies of the bundled specs, which the reload test edits."""
    directory = tmp_path_factory.mktemp("specs")
    for spec in SPECS.glob("*.openapi.yaml"):
        shutil.copy(spec, directory / spec.name)
    return directory


@pytest.fixture(scope="module")
def workers(redis_url, served_specs) -> Iterator[str]:
    """Three workers on one Redis; the base URL."""
    specs = sorted(served_specs.glob("*.openapi.yaml"))
    arguments = [*specs, "--fixtures", FIXTURES, "--no-watch", "--workers", "3"]
    with running_server(*arguments, "--store", redis_store(redis_url)) as url:
        yield url


@pytest.fixture
def client(workers) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=workers, timeout=30) as client:
        assert client.post("/__specfake__/reset").status_code == 204
        yield client


def test_64_concurrent_patches_over_three_workers_exactly_one_wins(workers, client):
    async def race() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=workers, limits=limits, timeout=30) as racing:
            return await asyncio.gather(*(
                racing.patch(DRAFT, json={"expectedVersionId": 7, "title": f"writer {n}"},
                             headers={**AUTH, **FRESH})
                for n in range(64)))  # fmt: skip

    responses = asyncio.run(race())
    assert sorted(response.status_code for response in responses) == [200] + [409] * 63
    winner = next(index for index, r in enumerate(responses) if r.status_code == 200)
    assert all(r.json()["currentVersionId"] == 8 for r in responses if r.status_code == 409)
    rows = client.get("/__specfake__/state").json()["pathways"]
    final = next(row for row in rows if row["id"] == DOCS_PATHWAY)
    assert (final["versionId"], final["title"]) == (8, f"writer {winner}")


def test_one_cohort_key_from_24_connections_makes_one_draft(workers, client):
    drafts_before = len(client.get("/__specfake__/state").json()["cohort_drafts"])
    body = {"name": "Burst cohort", "idempotency_key": f"burst-{uuid.uuid4()}"}

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=workers, timeout=30) as sending:
            return await asyncio.gather(
                *(sending.post("/cohort/draft", json=body, headers=FRESH) for _ in range(24))
            )

    responses = asyncio.run(burst())
    assert {response.status_code for response in responses} == {200}
    assert len({response.json()["draft_id"] for response in responses}) == 1
    assert len(client.get("/__specfake__/state").json()["cohort_drafts"]) == drafts_before + 1


def test_an_override_made_on_one_worker_counts_its_calls_on_all(workers, client):
    override = {"operationId": "update-draft", "status": 409, "times": 10}
    assert client.post("/__specfake__/overrides", json=override).status_code == 201
    with httpx.Client(base_url=workers, headers={**AUTH, **FRESH}, timeout=30) as fresh:
        statuses = [fresh.patch(DRAFT, json={"expectedVersionId": 7}).status_code
                    for _ in range(12)]  # fmt: skip
        listed = fresh.get("/__specfake__/overrides").json()
    assert statuses == [409] * 10 + [200, 409]  # ten forced, then the fake: 7 -> 8, then stale
    assert listed == {"overrides": []}


def test_the_journal_of_any_worker_lists_every_workers_requests(workers, client):
    assert client.delete("/__specfake__/requests").status_code == 204
    paths = [f"/v1/plan-definitions/{uuid.uuid4()}/draft" for _ in range(30)]
    with httpx.Client(base_url=workers, headers={**AUTH, **FRESH}, timeout=30) as fresh:
        for path in paths:
            assert fresh.patch(path, json={"expectedVersionId": 1}).status_code == 404
        time.sleep(0.3)  # each worker shares its entries within 50 ms
        journals = [[row["path"] for row in fresh.get("/__specfake__/requests").json()[
            "requests"]] for _ in range(6)]  # fmt: skip
        har = fresh.get("/__specfake__/requests", params={"format": "har"}).json()
    for journal in journals:
        assert [path for path in journal if path in paths] == paths
    recorded = [entry for entry in har["log"]["entries"]
                if urlsplit(entry["request"]["url"]).path in paths]  # fmt: skip
    assert [urlsplit(entry["request"]["url"]).path for entry in recorded] == paths
    assert {entry["response"]["status"] for entry in recorded} == {404}


def test_a_reload_on_one_worker_reaches_every_worker(workers, client, served_specs):
    spec = served_specs / "plan-definitions.openapi.yaml"
    original = spec.read_text()
    assert TITLE in original
    limited = TITLE.replace("type: string\n", "type: string\n          maxLength: 5\n")
    long_title = {"expectedVersionId": 999, "title": "Long title"}  # 409 now, 422 once reloaded
    try:
        spec.write_text(original.replace(TITLE, limited))
        assert client.post("/__specfake__/reload").status_code == 204
        time.sleep(1.5)  # the others poll the world generation every 0.5 s, then rebuild
        with httpx.Client(base_url=workers, headers={**AUTH, **FRESH}, timeout=30) as fresh:
            statuses = [fresh.patch(DRAFT, json=long_title).status_code for _ in range(30)]
        assert statuses == [422] * 30
    finally:
        spec.write_text(original)
        assert client.post("/__specfake__/reload").status_code == 204


def test_an_edit_the_supervisor_sees_reaches_every_worker(redis_url, tmp_path):
    spec = tmp_path / "plan-definitions.openapi.yaml"
    shutil.copy(SPECS / "plan-definitions.openapi.yaml", spec)
    arguments = [spec, "--fixtures", FIXTURES, "--workers", "2", "--store", redis_store(redis_url)]
    long_title = {"expectedVersionId": 999, "title": "Long title"}
    with running_server(*arguments) as url, httpx.Client(
        base_url=url, headers={**AUTH, **FRESH}, timeout=30
    ) as fresh:
        assert fresh.patch(DRAFT, json=long_title).status_code == 409
        limited = TITLE.replace("type: string\n", "type: string\n          maxLength: 5\n")
        spec.write_text(spec.read_text().replace(TITLE, limited))
        deadline = time.monotonic() + 5
        while fresh.patch(DRAFT, json=long_title).status_code != 422:
            assert time.monotonic() < deadline, "the edit was not served within 5 s"
            time.sleep(0.1)
        time.sleep(1.0)  # the first worker answered; the other follows within a poll
        statuses = [fresh.patch(DRAFT, json=long_title).status_code for _ in range(20)]
    assert statuses == [422] * 20


def worker_pids(server_pid: int) -> list[int]:
    """The uvicorn workers among the server's child processes (not multiprocessing's helper)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    pids = []
    for child in map(int, children):
        command = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in command:
            pids.append(child)
    return pids


def serve_process(*arguments: str | Path) -> tuple[subprocess.Popen[bytes], str]:
    """``specfake serve`` started directly, so the test knows its process id."""
    from specfake.pytest_plugin import free_port, wait_until_healthy

    port = free_port()
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--quiet",
               *map(str, arguments)]  # fmt: skip
    output = open(os.devnull, "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(process, url, output, timeout=30)
    return process, url


def test_a_worker_killed_under_load_loses_no_acknowledged_write(redis_url):
    from specfake.pytest_plugin import stop_process

    process, url = serve_process("--store", redis_store(redis_url), "--workers", "3")
    acknowledged: list[tuple[float, str]] = []  # when, which draft
    killed_at: list[float] = []

    async def writer(number: int, until: float) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=10) as sending:
            sequence = 0
            while time.monotonic() < until:
                sequence += 1
                body = {"name": f"Load {number}-{sequence}", "idempotency_key": str(uuid.uuid4())}
                try:
                    response = await sending.post("/cohort/draft", json=body, headers=FRESH)
                except httpx.TransportError:  # the killed worker's connection: not acknowledged
                    continue
                if response.status_code == 200:
                    acknowledged.append((time.monotonic(), response.json()["draft_id"]))

    async def kill_one(after: float) -> None:
        await asyncio.sleep(after)
        os.kill(worker_pids(process.pid)[0], signal.SIGKILL)
        killed_at.append(time.monotonic())

    async def load() -> None:
        until = time.monotonic() + 4
        await asyncio.gather(*(writer(n, until) for n in range(6)), kill_one(1.5))

    try:
        asyncio.run(load())
        with httpx.Client(base_url=url, timeout=30) as client:
            stored = {row["draft_id"] for row in client.get("/__specfake__/state").json()[
                "cohort_drafts"]}  # fmt: skip
        assert len(worker_pids(process.pid)) == 3  # uvicorn started a new one
    finally:
        stop_process(process)
    assert killed_at and any(when > killed_at[0] for when, _ in acknowledged)  # still serving
    assert {draft for _, draft in acknowledged} <= stored
    assert len(acknowledged) > 20


def test_a_restart_on_the_same_redis_keeps_the_state(redis_url):
    store = redis_store(redis_url)
    with running_server("--store", store, "--workers", "2") as url, httpx.Client(
        base_url=url
    ) as client:
        assert client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}).status_code == 200
    with running_server("--store", store) as url, httpx.Client(base_url=url) as client:
        assert version(client) == 8  # not the fixtures' 7: the second start loaded nothing
        stale = client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
        assert stale.status_code == 409 and stale.json()["currentVersionId"] == 8
        assert client.post("/__specfake__/reset").status_code == 204
        assert version(client) == 7


def test_two_workers_on_sqlite_have_exactly_one_winner(tmp_path):
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with running_server("--store", store, "--workers", "2") as url:

        async def race() -> list[int]:
            async with httpx.AsyncClient(base_url=url, timeout=30) as racing:
                responses = await asyncio.gather(*(
                    racing.patch(DRAFT, json={"expectedVersionId": 7}, headers={**AUTH, **FRESH})
                    for _ in range(32)))  # fmt: skip
            return sorted(response.status_code for response in responses)

        assert asyncio.run(race()) == [200] + [409] * 31


def test_workers_on_memory_are_refused_and_an_unreachable_redis_is_named():
    def serve(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "specfake", "serve", "--port", "0", *arguments]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    memory = serve("--workers", "2")
    assert memory.returncode == 2 and "needs a store the workers can share" in memory.stderr
    nobody = serve("--store", "redis://127.0.0.1:1/0", "--workers", "2")
    assert nobody.returncode == 2
    assert "Redis does not answer" in nobody.stderr and "redis-server" in nobody.stderr
