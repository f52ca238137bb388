"""Debian's chromium driven by Playwright, for the dashboard's browser tests.

No browser is downloaded (``playwright install`` is never run): Playwright launches
``/usr/bin/chromium`` (``.ci/run`` installs the ``chromium`` package), with a fresh profile
per launch. Without it the tests skip on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
REPORTS = Path(__file__).resolve().parents[1] / "reports"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must have it (.ci/run installs it)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium() -> Iterator[BrowserContext]:
    """A browser context on Debian's chromium with a new, empty user-data-dir."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (the test extra has it)")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with (
        tempfile.TemporaryDirectory(prefix="specfake-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page, name: str) -> Path:
    """Keep what the page looked like under ``reports/`` (cleaned by ``.ci/run``)."""
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / f"dashboard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
