"""``specfake serve`` without ``--quiet`` writes a line per request to stderr: in batches, a
moment after the request, and the last batch at shutdown."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

import httpx
import pytest

from specfake.pytest_plugin import stop_process, wait_until_healthy
from tests.conftest import AUTH, DOCS_PATHWAY, ROOT
from tests.servers import free_port

pytestmark = pytest.mark.e2e
PATCH_PATH = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


def test_each_request_gets_its_line_soon_after_and_the_last_ones_at_shutdown():
    port = free_port()
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--no-watch"]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, base, output)
            stale = httpx.patch(base + PATCH_PATH, json={"expectedVersionId": 6}, headers=AUTH)
            assert stale.status_code == 409
            deadline = time.monotonic() + 5
            while b"409" not in _read(output) and time.monotonic() < deadline:
                time.sleep(0.05)
            line = next(text for text in _read(output).decode().splitlines() if " 409 " in text)
            assert line.startswith(f"PATCH {PATCH_PATH} 409 ")
            assert "expectedVersionId 6 does not match the current versionId 7" in line
            invalid = httpx.patch(base + PATCH_PATH, json={"title": 5}, headers=AUTH)
            assert invalid.status_code == 422
        finally:
            stop_process(process)  # right after the 422: its line is written at shutdown
        assert f"PATCH {PATCH_PATH} 422 " in _read(output).decode()


def _read(output) -> bytes:
    output.seek(0)
    return output.read()
