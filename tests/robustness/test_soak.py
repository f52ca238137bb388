"""A bounded soak: mixed traffic against a real server for ``SPECFAKE_SOAK_SECONDS`` (30 s),
then proof that no acknowledged write was lost or applied twice, and no answer was a 5xx.

Writers race on two pathways (each 200 must be exactly one version step) and create cohort
drafts under idempotency keys, each sent twice (one draft per key, the retry replays it);
noise (bad JSON, schema violations, unknown ids, no token) runs beside them. The figures go to
stdout and ``reports/soak.json``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import AUTH, DOCS_PATHWAY
from tests.servers import ROOT, _wait_until_healthy, free_port

pytestmark = pytest.mark.e2e
SECONDS = float(os.environ.get("SPECFAKE_SOAK_SECONDS", "30"))
SECOND_DRAFT = "3f6c2a9e-1b7d-4c55-8e21-7a9d0c4b5e10"  # a draft at version 2 in the fixtures


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class Tally:
    def __init__(self) -> None:
        self.statuses: collections.Counter[int] = collections.Counter()
        self.patched: collections.Counter[str] = collections.Counter()  # 200s per pathway
        self.drafts: dict[str, str] = {}  # idempotency key -> draft id
        self.doubled: list[str] = []  # keys whose retry answered another draft

    def saw(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        return response


async def patcher(client: httpx.AsyncClient, pathway: str, tally: Tally, until: float) -> None:
    version = 7 if pathway == DOCS_PATHWAY else 2
    while time.monotonic() < until:
        response = tally.saw(await client.patch(
            f"/v1/plan-definitions/{pathway}/draft", headers=AUTH,
            json={"expectedVersionId": version, "title": f"soak {version}"},
        ))  # fmt: skip
        if response.status_code == 200:
            tally.patched[pathway] += 1
            version = response.json()["data"]["versionId"]
        elif response.status_code == 409:
            version = response.json()["currentVersionId"]


async def creator(client: httpx.AsyncClient, worker: int, tally: Tally, until: float) -> None:
    count = 0
    while time.monotonic() < until:
        key = f"soak-{worker}-{count}"
        body = {"name": f"Soak cohort {worker}.{count}", "idempotency_key": key}
        first = tally.saw(await client.post("/cohort/draft", json=body))
        retry = tally.saw(await client.post("/cohort/draft", json=body))
        if first.status_code == 200:
            tally.drafts[key] = first.json()["draft_id"]
            if retry.json().get("draft_id") != tally.drafts[key]:
                tally.doubled.append(key)
        count += 1


async def noise(client: httpx.AsyncClient, tally: Tally, until: float) -> None:
    draft = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
    as_json = {**AUTH, "Content-Type": "application/json"}
    unknown_draft = {"draft_id": "f0f0f0f0-0000-4000-8000-000000000000", "name": "x"}
    requests = [
        lambda: client.patch(draft, headers=as_json, content=b'{"expectedVersionId": '),
        lambda: client.patch(draft, headers=AUTH, json={"expectedVersionId": "seven"}),
        lambda: client.patch(draft, json={"expectedVersionId": 1}),
        lambda: client.post("/v1/plan-definitions/nope/publish", headers=AUTH),
        lambda: client.post("/cohort/draft", json=unknown_draft),
        lambda: client.get("/__specfake__/requests"),
    ]
    turn = 0
    while time.monotonic() < until:
        tally.saw(await requests[turn % len(requests)]())
        turn += 1


async def soak(url: str) -> Tally:
    tally = Tally()
    until = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(
            *(patcher(client, pathway, tally, until)
              for pathway in (DOCS_PATHWAY, SECOND_DRAFT) for _ in range(4)),
            *(creator(client, worker, tally, until) for worker in range(6)),
            *(noise(client, tally, until) for _ in range(2)),
        )  # fmt: skip
    return tally


def test_mixed_traffic_loses_and_doubles_nothing():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--quiet",
               "--idempotency-max-keys", "1000000"]  # fmt: skip
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(process, url, output)
            before = httpx.get(f"{url}/__specfake__/state").json()
            rss_before = rss_mb(process.pid)
            tally = asyncio.run(soak(url))
            rss_after = rss_mb(process.pid)
            after = httpx.get(f"{url}/__specfake__/state", timeout=60).json()
        finally:
            process.terminate()
            process.wait(timeout=15)
    figures = {
        "seconds": SECONDS,
        "requests": sum(tally.statuses.values()),
        "statuses": dict(sorted(tally.statuses.items())),
        "patches_applied": dict(tally.patched),
        "drafts_created": len(tally.drafts),
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
    }
    print("\nsoak:", json.dumps(figures))
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "soak.json").write_text(json.dumps(figures, indent=2) + "\n")

    assert not [status for status in tally.statuses if status >= 500], tally.statuses
    versions = {row["id"]: row["versionId"] for row in after["pathways"]}
    start = {row["id"]: row["versionId"] for row in before["pathways"]}
    for pathway in (DOCS_PATHWAY, SECOND_DRAFT):
        assert versions[pathway] == start[pathway] + tally.patched[pathway], pathway
    assert not tally.doubled
    drafts = {row["draft_id"] for row in after["cohort_drafts"]}
    assert set(tally.drafts.values()) <= drafts
    assert len(after["cohort_drafts"]) == len(before["cohort_drafts"]) + len(tally.drafts)
    assert figures["requests"] > 1000
