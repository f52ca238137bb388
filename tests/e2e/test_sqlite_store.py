"""``specfake serve --store sqlite:///PATH``: the state survives a restart; ``reset`` still goes
back to the fixtures; a second start does not load the fixtures over what is stored."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import AUTH, DOCS_PATHWAY
from tests.servers import running_server

pytestmark = pytest.mark.e2e
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


def version(client: httpx.Client) -> int:
    rows = client.get("/__specfake__/state").json()["pathways"]
    return next(row["versionId"] for row in rows if row["id"] == DOCS_PATHWAY)


def test_sqlite_keeps_the_state_across_a_restart(tmp_path):
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with running_server("--store", store) as url, httpx.Client(base_url=url) as client:
        assert client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}).status_code == 200
        assert version(client) == 8
    with running_server("--store", store) as url, httpx.Client(base_url=url) as client:
        assert version(client) == 8  # not the fixtures' 7
        stale = client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
        assert stale.status_code == 409 and stale.json()["currentVersionId"] == 8
        assert client.post("/__specfake__/reset").status_code == 204
        assert version(client) == 7
