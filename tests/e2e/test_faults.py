"""``--fail-rate`` and ``--latency`` against a real server: a documented 5xx where there is
one, else a connection dropped half-way; every answer waits the latency."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.servers import running_server

pytestmark = pytest.mark.e2e


def spec_with(tmp_path: Path, responses: dict) -> Path:
    document = {"openapi": "3.1.0", "info": {"title": "faults", "version": "1"},
                "paths": {"/f": {"get": {"operationId": "f", "responses": responses}}}}  # fmt: skip
    path = tmp_path / "faults.openapi.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


OK = {"description": "ok", "content": {"application/json": {"example": {"ok": True}}}}
UNAVAILABLE = {"description": "down", "content": {"application/json": {"example": {"down": 1}}}}


def test_a_fail_rate_of_one_answers_the_documented_5xx(tmp_path):
    spec = spec_with(tmp_path, {"200": OK, "503": UNAVAILABLE})
    with running_server(spec, "--fail-rate", "1") as url:
        answer = httpx.get(f"{url}/f")
    assert (answer.status_code, answer.json()) == (503, {"down": 1})


def test_without_a_documented_5xx_the_connection_is_dropped(tmp_path):
    with running_server(spec_with(tmp_path, {"200": OK}), "--fail-rate", "1") as url:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{url}/f")
        requests = httpx.get(f"{url}/__specfake__/requests").json()["requests"]
    assert requests[-1]["detail"].startswith("--fail-rate chose this request")


def test_latency_delays_every_answer(tmp_path):
    with running_server(spec_with(tmp_path, {"200": OK}), "--latency", "300-400") as url:
        started = time.monotonic()
        answer = httpx.get(f"{url}/f")
        waited = time.monotonic() - started
    assert answer.status_code == 200 and waited >= 0.3
