"""``specfake serve`` watches what it serves: a spec edited under the running server is served
within 2 s with the state kept; a broken edit keeps the last good world serving."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest

from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS
from tests.servers import running_server

pytestmark = pytest.mark.e2e
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
TITLE = "        title:\n          type: string\n          description: Updated pathway title.\n"


def eventually(check, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_an_edited_spec_is_served_within_two_seconds_and_a_broken_one_keeps_serving(tmp_path):
    spec = tmp_path / "plan-definitions.openapi.yaml"
    shutil.copy(SPECS / "plan-definitions.openapi.yaml", spec)
    original = spec.read_text()
    assert TITLE in original
    with running_server(spec, "--fixtures", FIXTURES) as url, httpx.Client(base_url=url) as client:
        long_title = {"expectedVersionId": 7, "title": "Long title"}
        first = client.patch(DRAFT, headers=AUTH, json=long_title)
        assert first.status_code == 200
        limited = TITLE.replace("type: string\n", "type: string\n          maxLength: 5\n")
        spec.write_text(original.replace(TITLE, limited))

        def refused() -> bool:  # a stale version: 409 (nothing written) until the rule holds
            body = {"expectedVersionId": 999, "title": "Long title"}
            return client.patch(DRAFT, headers=AUTH, json=body).status_code == 422

        assert eventually(refused)
        kept = client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 8, "title": "Short"})
        assert kept.status_code == 200 and kept.json()["data"]["versionId"] == 9  # state kept

        spec.write_text("openapi: 3.1.0\npaths: [broken\n")
        time.sleep(1.0)  # the watcher has seen it and refused it
        still = client.patch(DRAFT, headers=AUTH, json={**long_title, "expectedVersionId": 9})
        assert still.status_code == 422  # the last good world: maxLength 5 still holds
        assert client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 9}).status_code == 200
