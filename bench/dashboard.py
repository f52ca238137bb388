"""The dashboard with a full journal, in Debian's chromium: load and live-update times against
the same page with an empty journal, measured in one run.

    python bench/dashboard.py [--burst N] [--body-bytes N]

1. Load: the page opened on an empty journal, then on a full one (1,000 entries, each with a
   request body of ``--body-bytes``), each until its table is drawn; the ratio full/empty.
2. Burst: ``--burst`` requests sent as fast as one client can while the page is open; how long
   after the last answer the page shows it (lag), against how long sending took; the table's
   rows (capped at 300) and the page's JS heap after it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' browser and server helpers, run from anywhere
from tests.browser import chromium  # noqa: E402
from tests.servers import running_server  # noqa: E402

DRAFT = "/v1/plan-definitions/a1b2c3d4-e5f6-4789-9abc-def012345678/draft"
AUTH = {"Authorization": "Bearer dev"}


def fill(client: httpx.Client, count: int, body_bytes: int) -> None:
    body = {"expectedVersionId": 999, "title": "x" * body_bytes}  # a 409 with the whole body
    for _ in range(count):
        client.patch(DRAFT, headers=AUTH, json=body)


def loaded(page, url: str, kept: int) -> float:
    """Seconds from navigation to the table drawn with ``kept`` entries."""
    started = time.perf_counter()
    page.goto(f"{url}/__specfake__/")
    page.wait_for_function(f"document.getElementById('shown').textContent.endsWith('"
                           f"({kept} kept)')", timeout=60_000)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--body-bytes", type=int, default=8000)
    arguments = parser.parse_args()
    with (
        running_server("--no-watch") as url,
        httpx.Client(base_url=url, timeout=30) as client,
        chromium() as browser,
    ):
        page = browser.new_page()
        loaded(page, url, 0)  # warm: the browser's first page costs more than any later one
        empty = min(loaded(page, url, 0) for _ in range(3))
        fill(client, 1000, arguments.body_bytes)
        full = min(loaded(page, url, 1000) for _ in range(3))
        print(f"load, empty journal     {empty * 1000:8.0f} ms")
        print(f"load, 1,000 entries     {full * 1000:8.0f} ms   ({full / empty:.2f}x empty)")

        started = time.perf_counter()
        fill(client, arguments.burst, 100)
        sent = time.perf_counter() - started
        last = client.get("/__specfake__/requests").json()["requests"][-1]["id"]
        page.wait_for_function(
            "document.querySelector('#journal tbody tr.entry')?.dataset.id === "
            f"'{last}'", timeout=60_000)  # fmt: skip
        lag = time.perf_counter() - started - sent
        rows = page.locator("#journal tbody tr.entry").count()
        heap = page.evaluate("performance.memory.usedJSHeapSize") / 1e6
        print(f"burst of {arguments.burst:,} requests   sent in {sent:.2f} s "
              f"({arguments.burst / sent:.0f}/s); page up to date {lag * 1000:.0f} ms after the "
              f"last answer")  # fmt: skip
        print(f"after it                table rows {rows}, JS heap {heap:.1f} MB")


if __name__ == "__main__":
    main()
